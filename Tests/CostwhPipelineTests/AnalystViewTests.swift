import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// The analysts' fast path: `cost_summary` (each current load's summed rows, without Date)
/// and `cost_daily_summary` (per day and product) give what `cost_details` gives for the same
/// groups, after a reload too, on both stores.
@Suite struct AnalystViewTests {
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
            let problems = try summaryViewProblems(db, tags: true)
            #expect(problems.isEmpty, "\(problems.prefix(5))")
        }
    }

    @Test(.enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
    func theSummaryViewAddsUpToTheCostRowsOnPostgreSQL() throws {
        try withStore(.postgres) { db in
            try AnalystViewTests.load(db)
            let problems = try summaryViewProblems(db, tags: true)
            #expect(problems.isEmpty, "\(problems.prefix(5))")
        }
    }
}

/// The 0006 migration rebuilds the current loads' daily summaries per product from their fact
/// rows; run again on a loaded warehouse, its SQL gives exactly what the loader wrote.
@Suite struct DailyBackfillTests {
    @Test func theMigrationsBackfillIsWhatTheLoaderWrites() throws {
        try withStore(.sqlite) { db in
            try AnalystViewTests.load(db)
            let migration = try #require(CostDatabase.migrations.first { $0.identifier == "0006_analysts_view" }).sql
            let start = try #require(migration.range(of: "DELETE FROM summary_daily"))
            let insert = try #require(
                migration.range(of: "INSERT INTO summary_daily", range: start.upperBound..<migration.endIndex))
            let end = try #require(migration.range(of: ";\n", range: insert.upperBound..<migration.endIndex))
            let backfill = String(migration[start.lowerBound..<end.upperBound])
            let sql = """
                SELECT LoadId, Date, BillingCurrency, ChargeType, PricingModel, ProductKey, CostUnits, Rows, Cost
                FROM summary_daily ORDER BY 1, 2, 3, 4, 5, 6
                """
            let database = try CostDatabase(path: db)
            let before = try database.pool.read { try Row.fetchAll($0, sql: sql) }
            try database.pool.write { try $0.execute(sql: backfill) }
            let after = try database.pool.read { try Row.fetchAll($0, sql: sql) }
            #expect(before.count > 100 && before.count == after.count)
            for (b, a) in zip(before, after) {
                #expect(Array(b.databaseValues.prefix(8)) == Array(a.databaseValues.prefix(8)), "\(b) ≠ \(a)")
                #expect(abs((b[8] as Double) - (a[8] as Double)) < 1e-6)
            }
        }
    }
}
