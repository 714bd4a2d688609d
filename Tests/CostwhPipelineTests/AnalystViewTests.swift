import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhSQLite
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// The analysts' fast path: `cost_summary` (each current load's summed rows, without Date)
/// and `cost_daily_summary` (per day and product) give what `cost_details` gives for the same
/// groups, after a reload too, on both stores.
@Suite struct AnalystViewTests {
    @Test func theSummaryViewAddsUpToTheCostRowsOnSQLite() throws {
        try withStore(.sqlite) { db in
            try loadSyntheticMonths(db)
            let problems = try summaryViewProblems(db, tags: true)
            #expect(problems.isEmpty, "\(problems.prefix(5))")
        }
    }

    @Test(.enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
    func theSummaryViewAddsUpToTheCostRowsOnPostgreSQL() throws {
        try withStore(.postgres) { db in
            try loadSyntheticMonths(db)
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
            try loadSyntheticMonths(db)
            let migration = try #require(CostDatabase.migrations.first { $0.identifier == "0006_analysts_view" }).sql
            let backfill = try #require(dailyBackfillStatements(migration))
            #expect(backfill.count == 2)
            let sql = """
                SELECT LoadId, Date, BillingCurrency, ChargeType, PricingModel, ProductKey, CostUnits, Rows, Cost
                FROM summary_daily ORDER BY 1, 2, 3, 4, 5, 6
                """
            let database = try CostDatabase(path: db)
            let before = try database.pool.read { try Row.fetchAll($0, sql: sql) }
            try database.pool.write { db in for statement in backfill { try db.execute(sql: statement) } }
            let after = try database.pool.read { try Row.fetchAll($0, sql: sql) }
            #expect(before.count > 100 && before.count == after.count)
            for (b, a) in zip(before, after) {
                #expect(Array(b.databaseValues.prefix(8)) == Array(a.databaseValues.prefix(8)), "\(b) ≠ \(a)")
                #expect(abs((b[8] as Double) - (a[8] as Double)) < 1e-6)
            }
        }
    }
}
