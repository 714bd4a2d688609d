import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import Testing

/// The analysts' fast path: `cost_summary` (each current load's summed rows, without Date)
/// gives what `cost_details` gives for the same groups, after a reload too, on both stores.
@Suite struct AnalystViewTests {
    /// Per group: the cost and the number of cost records, from each view.
    static func sums(_ db: String, view: String, group: String) throws -> [String: (cost: Double, rows: Int)] {
        let count = view == "cost_summary" ? "SUM(Rows)" : "COUNT(*)"
        let store = try DatabaseLocation.open(db)
        let table = try store.reading { reader in
            try reader.read(
                "SELECT \(group), SUM(CostInBillingCurrency), \(count) FROM \(view) GROUP BY \(group)", [:])
        }
        var out: [String: (cost: Double, rows: Int)] = [:]
        for row in table.rows {
            let key = row.dropLast(2).map { $0.string ?? "(null)" }.joined(separator: "|")
            out[key] = (row[row.count - 2].double ?? .nan, row[row.count - 1].int ?? -1)
        }
        return out
    }

    static func expectTheViewsAgree(_ db: String, extraGroups: [String] = []) throws {
        let groups = [
            "ResourceGroup", "SubscriptionId", "MeterCategory", "BillingPeriod, Metric, ChargeType, PricingModel",
        ]
        for group in groups + extraGroups {
            let rows = try sums(db, view: "cost_details", group: group)
            let summed = try sums(db, view: "cost_summary", group: group)
            #expect(rows.count > 1, "\(group): more than one group")
            #expect(Set(rows.keys) == Set(summed.keys), "\(group)")
            for (key, want) in rows {
                let got = summed[key]
                #expect(got?.rows == want.rows, "\(group) \(key)")
                #expect(
                    abs((got?.cost ?? .nan) - want.cost) < 1e-6, "\(group) \(key): \(String(describing: got)) \(want)")
            }
        }
    }

    /// Two months of the synthetic estate (many resource groups, meters, charge types,
    /// pricing models and tags), both metrics, and a reload.
    static func load(_ db: String) throws {
        let dir = TempDir()
        let estate = SyntheticEstate(scope: eaScope, resources: 300)
        for (month, rows) in [("2023-09", 3_000), ("2023-10", 2_000)] {
            let period = try BillingPeriod(parsing: month)
            for metric in [Metric.actualCost, .amortizedCost] {
                let file = dir.path("\(month)-\(metric.rawValue).csv")
                _ = try CostCSVWriter(month: SyntheticMonth(estate: estate, period: period, rows: rows))
                    .write(metric, toFile: file)
                _ = try loadFile(
                    db, file, scope: eaScope.id, period: month, metric: metric == .actualCost ? "actual" : "amortized")
            }
        }
        // A reload with other rows: the replaced load's summaries must not count.
        let file = dir.path("reload.csv")
        _ = try CostCSVWriter(
            month: SyntheticMonth(estate: estate, period: try BillingPeriod(parsing: "2023-10"), rows: 1_500)
        )
        .write(.amortizedCost, toFile: file)
        _ = try loadFile(db, file, scope: eaScope.id, period: "2023-10", metric: "amortized")
    }

    @Test func theSummaryViewAddsUpToTheCostRowsOnSQLite() throws {
        try withStore(.sqlite) { db in
            try AnalystViewTests.load(db)
            // A tag too, as analysts group by it (json_extract is SQLite's).
            try AnalystViewTests.expectTheViewsAgree(db, extraGroups: ["json_extract(Tags, '$.env')"])
        }
    }

    @Test(.enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
    func theSummaryViewAddsUpToTheCostRowsOnPostgreSQL() throws {
        try withStore(.postgres) { db in
            try AnalystViewTests.load(db)
            try AnalystViewTests.expectTheViewsAgree(db)
        }
    }
}
