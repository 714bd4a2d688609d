import CostwhLoad
import CostwhModel
import CostwhPostgres
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import Testing

/// A month's question reads only that month (#31): `cost_fact` is partitioned by billing
/// period and each period's table by load, and `cost_details` reads the fact rows through
/// `cost_fact_periods`, which gives each period's rows with their period as a constant, so the
/// planner prunes at plan time and tests no row. Checked in the plans PostgreSQL makes, in the
/// answers, in what a load's table stores, and across the migration that moved existing loads.
@Suite(.serialized, .enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
struct PostgresPruningTests {
    /// The load tables a query's plan reads (`cost_fact_l<LoadId>`).
    static func loadsRead(_ store: PostgresStore, _ sql: String) throws -> Set<Int64> {
        let plan = try store.query("EXPLAIN " + sql).rows.compactMap { $0.first?.string }.joined(separator: "\n")
        var found: Set<Int64> = []
        var rest = plan[...]
        while let hit = rest.range(of: "cost_fact_l") {
            let digits = rest[hit.upperBound...].prefix { $0.isNumber }
            if let id = Int64(digits) { found.insert(id) }
            rest = rest[hit.upperBound...]
        }
        return found
    }

    /// Whether a query's plan tests BillingPeriod on fact rows (a `Filter` naming it).
    static func testsPeriodPerRow(_ store: PostgresStore, _ sql: String) throws -> Bool {
        try store.query("EXPLAIN " + sql).rows.compactMap { $0.first?.string }.contains {
            $0.contains("Filter") && $0.contains("billingperiod")
        }
    }

    /// The periods `cost_fact_periods` names in its own branches.
    static func periodsNamed(_ store: PostgresStore) throws -> String? {
        try store.query("SELECT obj_description('cost_fact_periods'::regclass, 'pg_class')").rows.first?[0].string
    }

    static let months = ["2023-08", "2023-09", "2023-10"]

    @Test func aMonthsQuestionReadsOnlyThatMonthsLoads() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let estate = SyntheticEstate(scope: eaScope, resources: 50)
            var loads: [String: [LoadSummary]] = [:]
            for (index, month) in PostgresPruningTests.months.enumerated() {
                for metric in [Metric.actualCost, .amortizedCost] {
                    let file = dir.path("\(month)-\(metric.rawValue).csv")
                    _ = try CostCSVWriter(
                        month: SyntheticMonth(
                            estate: estate, period: try BillingPeriod(parsing: month), rows: 300 + index * 50)
                    ).write(metric, toFile: file)
                    loads[month, default: []] += try loadFile(
                        url, file, scope: eaScope.id, period: month,
                        metric: metric == .actualCost ? "actual" : "amortized")
                }
            }
            let store = try TestPostgres.store(url)
            let ids = loads.mapValues { Set($0.map(\.loadId)) }
            let total = "SELECT SUM(CostInBillingCurrency), COUNT(*) FROM cost_details"
            #expect(try PostgresPruningTests.loadsRead(store, total).count == 6, "the whole warehouse reads every load")
            for month in PostgresPruningTests.months {
                let sql = "\(total) WHERE BillingPeriod = '\(month)'"
                #expect(try PostgresPruningTests.loadsRead(store, sql) == ids[month], "\(month)")
                let answer = try #require(try store.query(sql).rows.first)
                let expected = loads[month, default: []].reduce(0) { $0 + $1.costTotal }
                #expect(abs((answer[0].double ?? .nan) - expected) < 1e-6)
                #expect(answer[1].int == loads[month, default: []].reduce(0) { $0 + $1.rowsLoaded })
            }
            // Each period's rows come with their period as a constant, so the filter is folded
            // when the query is planned, not tested on each row (migration 0011).
            #expect(try PostgresPruningTests.periodsNamed(store) == "costwh periods: 2023-08,2023-09,2023-10")
            for filter in [
                "= '2023-09'", "BETWEEN '2023-08' AND '2023-10'", "IN ('2023-08', '2023-10')", "> '2023-08'",
            ] {
                let sql = "\(total) WHERE BillingPeriod \(filter)"
                #expect(try !PostgresPruningTests.testsPeriodPerRow(store, sql), "\(filter)")
            }
            let two = "\(total) WHERE BillingPeriod BETWEEN '2023-09' AND '2023-10' AND Metric = 'ActualCost'"
            #expect(
                try PostgresPruningTests.loadsRead(store, two).isSubset(
                    of: ids["2023-09", default: []].union(ids["2023-10", default: []])))
            #expect(
                try PostgresPruningTests.loadsRead(store, "\(total) WHERE BillingPeriod IN ('2023-08')")
                    == ids["2023-08"])
            // The period is the table's default, kept in the catalog, not in the load's rows.
            for id in ids.values.flatMap({ $0 }) {
                let column = try store.query(
                    """
                    SELECT a.atthasmissing FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
                    WHERE c.relname = $1 AND a.attname = 'billingperiod' AND NOT a.attisdropped
                    """, [.text("cost_fact_l\(id)")])
                #expect(column.rows.first?[0].int == 1, "cost_fact_l\(id) stores its period in every row")
            }
        }
    }

    /// A reader holding `cost_details` keeps the first load of a new period from naming it in
    /// `cost_fact_periods` (replacing the view waits for readers). The load still succeeds,
    /// its rows are read through the view's last branch, pruned to its table and tested per
    /// row, and a later load names the period once the reader has gone.
    @Test func aNewPeriodIsReadBeforeTheViewNamesIt() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let estate = SyntheticEstate(scope: eaScope, resources: 30)
            func load(_ month: String, _ metric: Metric) throws -> LoadSummary {
                let file = dir.path("\(month)-\(metric.rawValue).csv")
                _ = try CostCSVWriter(
                    month: SyntheticMonth(estate: estate, period: try BillingPeriod(parsing: month), rows: 120)
                ).write(metric, toFile: file)
                return try #require(
                    try loadFile(
                        url, file, scope: eaScope.id, period: month,
                        metric: metric == .actualCost ? "actual" : "amortized"
                    ).first)
            }
            let august = try load("2023-08", .actualCost)
            let store = try TestPostgres.store(url)
            #expect(try PostgresPruningTests.periodsNamed(store) == "costwh periods: 2023-08")

            let reader = try TestPostgres.store(url)
            try reader.execute("BEGIN")
            _ = try reader.query("SELECT COUNT(*) FROM cost_details")
            let september = try load("2023-09", .actualCost)
            #expect(september.status == .succeeded)
            #expect(
                try PostgresPruningTests.periodsNamed(store) == "costwh periods: 2023-08", "the reader held the view")
            let month = "SELECT SUM(CostInBillingCurrency), COUNT(*) FROM cost_details WHERE BillingPeriod = '2023-09'"
            #expect(try PostgresPruningTests.loadsRead(store, month) == [september.loadId])
            #expect(try PostgresPruningTests.testsPeriodPerRow(store, month))
            var answer = try #require(try store.query(month).rows.first)
            #expect(abs((answer[0].double ?? .nan) - september.costTotal) < 1e-6)
            #expect(answer[1].int == september.rowsLoaded)
            let all = try #require(try store.query("SELECT COUNT(*) FROM cost_details").rows.first)
            #expect(all[0].int == august.rowsLoaded + september.rowsLoaded, "no row read twice or missed")
            try reader.execute("COMMIT")

            let amortized = try load("2023-09", .amortizedCost)
            #expect(try PostgresPruningTests.periodsNamed(store) == "costwh periods: 2023-08,2023-09")
            #expect(try !PostgresPruningTests.testsPeriodPerRow(store, month))
            #expect(try PostgresPruningTests.loadsRead(store, month) == [september.loadId, amortized.loadId])
            answer = try #require(try store.query(month).rows.first)
            #expect(abs((answer[0].double ?? .nan) - september.costTotal - amortized.costTotal) < 1e-6)
            #expect(answer[1].int == september.rowsLoaded + amortized.rowsLoaded)
        }
    }

    /// The planner's estimate of the rows a query's plan joins to `partitions`: the `rows=` of
    /// the join node whose condition names `p.loadid` (the line before the condition's).
    static func partitionJoinEstimate(_ store: PostgresStore, _ sql: String) throws -> Double? {
        let lines = try store.query("EXPLAIN " + sql).rows.compactMap { $0.first?.string }
        guard let condition = lines.firstIndex(where: { $0.contains("Cond:") && $0.contains("p.loadid") }),
            condition > 0, let rows = lines[condition - 1].range(of: " rows=")
        else { return nil }
        return Double(lines[condition - 1][rows.upperBound...].prefix { $0.isNumber })
    }

    /// A warehouse of few loads: PostgreSQL has no statistics for `cost_fact_periods` (a UNION
    /// ALL) and estimated its inner join with `partitions` at |partitions| / 200 of the rows,
    /// then sorted a month's rows where hashing was the plan. `partitions` is left-joined to
    /// the fact rows (migration 0012), which is estimated at no fewer rows than the fact rows,
    /// and the view's rows are still only those of the current loads.
    @Test func aFewLoadsMonthIsPlannedForAllItsRows() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let estate = SyntheticEstate(scope: eaScope, resources: 30)
            var loaded: [LoadSummary] = []
            for metric in [Metric.actualCost, .amortizedCost, .actualCost] {
                let file = dir.path("\(metric.rawValue)-\(loaded.count).csv")
                _ = try CostCSVWriter(
                    month: SyntheticMonth(
                        estate: estate, period: try BillingPeriod(parsing: "2023-10"), rows: 400 + loaded.count)
                ).write(metric, toFile: file)
                loaded += try loadFile(
                    url, file, scope: eaScope.id, period: "2023-10",
                    metric: metric == .actualCost ? "actual" : "amortized")
            }
            let store = try TestPostgres.store(url)
            let current = [loaded[1], loaded[2]]
            let month = "FROM cost_details WHERE BillingPeriod = '2023-10'"
            let sql = "SELECT ResourceGroup, SUM(CostInBillingCurrency) \(month) GROUP BY 1"
            // Statistics as autovacuum keeps them in a warehouse that has run a while (a table
            // never analysed is assumed to hold at least 10 pages of rows, which hides this).
            try store.execute("ANALYZE partitions")
            for load in loaded { try store.execute("ANALYZE cost_fact_l\(load.loadId)") }
            let estimate = try #require(try PostgresPruningTests.partitionJoinEstimate(store, sql))
            let rows = current.reduce(0) { $0 + $1.rowsLoaded }
            #expect(estimate >= Double(rows) / 3, "estimated \(estimate) of \(rows) rows")
            // The rows of the replaced load (its table attached until the purge) stay out.
            let answer = try #require(
                try store.query("SELECT SUM(CostInBillingCurrency), COUNT(*) \(month)").rows.first)
            #expect(answer[1].int == rows)
            #expect(abs((answer[0].double ?? .nan) - current.reduce(0) { $0 + $1.costTotal }) < 1e-6)
            let replacedRows = try store.query(
                "SELECT COUNT(*) FROM cost_fact WHERE LoadId = $1", [.integer(loaded[0].loadId)]
            ).rows.first?[0].int
            #expect(replacedRows == loaded[0].rowsLoaded, "the load that replaced it leaves its purge to a later run")
            // A filter on Metric rejects the outer join's NULLs: it plans as an inner join.
            let actual = try store.query(
                "SELECT SUM(CostInBillingCurrency), COUNT(*) \(month) AND Metric = 'ActualCost'"
            ).rows.first
            #expect(actual?[1].int == loaded[2].rowsLoaded)
        }
    }

    /// A warehouse written before the 0008 migration: its load tables, current and replaced,
    /// move under their periods' tables with their rows in place, and loading and purging
    /// go on from there.
    @Test func theMigrationMovesExistingLoadsUnderTheirPeriods() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let location = try PostgresLocation(parsing: url)
            let store = try PostgresStore(location: location, migrate: false)
            try store.migrate(upTo: "0007_focus_1_2")
            // Three loads as the earlier costwh wrote them: 2023-09, and 2023-10 replaced once.
            func load(_ month: String, rows: Int, cost: Double, current: Bool) throws -> Int64 {
                let id = try #require(
                    try store.query(
                        """
                        INSERT INTO loads (Scope, BillingPeriod, Metric, Source, Status, StartedAt, FinishedAt, RowsLoaded, Dataset)
                        VALUES ($1, $2, 'ActualCost', 'file', 'succeeded', '2020-01-01T00:00:00.000Z',
                                '2020-01-01T00:00:01.000Z', $3, 'cost-details')
                        RETURNING LoadId
                        """, [.text(eaScope.id), .text(month), .integer(Int64(rows))]
                    ).rows.first?[0].int.map(Int64.init))
                let table = "cost_fact_l\(id)"
                try store.execute("CREATE TABLE \(table) (LIKE cost_fact INCLUDING DEFAULTS)")
                try store.execute("ALTER TABLE \(table) ADD CONSTRAINT \(table)_load CHECK (LoadId = \(id))")
                try store.execute(
                    """
                    INSERT INTO \(table) (LoadId, SourcePart, SourceLine, Date, CostInBillingCurrency)
                    SELECT \(id), 0, g + 1, DATE '\(month)-01' + (g % 28), \(cost) FROM generate_series(1, \(rows)) g
                    """)
                try store.execute("ALTER TABLE cost_fact ATTACH PARTITION \(table) FOR VALUES IN (\(id))")
                if current {
                    try store.execute(
                        """
                        INSERT INTO partitions (Scope, BillingPeriod, Metric, LoadId, RowCount, CostTotal, UpdatedAt)
                        VALUES ($1, $2, 'ActualCost', $3, $4, $5, '2020-01-01T00:00:01.000Z')
                        ON CONFLICT (Scope, BillingPeriod, Metric) DO UPDATE SET LoadId = excluded.LoadId
                        """,
                        [
                            .text(eaScope.id), .text(month), .integer(id), .integer(Int64(rows)),
                            .real(Double(rows) * cost),
                        ])
                }
                return id
            }
            let september = try load("2023-09", rows: 40, cost: 1.5, current: true)
            let replaced = try load("2023-10", rows: 30, cost: 9, current: false)
            let october = try load("2023-10", rows: 20, cost: 2.25, current: true)

            try store.migrate(upTo: nil)
            let parents = try store.query(
                """
                SELECT c.relname, p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                JOIN pg_class p ON p.oid = i.inhparent
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
                ORDER BY 1
                """
            ).rows.map { "\($0[0].string ?? "?") ⊂ \($0[1].string ?? "?")" }
            #expect(
                parents
                    == [
                        "cost_fact_l\(september) ⊂ cost_fact_p2023_09", "cost_fact_l\(replaced) ⊂ cost_fact_p2023_10",
                        "cost_fact_l\(october) ⊂ cost_fact_p2023_10", "cost_fact_p2023_09 ⊂ cost_fact",
                        "cost_fact_p2023_10 ⊂ cost_fact",
                    ].sorted(), "\(parents)")
            let answer = try store.query(
                "SELECT BillingPeriod, COUNT(*), SUM(CostInBillingCurrency) FROM cost_details GROUP BY 1 ORDER BY 1"
            ).rows.map { "\($0[0].string ?? "?") \($0[1].int ?? -1) \($0[2].double ?? .nan)" }
            #expect(answer == ["2023-09 40 60.0", "2023-10 20 45.0"])
            #expect(try PostgresPruningTests.periodsNamed(store) == "costwh periods: 2023-09,2023-10")
            #expect(
                try PostgresPruningTests.loadsRead(
                    store, "SELECT COUNT(*) FROM cost_details WHERE BillingPeriod = '2023-09'")
                    == [september])
            // The replaced load is still attached, invisible; the purge detaches it from its period.
            try store.purgeReplacedLoads()
            let left = try store.query(
                "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() WHERE c.relname = $1",
                [.text("cost_fact_l\(replaced)")])
            #expect(left.rows.first?[0].int == 0, "the replaced load's table was not dropped")
            // A load after the migration lands under its own period.
            let file = dir.path("nov.csv")
            _ = try CostCSVWriter(
                month: SyntheticMonth(
                    estate: SyntheticEstate(scope: eaScope, resources: 20),
                    period: try BillingPeriod(parsing: "2023-11"), rows: 25)
            ).write(.actualCost, toFile: file)
            let loaded = try #require(
                try loadFile(url, file, scope: eaScope.id, period: "2023-11", metric: "actual").first)
            #expect(
                try PostgresPruningTests.loadsRead(
                    store, "SELECT COUNT(*) FROM cost_details WHERE BillingPeriod = '2023-11'")
                    == [loaded.loadId])
            #expect(try PostgresPruningTests.periodsNamed(store) == "costwh periods: 2023-09,2023-10,2023-11")
            let count = try store.query("SELECT COUNT(*) FROM cost_details").rows.first?[0].int
            #expect(loaded.rowsLoaded > 0 && count == 40 + 20 + loaded.rowsLoaded)
        }
    }
}
