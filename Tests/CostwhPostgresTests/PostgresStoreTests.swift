import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhPostgres
import CostwhQuery
import CostwhSQLite
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import GRDB
import Logging
import Testing

@Suite(.serialized, .enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
struct PostgresStoreTests {
    @Test func theServerIsThereWhenCIRequiresIt() throws {
        #expect(TestPostgres.url != nil, "COSTWH_REQUIRE_POSTGRES is set but COSTWH_TEST_POSTGRES_URL is not")
    }

    /// The 0004 migration rebuilds the current loads' daily summaries per product from their
    /// fact rows; run again on a loaded warehouse, its SQL gives exactly what the loader wrote.
    @Test func theMigrationsDailyBackfillIsWhatTheLoaderWrites() throws {
        try TestPostgres.withSchema { url in
            try loadSyntheticMonths(url)
            let migration = try #require(PostgresStore.migrations.first { $0.identifier.hasPrefix("0004") }).sql
            let backfill = try #require(dailyBackfillStatements(migration))
            #expect(backfill.count == 2)
            let store = try TestPostgres.store(url)
            let sql = """
                SELECT LoadId, Date, BillingCurrency, ChargeType, PricingModel, ProductKey, CostUnits, Rows, Cost
                FROM summary_daily ORDER BY 1, 2, 3, 4, 5, 6
                """
            let before = try store.query(sql).rows
            for statement in backfill { try store.execute(statement) }
            let after = try store.query(sql).rows
            #expect(before.count > 100 && before.count == after.count)
            for (b, a) in zip(before, after) {
                #expect(Array(b.prefix(8)) == Array(a.prefix(8)), "\(b) ≠ \(a)")
                #expect(abs((b[8].double ?? .nan) - (a[8].double ?? .nan)) < 1e-6)
            }
        }
    }

    /// The SQLite and PostgreSQL schemas have the same tables, views and columns, by name
    /// (PostgreSQL folds unquoted names to lower case), but for the documented differences.
    @Test func theSchemasAreEquivalent() throws {
        let dir = TempDir()
        let sqlite = try CostDatabase(path: dir.path("w.sqlite"))
        let lite: [String: [String]] = try sqlite.pool.read { db in
            var out: [String: [String]] = [:]
            for name in try String.fetchAll(
                db,
                sql:
                    "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'grdb_%' AND name NOT LIKE 'sqlite_%'"
            ) {
                out[name.lowercased()] = try Row.fetchAll(db, sql: "PRAGMA table_info(\"\(name)\")").map {
                    ($0["name"] as String).lowercased()
                }
            }
            return out
        }
        try TestPostgres.withSchema { url in
            let store = try TestPostgres.store(url)
            let table = try store.query(
                """
                SELECT table_name, column_name FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name NOT IN ('costwh_migrations', 'cost_fact_periods')
                ORDER BY table_name, ordinal_position
                """)
            var pg: [String: [String]] = [:]
            for row in table.rows { pg[row[0].string!, default: []].append(row[1].string!) }
            // cost_fact_periods is PostgreSQL's way to prune by period without a test per row
            // (migration 0011); SQLite finds a load's rows by their rowid range instead.
            #expect(Set(pg.keys) == Set(lite.keys), "tables and views differ")
            for (name, columns) in lite {
                // cost_fact carries BillingPeriod and LoadId on PostgreSQL: its partitions are
                // billing periods, theirs loads.
                let expected = name == "cost_fact" ? ["billingperiod", "loadid"] + columns : columns
                #expect(pg[name] == expected, "\(name): \(pg[name] ?? []) against \(expected)")
            }
        }
    }

    /// The same loads into each store give identical canned queries, verify and report.
    @Test func bothStoresGiveTheSameAnswers() throws {
        let dir = TempDir()
        let actual = fixture("finops-toolkit/EA_ActualCost_Small.csv")
        let amortized = fixture("finops-toolkit/EA_AmortizedCost_Small.csv")
        let synthetic = dir.write("synthetic.csv", syntheticEA(rows: 3_000, costBase: 2))
        var outputs: [Backend: [String]] = [:]
        for backend in Backend.allCases {
            try withStore(backend) { db in
                _ = try loadFile(db, actual, metric: "actual")
                _ = try loadFile(db, amortized, metric: "amortized")
                _ = try loadFile(db, synthetic, scope: eaScope.id, metric: "actual")
                // A reload replaces the partition.
                _ = try loadFile(db, synthetic, scope: eaScope.id, metric: "amortized")
                _ = try loadFile(db, synthetic, scope: eaScope.id, metric: "amortized")
                var out: [String] = []
                let periods = PeriodRange(
                    from: try BillingPeriod(parsing: "2023-09"), to: try BillingPeriod(parsing: "2023-09"))
                for name in CannedQuery.all.map(\.name) where name != "by" {
                    let table = try Query.run(QueryOptions(databasePath: db, name: name, periods: periods))
                    out.append("\(name): \(TableFormatter.render(table, as: .csv))")
                }
                for by in QueryOptions.groupings {
                    let table = try Query.run(
                        QueryOptions(databasePath: db, name: "by", periods: periods, by: by, tag: "env"))
                    out.append("by \(by): \(TableFormatter.render(table, as: .csv))")
                }
                let checks = try Verify.run(databasePath: db, scope: nil, periods: periods)
                out.append(
                    "verify: "
                        + checks.map { "\($0.check) \($0.scope) \($0.metric) \($0.passed) \($0.detail)" }.joined(
                            separator: "\n"))
                let html = dir.path("\(backend).html")
                try Report.write(databasePath: db, html: html, scope: nil, periods: periods)
                let report = try String(contentsOfFile: html, encoding: .utf8)
                // Load times (of the restatements section) differ between the two runs.
                let untimed = report.replacingOccurrences(
                    of: #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"#, with: "<time>", options: .regularExpression)
                out.append(
                    untimed.split(separator: "\n").filter { !$0.contains("Generated") && !$0.contains("generated") }
                        .joined(separator: "\n"))
                let cost = try Query.run(
                    QueryOptions(databasePath: db, name: "totals", periods: periods))
                // The synthetic rows share the fixtures' scope: one row for the month.
                #expect(cost.rows.count == 1, "\(backend): the month has both metrics")
                outputs[backend] = out
            }
        }
        let lite = outputs[.sqlite] ?? [], pg = outputs[.postgres] ?? []
        #expect(lite.count == pg.count && lite.count > 10)
        for (a, b) in zip(lite, pg) { #expect(a == b) }
    }

    /// A reload replaces the partition: one current load, the replaced one's table detached
    /// and dropped, its summaries gone, the ledger saying so.
    @Test func aReloadReplacesThePartitionAndPurgesTheOldOne() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let a = dir.write("a.csv", syntheticEA(rows: 500, costBase: 1))
            let b = dir.write("b.csv", syntheticEA(rows: 700, costBase: 2))
            let first = try loadFile(url, a, scope: eaScope.id, metric: "actual")[0]
            let second = try loadFile(url, b, scope: eaScope.id, metric: "actual")[0]
            #expect(second.replacedLoadId == first.loadId)
            // The next load (of any partition) purges what was replaced, once no transaction
            // older than the replacement is open anywhere in the database: other tests may
            // hold one for a moment, so purge again until they have ended.
            _ = try loadFile(url, a, scope: eaScope.id, metric: "amortized")
            let store = try TestPostgres.store(url)
            let deadline = Date().addingTimeInterval(60)
            while try store.query("SELECT PurgedAt FROM loads WHERE LoadId = $1", [.integer(first.loadId)]).rows.first?[
                0]
                == .null && Date() < deadline
            {
                Thread.sleep(forTimeInterval: 0.2)
                try store.purgeReplacedLoads()
            }
            let tables = try store.query(
                "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() WHERE relname LIKE 'cost_fact_l%' ORDER BY relname"
            ).rows.map { $0[0].string! }
            #expect(tables.sorted() == ["cost_fact_l\(second.loadId)", "cost_fact_l\(second.loadId + 1)"].sorted())
            let purged = try store.query(
                "SELECT PurgedAt IS NOT NULL FROM loads WHERE LoadId = $1", [.integer(first.loadId)])
            #expect(purged.rows.first?[0].int == 1)
            let summaries = try store.query(
                "SELECT COUNT(*) FROM summary_daily WHERE LoadId = $1", [.integer(first.loadId)])
            #expect(summaries.rows.first?[0].int == 0)
            let now = try store.query(
                "SELECT COUNT(*), TOTAL(CostInBillingCurrency) FROM cost_details WHERE Metric = 'ActualCost'")
            #expect(now.rows.first?[0].int == 700)
            #expect(abs((now.rows.first?[1].double ?? 0) - second.costTotal) < 1e-6)
        }
    }

    /// On both stores: a load that fails keeps the partition as it was and stores its
    /// rejected rows in the ledger's failed load; on PostgreSQL it leaves no table behind.
    @Test(arguments: Backend.allCases)
    func aFailedLoadKeepsThePreviousData(backend: Backend) throws {
        let dir = TempDir()
        try withStore(backend) { db in
            let good = dir.write("good.csv", syntheticEA(rows: 300, costBase: 1))
            let bad = dir.write("bad.csv", syntheticEA(rows: 300, costBase: 5, badEvery: 3))
            let first = try loadFile(db, good, scope: eaScope.id, metric: "actual")[0]
            #expect(throws: PipelineError.self) { try loadFile(db, bad, scope: eaScope.id, metric: "actual") }
            let store = try DatabaseLocation.open(db)
            try store.reading { reader in
                let now = try reader.read(
                    "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS c FROM cost_details", [:])
                #expect(now.value(0, "n").int == 300)
                #expect(abs((now.value(0, "c").double ?? 0) - first.costTotal) < 1e-6)
                let ledger = try reader.read("SELECT Status FROM loads ORDER BY LoadId", [:])
                #expect(ledger.rows.map { $0[0].string ?? "" } == ["succeeded", "failed"])
                let rejected = try reader.read(
                    "SELECT COUNT(*) AS n FROM rejected_rows WHERE LoadId = (SELECT MAX(LoadId) FROM loads)", [:])
                #expect((rejected.value(0, "n").int ?? 0) == 100)
            }
            if backend == .postgres {
                let orphans = try TestPostgres.store(db).query(
                    "SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema() WHERE relname LIKE 'cost_fact_l%' AND NOT relispartition"
                )
                #expect(orphans.rows.first?[0].int == 0)
            }
        }
    }
}

/// `costwh copy` moves a warehouse to PostgreSQL and back: every row, column and rejected
/// row arrives; a copy killed half-way resumes; a second copy finds everything there.
@Suite(.serialized, .enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
struct CopyTests {
    /// Every row of cost_details with every column, in a stable order, as text.
    static func dump(_ db: String) throws -> [String] {
        let store = try DatabaseLocation.open(db)
        return try store.reading { reader in
            let table = try reader.read(
                "SELECT * FROM cost_details ORDER BY Scope, BillingPeriod, Metric, SourcePart, SourceLine", [:])
            let skip = Set(["LoadId"])
            let keep = table.columns.indices.filter { !skip.contains(table.columns[$0]) }
            return table.rows.map { row in
                keep.map { i -> String in
                    switch row[i] {
                    case .null: return "∅"
                    case .integer(let v): return "\(v)"
                    case .real(let v): return "\(v)"
                    case .text(let v): return v
                    case .blob(let v): return "\(v)"
                    }
                }.joined(separator: "|")
            }
        }
    }

    static func rejected(_ db: String) throws -> [String] {
        let store = try DatabaseLocation.open(db)
        return try store.reading { reader in
            try reader.read(
                "SELECT Source, LineNumber, RawText, Reason FROM rejected_rows ORDER BY Source, LineNumber", [:]
            )
            .rows.map { $0.map { "\($0)" }.joined(separator: "|") }
        }
    }

    @Test func copyMovesAWarehouseBothWaysAndResumes() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let original = dir.path("original.sqlite")
        _ = try loadFile(original, fixture("finops-toolkit/EA_ActualCost_Small.csv"), metric: "actual")
        _ = try loadFile(original, fixture("finops-toolkit/EA_AmortizedCost_Small.csv"), metric: "amortized")
        let synthetic = dir.write("synthetic.csv", syntheticEA(rows: 20_000, costBase: 3, badEvery: 400))
        for scope in [
            "/subscriptions/00000000-0000-0000-0000-000000000001",
            "/subscriptions/00000000-0000-0000-0000-000000000002",
        ] {
            _ = try loadFile(original, synthetic, scope: scope, metric: "actual")
        }
        let want = try Self.dump(original)
        let wantRejected = try Self.rejected(original)
        #expect(
            want.count == 39 + 2 * 19_950 && wantRejected.count == 100,
            "\(want.count) rows, \(wantRejected.count) rejected")
        try TestPostgres.withSchema { url in
            // Killed while copying its second partition, then run again: it resumes.
            let probe = ProbeLog(path: dir.path("probe"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: costwhExecutable())
            process.arguments = ["copy", "--from", original, "--to", url]
            process.environment = probe.environment(pauses: ["insert": 0.01], base: ["PATH": "/usr/bin:/bin"])
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            let deadline = Date().addingTimeInterval(60)
            while probe.entries.filter({ $0.phase == "committed" }).count < 1 && process.isRunning && Date() < deadline
            {
                usleep(2_000)
            }
            CostwhTestSupport.kill(process, when: probe, reaches: "insert")
            let first = try runCostwh(
                ["copy", "--from", original, "--to", url], environment: ["PATH": "/usr/bin:/bin"])
            #expect(first.status == 0, "\(first.stderr)")
            #expect(
                first.stderr.contains("already there"),
                "the killed copy's finished partitions are kept: \(first.stderr)")
            #expect(try Self.dump(url) == want)
            #expect(try Self.rejected(url) == wantRejected)
            let again = try runCostwh(
                ["copy", "--from", original, "--to", url], environment: ["PATH": "/usr/bin:/bin"])
            #expect(again.stderr.contains("copy: 0 copied, 4 already there"), "\(again.stderr)")
            let store = try TestPostgres.store(url)
            #expect(try store.query("SELECT COUNT(*) FROM loads WHERE Status = 'running'").rows[0][0].int == 0)
            // And back to a new SQLite file: the same rows again.
            let back = dir.path("back.sqlite")
            let returned = try runCostwh(["copy", "--from", url, "--to", back], environment: ["PATH": "/usr/bin:/bin"])
            #expect(returned.status == 0, "\(returned.stderr)")
            #expect(try Self.dump(back) == want)
            #expect(try Self.rejected(back) == wantRejected)
            // cost_details computes ListCost, ContractedCost and EffectiveCost for these EA rows;
            // the copies keep the facts as loaded (no FOCUS values), so each store computes them.
            for db in [url, back] {
                let raw = try DatabaseLocation.open(db).reading {
                    try $0.read(
                        "SELECT COUNT(*) AS n FROM cost_fact WHERE ListCost IS NOT NULL OR ContractedCost IS NOT NULL OR EffectiveCost IS NOT NULL",
                        [:])
                }
                #expect(raw.rows.first?.first?.int == 0, "\(db)")
            }
            let computed = try DatabaseLocation.open(back).reading {
                try $0.read("SELECT COUNT(*) AS n FROM cost_details WHERE ListCost IS NOT NULL", [:])
            }
            #expect((computed.rows.first?.first?.int ?? 0) > 0)
        }
    }
}

