import CostwhModel
import CostwhTransform
import Foundation

/// Adds up each load's rows into `summary_daily` and `summary_resource` while they stream
/// past, so the canned queries never scan the fact table.
///
/// The daily summary is kept per product too: analysts' daily questions by meter or service
/// (`cost_daily_summary`) then read about a hundredth of the rows.
package final class SummaryBuilder {
    struct DailyKey: SummaryKey {
        let date: Int32
        let currency: Int32
        let chargeType: Int32
        let pricingModel: Int32
        let product: Int64

        var mixed: UInt64 {
            var h = UInt64(UInt32(bitPattern: date)) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ UInt64(UInt32(bitPattern: currency))) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ UInt64(UInt32(bitPattern: chargeType))) &* 0x94D0_49BB_1331_11EB
            h = (h ^ UInt64(UInt32(bitPattern: pricingModel))) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ UInt64(bitPattern: product)) &* 0xBF58_476D_1CE4_E5B9
            return h ^ (h >> 31)
        }
    }

    struct ResourceKey: SummaryKey {
        let currency: Int32
        let chargeType: Int32
        let pricingModel: Int32
        let account: Int64
        let resource: Int64
        let product: Int64
        let tags: Int64

        // One mixed word instead of seven fields through SipHash: this runs per row.
        var mixed: UInt64 {
            var h = UInt64(UInt32(bitPattern: currency)) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ UInt64(UInt32(bitPattern: chargeType))) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ UInt64(UInt32(bitPattern: pricingModel))) &* 0x94D0_49BB_1331_11EB
            h = (h ^ UInt64(bitPattern: account)) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ UInt64(bitPattern: resource)) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ UInt64(bitPattern: product)) &* 0x94D0_49BB_1331_11EB
            h = (h ^ UInt64(bitPattern: tags)) &* 0x9E37_79B9_7F4A_7C15
            return h ^ (h >> 31)
        }
    }

    struct Sum {
        var cost = 0.0
        var units: Int64 = 0
        var rows = 0
    }

    private var daily: BoundedSums<DailyKey>
    private var resources: BoundedSums<ResourceKey>
    private let strings = Interner()

    /// Whether the resource summary outgrew its bound: the store adds it up by SQL.
    package var overflowed: Bool { resources.overflowed }
    /// Whether the daily summary outgrew its bound: the store adds it up by SQL.
    package var dailyOverflowed: Bool { daily.overflowed }

    /// Past these many groups a summary is added up by SQL at the end instead, so memory
    /// stays bounded.
    package init(maxResourceGroups: Int, maxDailyGroups: Int) {
        resources = BoundedSums(limit: maxResourceGroups)
        daily = BoundedSums(limit: maxDailyGroups)
    }

    /// 150,000 groups each (about 15 MB apiece), or `COSTWH_SUMMARY_GROUPS`: a lower bound
    /// for a machine short of memory, and the way tests reach the SQL path.
    package convenience init() {
        let limit = ProcessInfo.processInfo.environment["COSTWH_SUMMARY_GROUPS"].flatMap { Int($0) } ?? 150_000
        self.init(maxResourceGroups: limit, maxDailyGroups: limit)
    }

    @inline(__always)
    package func add(
        date: ByteSlice, currency: ByteSlice, chargeType: ByteSlice, pricingModel: ByteSlice, cost: Double,
        keys: (Int64?, Int64?, Int64?, Int64?)
    ) {
        let c = strings.id(currency)
        let t = strings.id(chargeType)
        let p = strings.id(pricingModel)
        let units = CostUnits.of(cost)
        var d: Int32 = 0
        if let base = date.base, date.count == 10 {
            for i in [0, 1, 2, 3, 5, 6, 8, 9] { d = d &* 10 &+ Int32(base[i] &- 0x30) }
        }
        daily.add(DailyKey(date: d, currency: c, chargeType: t, pricingModel: p, product: keys.2 ?? 0), cost, units)
        guard !resources.overflowed else { return }
        let key = ResourceKey(
            currency: c, chargeType: t, pricingModel: p, account: keys.0 ?? 0, resource: keys.1 ?? 0,
            product: keys.2 ?? 0, tags: keys.3 ?? 0)
        resources.add(key, cost, units)
    }

    /// One summary_daily row: date (ISO), currency, charge type, pricing model, product key, cost, rows.
    package typealias DailyRow = (
        date: String, currency: String?, chargeType: String?, pricingModel: String?, product: Int64?, cost: Double,
        units: Int64, rows: Int
    )
    /// One summary_resource row; keys are nil where the dimension was absent.
    package typealias ResourceRow = (
        currency: String?, chargeType: String?, pricingModel: String?, account: Int64?, resource: Int64?,
        product: Int64?, tags: Int64?, cost: Double, units: Int64, rows: Int
    )

    /// The daily summary rows, for a store that writes them itself; empty once
    /// `dailyOverflowed` (the store then builds them by SQL).
    package var dailyRows: [DailyRow] {
        daily.sums.map { key, sum in
            (
                SummaryBuilder.isoDate(key.date), strings.text(key.currency), strings.text(key.chargeType),
                strings.text(key.pricingModel), SummaryBuilder.key(key.product), sum.cost, sum.units, sum.rows
            )
        }
    }

    /// A dimension key, 0 standing for none.
    static func key(_ k: Int64) -> Int64? { k == 0 ? nil : k }

    static func isoDate(_ date: Int32) -> String {
        let y = date / 10000, m = date / 100 % 100, d = date % 100
        return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }

    /// The resource summary rows; empty once `overflowed` (the store then builds them by SQL).
    package var resourceRows: [ResourceRow] {
        let key = SummaryBuilder.key
        return resources.sums.map { k, sum in
            (
                strings.text(k.currency), strings.text(k.chargeType), strings.text(k.pricingModel), key(k.account),
                key(k.resource), key(k.product), key(k.tags), sum.cost, sum.units, sum.rows
            )
        }
    }

    /// The two summary tables: what each adds up by, and the SQL both stores use to add one
    /// up over a load's fact rows when it outgrew its bound in memory.
    package enum Summary {
        case daily, resource

        package var table: String { self == .daily ? "summary_daily" : "summary_resource" }

        /// The fact columns a summary row is keyed by, in the table's order.
        package var keys: [String] {
            switch self {
            case .daily: ["Date", "BillingCurrency", "ChargeType", "PricingModel", "ProductKey"]
            case .resource:
                ["BillingCurrency", "ChargeType", "PricingModel", "AccountKey", "ResourceKey", "ProductKey", "TagsKey"]
            }
        }

        /// One row's INSERT, with positional parameters in the table's order.
        package var insertValues: String {
            "INSERT INTO \(table) (LoadId, \(keys.joined(separator: ", ")), Cost, CostUnits, Rows) VALUES ("
                + Array(repeating: "?", count: keys.count + 4).joined(separator: ", ") + ")"
        }

        /// `loadId` and `rows` as the engine spells them (a parameter or a number; a rowid
        /// range or the load's own table); `total` and `units` its sum and its CostUnits of a column.
        package func sql(
            loadId: String, rows: String, total: (String) -> String, units: (String) -> String
        ) -> String {
            let keys = keys.joined(separator: ", ")
            return """
                INSERT INTO \(table) (LoadId, \(keys), Cost, CostUnits, Rows)
                SELECT \(loadId), \(keys), \(total("CostInBillingCurrency")), SUM(\(units("CostInBillingCurrency"))), COUNT(*)
                FROM \(rows)
                GROUP BY \(keys)
                """
        }
    }
}

