import CostwhBytes
import CostwhModel

/// What stays of every successful load after its rows are purged: its totals per breakdown
/// group, in `load_totals`, written in the load's own transaction (so a killed load leaves
/// none), and a fingerprint of them in `loads.TotalsHash`, so finding the loads that differ
/// from their predecessor compares one value instead of two sets of rows.
///
/// The totals are built from the load's summaries, not its fact rows: a few thousand rows
/// per load, whatever the number of cost records (the benchmark measures it: H1, H2).
package enum LoadHistory {
    /// The groups a load's totals are kept by; `total` is the partition itself, per currency.
    package enum Breakdown: String, CaseIterable, Sendable {
        case total, day
        case chargeType = "charge-type"
        case subscription
        case resourceGroup = "resource-group"
        case meterCategory = "meter-category"

        /// The breakdowns `costwh changes --by` offers.
        package static var groupings: [Breakdown] { allCases.filter { $0 != .total } }
    }

    /// The breakdowns of the resource summary: the dimension each names its groups by, and
    /// the group's value in that dimension's row (aliased `d`). `insertSQL` joins them; a store
    /// adding the totals up in memory (`Accumulator`) looks each key up with `valueSQL`.
    package static let resourceBreakdowns: [(breakdown: Breakdown, table: String, key: String, value: String)] = [
        (.subscription, "dim_account", "AccountKey", "COALESCE(d.SubscriptionId, d.SubscriptionName)"),
        (.resourceGroup, "dim_resource", "ResourceKey", "d.ResourceGroup"),
        (.meterCategory, "dim_product", "ProductKey", "d.MeterCategory"),
    ]

    /// The group value of one dimension row, by its key (one positional parameter).
    package static func valueSQL(_ breakdown: Breakdown) -> String? {
        resourceBreakdowns.first { $0.breakdown == breakdown }.map { b in
            "SELECT \(b.value) FROM \(b.table) d WHERE d.\(b.key) = ?"
        }
    }

    /// Between a charge type and a pricing model in the charge-type breakdown's groups (the
    /// SQL and `Accumulator` both spell it from here).
    package static let chargeTypeSeparator = "/"

    /// One row of `load_totals`, in `rowsSQL`'s order after the load (positional parameters).
    package static let insertRowSQL =
        "INSERT INTO load_totals (LoadId, Breakdown, GroupValue, BillingCurrency, CostUnits, Rows) VALUES (?, ?, ?, ?, ?, ?)"

    /// Adds the load `:load`'s totals from its summaries. Both stores run this text; only
    /// the day's spelling differs (PostgreSQL keeps dates as DATE).
    package static func insertSQL(_ dialect: SQLDialect) -> String {
        let day = dialect == .postgres ? "to_char(Date, 'YYYY-MM-DD')" : "Date"
        func byResource(_ breakdown: Breakdown) -> String {
            let b = resourceBreakdowns.first { $0.breakdown == breakdown }!
            return """
                SELECT s.LoadId, '\(breakdown.rawValue)', \(b.value), s.BillingCurrency, SUM(s.CostUnits), SUM(s.Rows)
                FROM summary_resource s LEFT JOIN \(b.table) d ON d.\(b.key) = s.\(b.key)
                WHERE s.LoadId = :load GROUP BY s.LoadId, \(b.value), s.BillingCurrency
                """
        }
        return """
            INSERT INTO load_totals (LoadId, Breakdown, GroupValue, BillingCurrency, CostUnits, Rows)
            SELECT LoadId, 'total', CAST(NULL AS TEXT), BillingCurrency, SUM(CostUnits), SUM(Rows)
            FROM summary_daily WHERE LoadId = :load GROUP BY LoadId, BillingCurrency
            UNION ALL
            SELECT LoadId, 'day', \(day), BillingCurrency, SUM(CostUnits), SUM(Rows)
            FROM summary_daily WHERE LoadId = :load GROUP BY LoadId, \(day), BillingCurrency
            UNION ALL
            SELECT LoadId, 'charge-type', COALESCE(ChargeType, '') || '\(chargeTypeSeparator)' || COALESCE(PricingModel, ''), BillingCurrency,
                   SUM(CostUnits), SUM(Rows)
            FROM summary_daily WHERE LoadId = :load
            GROUP BY LoadId, COALESCE(ChargeType, '') || '\(chargeTypeSeparator)' || COALESCE(PricingModel, ''), BillingCurrency
            UNION ALL
            \(byResource(.subscription))
            UNION ALL
            \(byResource(.resourceGroup))
            UNION ALL
            \(byResource(.meterCategory))
            """
    }

    /// A load's totals added up from its summary rows as a store writes them, without reading
    /// them back: the groups and integer sums `insertSQL` makes of the same rows (SQL's
    /// `SUM` of integers, exact; an overflow is an error as it is there), in `rowsSQL`'s shape.
    /// The resource summary's rows are first added up by dimension key, so each key's group
    /// value is looked up once.
    package struct Accumulator {
        struct Group: Hashable {
            let breakdown: Breakdown
            let value: String?
            let currency: String?
        }
        struct ByKey: Hashable {
            let key: Int64?
            let currency: String?
        }
        private var groups: [Group: (units: Int64, rows: Int64)] = [:]
        private var bySubscription: [ByKey: (units: Int64, rows: Int64)] = [:]
        private var byResourceGroup: [ByKey: (units: Int64, rows: Int64)] = [:]
        private var byMeterCategory: [ByKey: (units: Int64, rows: Int64)] = [:]

        /// A sum past 2^63 millionths, which SQL's SUM refuses too.
        package struct Overflow: Error, CustomStringConvertible {
            package var description: String { "a load total overflows 64-bit integer millionths" }
        }

        package init() {}

        /// Adds to a sum in place (one lookup of its group).
        private static func add(_ sum: inout (units: Int64, rows: Int64), _ units: Int64, _ rows: Int64) throws {
            let (u, uOver) = sum.units.addingReportingOverflow(units)
            let (r, rOver) = sum.rows.addingReportingOverflow(rows)
            if uOver || rOver { throw Overflow() }
            sum = (u, r)
        }

        /// One summary_daily row: the total, day and charge-type breakdowns.
        package mutating func addDaily(
            date: String, currency: String?, chargeType: String?, pricingModel: String?, units: Int64, rows: Int
        ) throws {
            let n = Int64(rows)
            try Accumulator.add(&groups[Group(breakdown: .total, value: nil, currency: currency), default: (0, 0)], units, n)
            try Accumulator.add(&groups[Group(breakdown: .day, value: date, currency: currency), default: (0, 0)], units, n)
            let charge = (chargeType ?? "") + LoadHistory.chargeTypeSeparator + (pricingModel ?? "")
            try Accumulator.add(
                &groups[Group(breakdown: .chargeType, value: charge, currency: currency), default: (0, 0)], units, n)
        }

        /// One summary_resource row, by the keys of its account, resource and product.
        package mutating func addResource(
            currency: String?, account: Int64?, resource: Int64?, product: Int64?, units: Int64, rows: Int
        ) throws {
            let n = Int64(rows)
            try Accumulator.add(&bySubscription[ByKey(key: account, currency: currency), default: (0, 0)], units, n)
            try Accumulator.add(&byResourceGroup[ByKey(key: resource, currency: currency), default: (0, 0)], units, n)
            try Accumulator.add(&byMeterCategory[ByKey(key: product, currency: currency), default: (0, 0)], units, n)
        }

        /// The totals as `rowsSQL` reads them: Breakdown, GroupValue, BillingCurrency, CostUnits,
        /// Rows. `value` gives a dimension row's group value by its key (nil: NULL or no row, as
        /// the LEFT JOIN gives).
        package func rows(value: (Breakdown, Int64) throws -> String?) throws -> [[StoreValue]] {
            var all = self
            for (breakdown, sums) in [
                (Breakdown.subscription, bySubscription), (.resourceGroup, byResourceGroup), (.meterCategory, byMeterCategory),
            ] {
                var values: [Int64: String?] = [:]
                for (k, sum) in sums {
                    var name: String?
                    if let key = k.key {
                        if let known = values[key] {
                            name = known
                        } else {
                            name = try value(breakdown, key)
                            values[key] = name
                        }
                    }
                    try Accumulator.add(
                        &all.groups[Group(breakdown: breakdown, value: name, currency: k.currency), default: (0, 0)],
                        sum.units, sum.rows)
                }
            }
            return all.groups.map { group, sum in
                [
                    .text(group.breakdown.rawValue), group.value.map(StoreValue.text) ?? .null,
                    group.currency.map(StoreValue.text) ?? .null, .integer(sum.units), .integer(sum.rows),
                ]
            }
        }
    }

    /// Whether a migration is the one that adds the history; after its SQL, the store
    /// writes the history of the loads current then, which the SQL cannot fingerprint.
    package static func beginsWith(_ migration: String) -> Bool { migration.hasSuffix("_restatements") }

    /// The rows `fingerprint` hashes.
    package static let rowsSQL =
        "SELECT Breakdown, GroupValue, BillingCurrency, CostUnits, Rows FROM load_totals WHERE LoadId = :load"

    /// Records the fingerprint in the ledger row.
    package static let fingerprintSQL = "UPDATE loads SET TotalsHash = :hash WHERE LoadId = :load"

    /// A hash of a load's totals that does not depend on the order the rows come back in
    /// (a sum of per-row hashes), so both stores, whatever their collation, agree. Two loads
    /// with the same fingerprint have the same totals in every group.
    package static func fingerprint(_ rows: [[StoreValue]]) -> String {
        var sum: UInt64 = 0
        var count: UInt64 = 0
        for row in rows {
            var bytes: [UInt8] = []
            for value in row {
                switch value {
                case .null: bytes.append(0)
                case .integer(let v): bytes += [1] + Array(String(v).utf8)
                case .real(let v): bytes += [1] + Array(String(Int64(v)).utf8)
                case .text(let s): bytes += [2] + Array(s.utf8)
                case .blob(let b): bytes += [3] + b
                }
                bytes.append(0x1F)
            }
            sum &+= bytes.withUnsafeBytes { XXH64.hash($0, seed: 0x636F_7374_7768) }
            count += 1
        }
        return String(count, radix: 16) + "-" + String(sum, radix: 16)
    }
}

/// The warehouse's settings that views read (table `settings`).
package enum Settings {
    package static let settleDays = "settleDays"
    package static let upsertSQL = """
        INSERT INTO settings (Name, Value) VALUES (:name, :value)
        ON CONFLICT (Name) DO UPDATE SET Value = excluded.Value
        """
}
