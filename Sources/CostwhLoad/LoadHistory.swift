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

    /// Adds the load `:load`'s totals from its summaries. Both stores run this text; only
    /// the day's spelling differs (PostgreSQL keeps dates as DATE).
    package static func insertSQL(_ dialect: SQLDialect) -> String {
        let day = dialect == .postgres ? "to_char(Date, 'YYYY-MM-DD')" : "Date"
        func byResource(_ breakdown: Breakdown, _ value: String, _ join: String) -> String {
            """
            SELECT s.LoadId, '\(breakdown.rawValue)', \(value), s.BillingCurrency, SUM(s.CostUnits), SUM(s.Rows)
            FROM summary_resource s \(join)
            WHERE s.LoadId = :load GROUP BY s.LoadId, \(value), s.BillingCurrency
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
            SELECT LoadId, 'charge-type', COALESCE(ChargeType, '') || '/' || COALESCE(PricingModel, ''), BillingCurrency,
                   SUM(CostUnits), SUM(Rows)
            FROM summary_daily WHERE LoadId = :load
            GROUP BY LoadId, COALESCE(ChargeType, '') || '/' || COALESCE(PricingModel, ''), BillingCurrency
            UNION ALL
            \(byResource(.subscription, "COALESCE(a.SubscriptionId, a.SubscriptionName)", "LEFT JOIN dim_account a ON a.AccountKey = s.AccountKey"))
            UNION ALL
            \(byResource(.resourceGroup, "r.ResourceGroup", "LEFT JOIN dim_resource r ON r.ResourceKey = s.ResourceKey"))
            UNION ALL
            \(byResource(.meterCategory, "m.MeterCategory", "LEFT JOIN dim_product m ON m.ProductKey = s.ProductKey"))
            """
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
