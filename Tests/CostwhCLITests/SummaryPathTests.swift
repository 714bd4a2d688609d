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
        // The history: added up from the summaries in memory on one path, by SQL on the other.
        let history = try rows(inMemory, sql: SummaryPathTests.history).map { $0[1] as String }
        #expect(history.count > 100)
        #expect(history == (try rows(bySQL, sql: SummaryPathTests.history).map { $0[1] as String }))
    }

    /// Every load's history rows and fingerprint, in the order of the loads.
    static let history = """
        SELECT LoadId, quote(Breakdown) || ', ' || quote(GroupValue) || ', ' || quote(BillingCurrency) || ', '
            || CostUnits || ', ' || Rows AS r FROM load_totals
        UNION ALL
        SELECT LoadId, 'fingerprint ' || TotalsHash FROM loads
        ORDER BY 1, 2
        """

    /// Rows whose groups are NULL or empty, a subscription known by its name only or by two
    /// names, two currencies and none, a refund: the history added up in memory from the
    /// summaries is the one SQL adds up from the summary tables, row for row and fingerprint.
    @Test func historyAddedUpInMemoryIsTheOneSQLAddsUp() throws {
        let dir = TempDir()
        let file = dir.path("edge.csv")
        try """
            SubscriptionId,SubscriptionName,Date,MeterCategory,Cost,BillingCurrency,ResourceGroup,ResourceId,ChargeType,PricingModel
            sub-1,Alpha,2026-10-01,Storage,1.25,USD,rg-a,/subscriptions/sub-1/resourceGroups/rg-a/x,Usage,OnDemand
            sub-1,Alpha,2026-10-01,Storage,2.5,EUR,rg-a,/subscriptions/sub-1/resourceGroups/rg-a/x,Usage,OnDemand
            ,NameOnly,2026-10-02,,3.000001,USD,,,,
            ,NameOnly,2026-10-02,Compute,-0.75,USD,RG-A,/subscriptions/x/resourceGroups/RG-A/y,Refund,
            sub-2,Beta,2026-10-03,Compute,4,EUR,rg-b,/subscriptions/sub-2/resourceGroups/rg-b/z,,Reservation
            sub-2,Beta2,2026-10-03,Compute,5,,rg-b,/subscriptions/sub-2/resourceGroups/rg-b/z,Purchase,Reservation

            """.write(toFile: file, atomically: true, encoding: .utf8)
        var histories: [[String]] = []
        for (name, groups) in [("memory", nil), ("sql", "1")] as [(String, String?)] {
            let db = dir.path("\(name).sqlite")
            var environment = ["PATH": "/usr/bin:/bin"]
            environment["COSTWH_SUMMARY_GROUPS"] = groups
            let result = try runCostwh(
                ["load", file, "--scope", eaScope.id, "--period", "2026-10", "--metric", "actual", "--db", db],
                environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            histories.append(try rows(db, sql: SummaryPathTests.history).map { $0[1] as String })
        }
        #expect(histories[0] == histories[1])
        let memory = histories[0].joined(separator: "\n")
        // The groups SQL's GROUP BY makes of NULLs, names and currencies are all there.
        #expect(histories[0].count == 32)
        #expect(memory.contains("'subscription', 'NameOnly', 'USD', 2250001, 2"))
        #expect(memory.contains("'subscription', 'sub-2', NULL, 5000000, 1"))
        #expect(memory.contains("'resource-group', NULL, 'USD', 3000001, 1"))
        #expect(memory.contains("'charge-type', '/', 'USD', 3000001, 1"))
        #expect(memory.contains("'total', NULL, NULL, 5000000, 1"))
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