/// The other datasets and the savings built on them give the same answers on both stores.
@Suite(.serialized, .enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
struct PostgresDatasetTests {
    @Test func datasetsAndSavingsAgreeAcrossStores() throws {
        let dir = TempDir()
        let month = SyntheticMonth(
            estate: SyntheticEstate(scope: try Scope(parsing: eaAccount)),
            period: try BillingPeriod(parsing: "2023-09"),
            rows: 500)
        let datasets = SyntheticDatasets(month: month)
        let sheet = dir.path("pricesheet.csv")
        try Data(datasets.priceSheetCSV()).write(to: URL(fileURLWithPath: sheet))
        let marketplace = dir.path("marketplaces.json")
        try JSONSerialization.data(withJSONObject: ["value": datasets.marketplaceCharges()]).write(
            to: URL(fileURLWithPath: marketplace))
        let costs = dir.path("amortized.csv")
        _ = try CostCSVWriter(month: month).write(.amortizedCost, toFile: costs)
        var outputs: [Backend: [String]] = [:]
        for backend in Backend.allCases {
            try withStore(backend) { db in
                _ = try loadFile(db, costs, metric: "amortized")
                for (file, dataset) in [(sheet, Dataset.priceSheet), (marketplace, .marketplace), (sheet, .priceSheet)]
                {
                    var options = LoadFilesOptions(
                        databasePath: db, files: [file], scope: try Scope(parsing: eaAccount),
                        period: try BillingPeriod(parsing: "2023-09"), metric: nil)
                    options.dataset = dataset
                    let summary = try LoadFiles.run(options, logger: quietLogger)[0]
                    #expect(summary.status == .succeeded && summary.rowsRejected == 0, "\(backend) \(dataset)")
                }
                let store = try DatabaseLocation.open(db)
                var out: [String] = []
                try store.reading { reader in
                    for sql in [
                        "SELECT COUNT(*) AS n, TOTAL(MarketPrice) AS market, TOTAL(UnitMultiplier) AS units FROM price_sheet",
                        "SELECT COUNT(*) AS n, TOTAL(MarketPrice) AS market FROM list_prices",
                        "SELECT COUNT(*) AS n, TOTAL(PretaxCost) AS cost, MIN(UsageStart) AS first FROM marketplace_charges",
                        "SELECT Dataset, COUNT(*) AS n FROM loads GROUP BY Dataset ORDER BY Dataset",
                        "SELECT COUNT(*) AS n FROM ds_price_sheet",
                        "SELECT ROUND(TOTAL(ListCost), 4) AS list, ROUND(TOTAL(ContractedCost), 4) AS contracted, COUNT(ListCost) AS n FROM cost_details",
                    ] {
                        out.append(TableFormatter.render(try reader.read(sql, [:]), as: .csv))
                    }
                }
                let savings = try Query.run(
                    QueryOptions(databasePath: db, name: "savings", periods: try PeriodRange(parsing: "2023-09")))
                out.append(TableFormatter.render(savings, as: .csv))
                outputs[backend] = out
            }
        }
        let lite = outputs[.sqlite] ?? [], pg = outputs[.postgres] ?? []
        #expect(lite.count == 7 && lite == pg, "\(lite)\n\(pg)")
        // The replaced price sheet's rows are gone: one load's worth remains.
        #expect(
            lite[4].contains(
                "\n\(String(decoding: datasets.priceSheetCSV(), as: UTF8.self).split(separator: "\n").count - 1)\n"))
    }
}
