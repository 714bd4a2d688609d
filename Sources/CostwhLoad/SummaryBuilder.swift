import CostwhBytes
import CostwhModel
import CostwhTransform
import Foundation

/// Adds up each load's rows into `summary_daily` and `summary_resource` while they stream
/// past, so the canned queries never scan the fact table.
///
/// The daily summary is kept per product too: analysts' daily questions by meter or service
/// (`cost_daily_summary`) then read about a hundredth of the rows.
///
/// Rows are added on the parsing thread, a batch at a time before it is sent (`add(_:)`),
/// keyed by their dimensions' 128-bit hashes; the store turns each group's hashes into its
/// dimension keys once, when it writes the summaries (`dailyRows(keys:)`). The writing thread
/// is a load's bottleneck, and this table's probes miss the processor's cache for nearly
/// every row (the resource summary holds tens of thousands of groups): here they overlap
/// with SQLite's work instead of adding to it.
package final class SummaryBuilder {
    /// A dimension's hash in a summary key; zero for none (a row without that dimension).
    struct DimensionHash: Equatable {
        let high: UInt64
        let low: UInt64

        init(_ hash: Hash128?) {
            high = hash?.high ?? 0
            low = hash?.low ?? 0
        }

        var hash: Hash128? { high == 0 && low == 0 ? nil : Hash128(high: high, low: low) }
        var mixed: UInt64 { high ^ (low &* 0x9E37_79B9_7F4A_7C15) }
    }

    struct DailyKey: SummaryKey {
        let date: Int32
        let currency: Int32
        let chargeType: Int32
        let pricingModel: Int32
        let product: DimensionHash

        var mixed: UInt64 {
            var h = UInt64(UInt32(bitPattern: date)) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ UInt64(UInt32(bitPattern: currency))) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ UInt64(UInt32(bitPattern: chargeType))) &* 0x94D0_49BB_1331_11EB
            h = (h ^ UInt64(UInt32(bitPattern: pricingModel))) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ product.mixed) &* 0xBF58_476D_1CE4_E5B9
            return h ^ (h >> 31)
        }
    }

    struct ResourceKey: SummaryKey {
        let currency: Int32
        let chargeType: Int32
        let pricingModel: Int32
        let account: DimensionHash
        let resource: DimensionHash
        let product: DimensionHash
        let tags: DimensionHash

        // One mixed word instead of seven fields through SipHash: this runs per row.
        var mixed: UInt64 {
            var h = UInt64(UInt32(bitPattern: currency)) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ UInt64(UInt32(bitPattern: chargeType))) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ UInt64(UInt32(bitPattern: pricingModel))) &* 0x94D0_49BB_1331_11EB
            h = (h ^ account.mixed) &* 0x9E37_79B9_7F4A_7C15
            h = (h ^ resource.mixed) &* 0xBF58_476D_1CE4_E5B9
            h = (h ^ product.mixed) &* 0x94D0_49BB_1331_11EB
            h = (h ^ tags.mixed) &* 0x9E37_79B9_7F4A_7C15
            return h ^ (h >> 31)
        }
    }

    struct Sum {
        var cost = 0.0
        var units: Int64 = 0
        var rows = 0
    }

    /// Everything a row changes, in one stored value: each access to a class's `var` is an
    /// exclusivity check at run time, so a batch takes one access to this, not five per row.
    struct Tables {
        var daily: BoundedSums<DailyKey>
        var resources: BoundedSums<ResourceKey>
        var strings = Interner()
        /// Each field's last id: rows come in runs of the same currency, charge type and model.
        var lastCurrency: Int32 = -1
        var lastChargeType: Int32 = -1
        var lastPricingModel: Int32 = -1

        /// Every row of a batch; `columns` are the date's, currency's, charge type's and
        /// pricing model's.
        mutating func add(_ batch: RowBatch, columns: (Int, Int, Int, Int)) {
            let account = HashedDimension.account.rawValue, resource = HashedDimension.resource.rawValue
            let product = HashedDimension.product.rawValue, tags = HashedDimension.tags.rawValue
            for i in 0..<batch.count {
                add(
                    date: batch.value(i, columns.0), currency: batch.value(i, columns.1),
                    chargeType: batch.value(i, columns.2), pricingModel: batch.value(i, columns.3),
                    cost: batch.costs[i],
                    hashes: (batch.hash(i, account), batch.hash(i, resource), batch.hash(i, product), batch.hash(i, tags)))
            }
        }

        @inline(__always)
        mutating func add(
            date: ByteSlice, currency: ByteSlice, chargeType: ByteSlice, pricingModel: ByteSlice, cost: Double,
            hashes: (Hash128?, Hash128?, Hash128?, Hash128?)
        ) {
            let c = strings.id(currency, after: &lastCurrency)
            let t = strings.id(chargeType, after: &lastChargeType)
            let p = strings.id(pricingModel, after: &lastPricingModel)
            let units = CostUnits.of(cost)
            let d = SummaryBuilder.dateNumber(date)
            let product = DimensionHash(hashes.2)
            daily.add(DailyKey(date: d, currency: c, chargeType: t, pricingModel: p, product: product), cost, units)
            guard !resources.overflowed else { return }
            let key = ResourceKey(
                currency: c, chargeType: t, pricingModel: p, account: DimensionHash(hashes.0),
                resource: DimensionHash(hashes.1), product: product, tags: DimensionHash(hashes.3))
            resources.add(key, cost, units)
        }
    }

    private var tables: Tables
    private var daily: BoundedSums<DailyKey> { tables.daily }
    private var resources: BoundedSums<ResourceKey> { tables.resources }
    private var strings: Interner { tables.strings }
    private let dateColumn = Catalog.index[Catalog.date]!
    private let currencyColumn = Catalog.index[Catalog.currency]!
    private let chargeTypeColumn = Catalog.index[Catalog.chargeType]!
    private let pricingModelColumn = Catalog.index[Catalog.pricingModel]!

    /// Whether the resource summary outgrew its bound: the store adds it up by SQL.
    package var overflowed: Bool { tables.resources.overflowed }
    /// Whether the daily summary outgrew its bound: the store adds it up by SQL.
    package var dailyOverflowed: Bool { tables.daily.overflowed }

    /// Past these many groups a summary is added up by SQL at the end instead, so memory
    /// stays bounded.
    package init(maxResourceGroups: Int, maxDailyGroups: Int) {
        tables = Tables(daily: BoundedSums(limit: maxDailyGroups), resources: BoundedSums(limit: maxResourceGroups))
    }

    /// 150,000 groups each (about 30 MB for the resource summary's slots, 8 for the daily one), or `COSTWH_SUMMARY_GROUPS`: a lower bound
    /// for a machine short of memory, and the way tests reach the SQL path.
    package convenience init() {
        let limit = ProcessInfo.processInfo.environment["COSTWH_SUMMARY_GROUPS"].flatMap { Int($0) } ?? 150_000
        self.init(maxResourceGroups: limit, maxDailyGroups: limit)
    }

    /// Adds every row of a batch.
    package func add(_ batch: RowBatch) {
        tables.add(batch, columns: (dateColumn, currencyColumn, chargeTypeColumn, pricingModelColumn))
    }

    /// An ISO date as the number yyyymmdd (0 if it is not ten bytes): digits by position,
    /// without an array of positions (which this per-row path would allocate).
    @inline(__always)
    static func dateNumber(_ date: ByteSlice) -> Int32 {
        guard let b = date.base, date.count == 10 else { return 0 }
        @inline(__always) func digit(_ i: Int) -> Int32 { Int32(b[i] &- 0x30) }
        let year = ((digit(0) &* 10 &+ digit(1)) &* 10 &+ digit(2)) &* 10 &+ digit(3)
        return (year &* 100 &+ digit(5) &* 10 &+ digit(6)) &* 100 &+ digit(8) &* 10 &+ digit(9)
    }

    /// A dimension's key in the store for the hash of its values; the store wrote that row
    /// with the load's facts.
    package typealias Keys = (HashedDimension, Hash128) throws -> Int64

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
    package func dailyRows(keys: Keys) throws -> [DailyRow] {
        try daily.sums.map { key, sum in
            (
                SummaryBuilder.isoDate(key.date), strings.text(key.currency), strings.text(key.chargeType),
                strings.text(key.pricingModel), try SummaryBuilder.key(.product, key.product, keys), sum.cost,
                sum.units, sum.rows
            )
        }
    }

    /// A dimension's key, nil for none.
    static func key(_ d: HashedDimension, _ hash: DimensionHash, _ keys: Keys) throws -> Int64? {
        guard let hash = hash.hash else { return nil }
        return try keys(d, hash)
    }

    static func isoDate(_ date: Int32) -> String {
        let y = date / 10000, m = date / 100 % 100, d = date % 100
        return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }

    /// The resource summary rows; empty once `overflowed` (the store then builds them by SQL).
    package func resourceRows(keys: Keys) throws -> [ResourceRow] {
        try resources.sums.map { k, sum in
            (
                strings.text(k.currency), strings.text(k.chargeType), strings.text(k.pricingModel),
                try SummaryBuilder.key(.account, k.account, keys), try SummaryBuilder.key(.resource, k.resource, keys),
                try SummaryBuilder.key(.product, k.product, keys), try SummaryBuilder.key(.tags, k.tags, keys),
                sum.cost, sum.units, sum.rows
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
///
/// A slot holds its key and its sum together: the resource summary has tens of thousands of
/// groups, megabytes of table, and rows come in no order, so nearly every row's probe misses
/// the processor's cache; with keys and sums in two arrays it missed twice.
struct BoundedSums<Key: SummaryKey> {
    struct Slot {
        var key: Key?
        var sum = SummaryBuilder.Sum()
    }

    private var slots: [Slot]
    private var mask: Int
    private(set) var count = 0
    let limit: Int
    private(set) var overflowed = false

    init(limit: Int) {
        self.limit = limit
        slots = Array(repeating: Slot(), count: 1024)
        mask = 1023
    }

    /// Every key and its sum, in no particular order.
    var sums: [(key: Key, value: SummaryBuilder.Sum)] {
        var out: [(key: Key, value: SummaryBuilder.Sum)] = []
        out.reserveCapacity(count)
        for slot in slots {
            if let key = slot.key { out.append((key, slot.sum)) }
        }
        return out
    }

    @inline(__always)
    mutating func add(_ key: Key, _ cost: Double, _ units: Int64) {
        guard !overflowed else { return }
        var i = Int(truncatingIfNeeded: key.mixed) & mask
        while let existing = slots[i].key {
            if existing == key {
                slots[i].sum.add(cost, units)
                return
            }
            i = (i + 1) & mask
        }
        slots[i].key = key
        slots[i].sum = SummaryBuilder.Sum()
        slots[i].sum.add(cost, units)
        count += 1
        if count > limit {
            overflowed = true
            self = BoundedSums(limit: limit, overflowed: true)
        } else if count * 10 > slots.count * 7 {
            grow()
        }
    }

    private init(limit: Int, overflowed: Bool) {
        self.init(limit: limit)
        self.overflowed = overflowed
    }

    private mutating func grow() {
        let old = sums
        slots = Array(repeating: Slot(), count: slots.count * 2)
        mask = slots.count - 1
        for (key, sum) in old {
            var i = Int(truncatingIfNeeded: key.mixed) & mask
            while slots[i].key != nil { i = (i + 1) & mask }
            slots[i] = Slot(key: key, sum: sum)
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
package struct Interner {
    private var values: [[UInt8]] = []
    private let nullId: Int32 = -1

    /// The id of `slice`'s text; `last` is tried first and becomes the id.
    @inline(__always)
    mutating func id(_ slice: ByteSlice, after last: inout Int32) -> Int32 {
        guard let base = slice.base else { return nullId }
        let bytes = UnsafeBufferPointer(start: base, count: slice.count)
        if last >= 0, Interner.same(values[Int(last)], bytes) { return last }
        for (i, v) in values.enumerated() where Interner.same(v, bytes) {
            last = Int32(i)
            return last
        }
        values.append(Array(bytes))
        last = Int32(values.count - 1)
        return last
    }

    /// Whether the bytes are equal: `memcmp` (`elementsEqual` compares them one at a time).
    @inline(__always)
    package static func same(_ a: [UInt8], _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        a.count == b.count && (b.isEmpty || a.withUnsafeBufferPointer { memcmp($0.baseAddress!, b.baseAddress!, b.count) == 0 })
    }

    func text(_ id: Int32) -> String? {
        id < 0 ? nil : String(decoding: values[Int(id)], as: UTF8.self)
    }
}