/// A summary's key: equal keys add up together; `mixed` is its hash, already well spread.
protocol SummaryKey: Equatable {
    var mixed: UInt64 { get }
}

/// Sums per key until there are more than `limit` keys; then none, and `overflowed`.
///
/// An open-addressing table indexed by the key's own mixed word: a `Dictionary` hashed it
/// again through SipHash and compared keys through a witness table, on the writer thread,
/// for every row (3 to 4 % of a load).
struct BoundedSums<Key: SummaryKey> {
    private var keys: [Key?]
    private var values: [SummaryBuilder.Sum]
    private var mask: Int
    private(set) var count = 0
    let limit: Int
    private(set) var overflowed = false

    init(limit: Int) {
        self.limit = limit
        keys = Array(repeating: nil, count: 1024)
        values = Array(repeating: SummaryBuilder.Sum(), count: 1024)
        mask = 1023
    }

    /// Every key and its sum, in no particular order.
    var sums: [(key: Key, value: SummaryBuilder.Sum)] {
        var out: [(key: Key, value: SummaryBuilder.Sum)] = []
        out.reserveCapacity(count)
        for (i, key) in keys.enumerated() {
            if let key { out.append((key, values[i])) }
        }
        return out
    }

    @inline(__always)
    mutating func add(_ key: Key, _ cost: Double, _ units: Int64) {
        guard !overflowed else { return }
        var i = Int(truncatingIfNeeded: key.mixed) & mask
        while let existing = keys[i] {
            if existing == key {
                values[i].add(cost, units)
                return
            }
            i = (i + 1) & mask
        }
        keys[i] = key
        values[i] = SummaryBuilder.Sum()
        values[i].add(cost, units)
        count += 1
        if count > limit {
            overflowed = true
            self = BoundedSums(limit: limit, overflowed: true)
        } else if count * 10 > keys.count * 7 {
            grow()
        }
    }

    private init(limit: Int, overflowed: Bool) {
        self.init(limit: limit)
        self.overflowed = overflowed
    }

    private mutating func grow() {
        let old = sums
        keys = Array(repeating: nil, count: keys.count * 2)
        values = Array(repeating: SummaryBuilder.Sum(), count: keys.count)
        mask = keys.count - 1
        for (key, sum) in old {
            var i = Int(truncatingIfNeeded: key.mixed) & mask
            while keys[i] != nil { i = (i + 1) & mask }
            keys[i] = key
            values[i] = sum
        }
    }
}

extension SummaryBuilder.Sum {
    @inline(__always)
    mutating func add(_ cost: Double, _ units: Int64) {
        self.cost += cost
        self.units &+= units
        rows += 1
    }
}

/// Small ids for the few distinct currencies, charge types and pricing models.
final class Interner {
    private var values: [[UInt8]] = []
    private var nullId: Int32 = -1

    @inline(__always)
    func id(_ slice: ByteSlice) -> Int32 {
        guard let base = slice.base else { return nullId }
        let bytes = UnsafeBufferPointer(start: base, count: slice.count)
        for (i, v) in values.enumerated() where v.count == slice.count && v.elementsEqual(bytes) { return Int32(i) }
        values.append(Array(bytes))
        return Int32(values.count - 1)
    }

    func text(_ id: Int32) -> String? {
        id < 0 ? nil : String(decoding: values[Int(id)], as: UTF8.self)
    }
}
