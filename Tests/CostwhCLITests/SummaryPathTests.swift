import CostwhModel
import CostwhPipeline
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// A load adds its summaries up in memory, or, past `COSTWH_SUMMARY_GROUPS` groups, by SQL at
/// the end. Both paths give the same summaries, and the summary views then agree with the rows.
@Suite(.serialized) struct SummaryPathTests {
    /// Loads two months of the synthetic estate, both metrics, with the given environment.
    static func load(db: String, in dir: TempDir, environment: [String: String]) throws {
        let estate = SyntheticEstate(scope: eaScope, resources: 200)
        for month in ["2023-09", "2023-10"] {
            for metric in [Metric.actualCost, .amortizedCost] {
                let file = dir.path("\(month)-\(metric.rawValue).csv")
                if !FileManager.default.fileExists(atPath: file) {
                    _ = try CostCSVWriter(
                        month: SyntheticMonth(estate: estate, period: try BillingPeriod(parsing: month), rows: 2_000)
                    ).write(metric, toFile: file)
                }
                let result = try runCostwh(
                    [
                        "load", file, "--scope", eaScope.id, "--period", month, "--metric",
                        metric == .actualCost ? "actual" : "amortized", "--db", db,
                    ], environment: environment)
                #expect(result.status == 0, "\(result.stderr)")
            }
        }
    }

    static let summaries = """
        SELECT 'daily', Date, BillingCurrency, ChargeType, PricingModel, ProductKey, NULL, NULL, NULL, CostUnits, Rows
        FROM summary_daily
        UNION ALL
        SELECT 'resource', NULL, BillingCurrency, ChargeType, PricingModel, ProductKey, AccountKey, ResourceKey, TagsKey, CostUnits, Rows
        FROM summary_resource
        ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
        """

    @Test func summariesAddedUpBySQLAreThoseAddedUpInMemory() throws {
        let dir = TempDir()
        let inMemory = dir.path("memory.sqlite"), bySQL = dir.path("sql.sqlite")
        try SummaryPathTests.load(db: inMemory, in: dir, environment: ["PATH": "/usr/bin:/bin"])
        try SummaryPathTests.load(
            db: bySQL, in: dir, environment: ["PATH": "/usr/bin:/bin", "COSTWH_SUMMARY_GROUPS": "3"])
        let a = try rows(inMemory, sql: SummaryPathTests.summaries).map { $0.description }
        let b = try rows(bySQL, sql: SummaryPathTests.summaries).map { $0.description }
        // Hundreds of daily groups per load: the SQL path was taken.
        #expect(a.count > 1_000)
        #expect(a == b)
        let problems = try summaryViewProblems(bySQL, tags: true)
        #expect(problems.isEmpty, "\(problems.prefix(5))")
    }

    @Test(.enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
    func summariesAddedUpByThePostgreSQLServerAgreeWithTheRows() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            try SummaryPathTests.load(
                db: url, in: dir, environment: ["PATH": "/usr/bin:/bin", "COSTWH_SUMMARY_GROUPS": "3"])
            let problems = try summaryViewProblems(url, tags: true)
            #expect(problems.isEmpty, "\(problems.prefix(5))")
        }
    }
}
