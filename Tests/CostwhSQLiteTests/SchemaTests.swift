import CostwhLoad
import CostwhModel
import CostwhSQLite
import CostwhTestSupport
import CostwhTransform
import Foundation
import GRDB
import Testing

@testable import CostwhLoad

@Suite struct SchemaTests {
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    @Test func schemaFileMatchesWhatTheMigrationsBuild() throws {
        let dir = TempDir()
        let migrated = try CostDatabase(path: dir.path("m.sqlite"))
        let fromFile = try DatabaseQueue(path: dir.path("s.sqlite"))
        let schema = try String(
            contentsOf: SchemaTests.repository.appendingPathComponent("schema/schema.sql"), encoding: .utf8)
        try fromFile.write { try $0.execute(sql: schema) }
        let a = try migrated.pool.read(schemaObjects)
        let b = try fromFile.read(schemaObjects)
        #expect(a.keys.sorted() == b.keys.sorted(), "schema/schema.sql lists other objects than the migrations create")
        for key in a.keys.sorted() where a[key] != b[key] {
            Issue.record(
                "schema/schema.sql differs from the migrations for \(key):\n  migrations: \(a[key] ?? "")\n  schema.sql: \(b[key] ?? "")"
            )
        }
    }

    /// The loader inserts the dataset schemas' columns in order; the tables must have them.
    @Test(arguments: Dataset.others)
    func datasetTablesHaveTheSchemasColumns(dataset: Dataset) throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("m.sqlite"))
        let schema = DatasetSchema.of(dataset)
        let columns = try db.pool.read { try $0.columns(in: schema.table).map(\.name) }
        #expect(columns == ["LoadId", "SourcePart", "SourceLine"] + schema.columns.map(\.name))
        // The view of the current loads is the table's name without `ds_`.
        let view = try db.pool.read { try $0.columns(in: String(schema.table.dropFirst(3))).map(\.name) }
        #expect(
            view == ["Scope", "BillingPeriod", "LoadId"] + schema.columns.map(\.name) + ["SourcePart", "SourceLine"])
    }

    @Test func embeddedMigrationsAreTheFilesInMigrations() throws {
        let folder = SchemaTests.repository.appendingPathComponent("migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }
            .sorted()
        #expect(CostDatabase.migrations.map { $0.identifier + ".sql" } == files)
        for (migration, file) in zip(CostDatabase.migrations, files) {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(migration.sql == text)
            // NNNN_description.sql
            #expect(file.range(of: #"^[0-9]{4}_[a-z0-9_]+\.sql$"#, options: .regularExpression) != nil)
        }
    }

    @Test func migrationsApplyFromEmptyAndFromEveryEarlierVersion() throws {
        let all = CostDatabase.migrations.map(\.identifier)
        let dir = TempDir()
        let reference = try CostDatabase(path: dir.path("ref.sqlite"))
        let expected = try reference.pool.read(schemaObjects)
        for (i, step) in all.enumerated() {
            let path = dir.path("from-\(i).sqlite")
            let partial = try CostDatabase(path: path, migrate: false)
            try partial.migrate(upTo: step)
            #expect(try partial.appliedMigrations() == Array(all.prefix(i + 1)))
            let applied = try partial.migrate()
            #expect(applied == Array(all.dropFirst(i + 1)))
            #expect(try partial.pool.read(schemaObjects) == expected)
        }
        // Opening again applies nothing.
        #expect(try reference.migrate().isEmpty)
    }

    /// A new warehouse has 16 KiB pages; one made with SQLite's 4 KiB (every warehouse before
    /// round three's tenth session) keeps them, loads and reloads as before.
    @Test func newWarehousesHaveLargePagesAndOldOnesKeepTheirs() throws {
        let dir = TempDir()
        let fresh = try CostDatabase(path: dir.path("new.sqlite"))
        #expect(try fresh.pool.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == CostDatabase.pageSize)
        #expect(CostDatabase.pageSize == 16_384)
        let oldPath = dir.path("old.sqlite")
        do {
            let old = try DatabaseQueue(path: oldPath)
            try old.writeWithoutTransaction { try $0.execute(sql: "PRAGMA page_size = 4096; CREATE TABLE t(x); DROP TABLE t") }
            try old.close()
        }
        let kept = try CostDatabase(path: oldPath)
        #expect(try kept.pool.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 4096)
        let file = dir.write("a.csv", syntheticEA(rows: 500))
        for _ in 0..<2 { #expect(try load(kept, [file]).rowsLoaded == 500) }
        #expect(try partitionState(kept).rows == 500)
        #expect(try kept.pool.read { try Int.fetchOne($0, sql: "PRAGMA page_size") } == 4096)
    }

    @Test func theCatalogAndTheTablesAgree() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        try db.pool.read { db in
            let view = try db.columns(in: "cost_details").map(\.name)
            for column in Catalog.columns { #expect(view.contains(column.name), "cost_details lacks \(column.name)") }
            for name in ["Scope", "BillingPeriod", "Metric", "LoadId", "ExtraColumns"] { #expect(view.contains(name)) }
            #expect(Set(view).count == view.count)
            // The whole-row view has the same columns in the same order.
            #expect(try db.columns(in: "cost_details_wide").map(\.name) == view)
            // Columns added by later migrations stand at the end of the table; INSERT names them.
            let fact = try db.columns(in: "cost_fact").map(\.name)
            #expect(fact.sorted() == FactColumns.inInsertOrder.sorted())
            for dimension in [Dimension.account, .resource, .product] {
                let columns = try db.columns(in: dimension.table).map(\.name)
                #expect(
                    columns == [dimension.keyColumn, "KeyHash", "KeyHash2"]
                        + Catalog.columns(in: dimension).map { Catalog.columns[$0].name })
            }
            // Numbers are REAL, as analysts expect.
            for column in try db.columns(in: "cost_fact") where Catalog.column(named: column.name)?.type == .real {
                #expect(column.type == "REAL")
            }
        }
    }

    @Test func theDatabaseIsPrivateAndInWALMode() throws {
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        let db = try CostDatabase(path: path)
        let mode = try db.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }
}

@Suite struct DataMigrationTests {
    /// A database written by the first schema gets its summaries when migrated.
    @Test func summariesAreBuiltForLoadsMadeBeforeThem() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("old.sqlite"), migrate: false)
        try db.migrate(upTo: "0001_initial")
        try db.pool.write { db in
            try db.execute(
                sql:
                    "INSERT INTO loads (LoadId, Scope, BillingPeriod, Metric, Source, Status, StartedAt, RowsRead, RowsLoaded, RowsRejected, CostTotal) VALUES (1, '/subscriptions/00000000-0000-0000-0000-000000000001', '2026-01', 'ActualCost', 'file', 'succeeded', '2026-02-01', 3, 3, 0, 6)"
            )
            for (i, cost) in [1.0, 2.0, 3.0].enumerated() {
                try db.execute(
                    sql:
                        "INSERT INTO cost_fact (rowid, SourcePart, SourceLine, Date, ChargeType, PricingModel, CostInBillingCurrency, BillingCurrency) VALUES (?, 0, ?, ?, 'Usage', 'OnDemand', ?, 'USD')",
                    arguments: [i + 1, i + 2, i < 2 ? "2026-01-01" : "2026-01-02", cost])
            }
            try db.execute(
                sql:
                    "INSERT INTO partitions VALUES ('/subscriptions/00000000-0000-0000-0000-000000000001', '2026-01', 'ActualCost', 1, 1, 3, 3, 6, '2026-02-01')"
            )
        }
        let applied = try db.migrate()
        #expect(applied == CostDatabase.migrations.map(\.identifier).filter { $0 != "0001_initial" })
        let daily = try db.pool.read {
            try Row.fetchAll($0, sql: "SELECT Date, Cost, Rows FROM summary_daily ORDER BY Date")
        }
        #expect(
            daily.map { "\($0["Date"] as String)=\($0["Cost"] as Double)x\($0["Rows"] as Int)" } == [
                "2026-01-01=3.0x2", "2026-01-02=3.0x1",
            ])
        let resources = try db.pool.read {
            try Double.fetchOne($0, sql: "SELECT TOTAL(Cost) FROM summary_resource WHERE LoadId = 1")
        }
        #expect(resources == 6)
        // The restatements migration gives the loads current then their history, so the
        // next reload is compared with them.
        let totals = try db.pool.read {
            try Row.fetchAll(
                $0, sql: "SELECT Breakdown, GroupValue, CostUnits, Rows FROM load_totals WHERE LoadId = 1 ORDER BY 1, 2"
            )
        }
        let described = totals.map {
            "\($0["Breakdown"] as String):\(($0["GroupValue"] as String?) ?? "-")=\($0["CostUnits"] as Int64)x\($0["Rows"] as Int)"
        }
        #expect(
            described == [
                "charge-type:Usage/OnDemand=6000000x3", "day:2026-01-01=3000000x2", "day:2026-01-02=3000000x1",
                "meter-category:-=6000000x3", "resource-group:-=6000000x3", "subscription:-=6000000x3",
                "total:-=6000000x3",
            ])
        let csv = dir.write(
            "new.csv",
            "Date,Cost,BillingCurrency,ChargeType,PricingModel\n2026-01-01,3,USD,Usage,OnDemand\n2026-01-02,4.5,USD,Usage,OnDemand\n"
        )
        let reload = try load(
            db, [csv], scope: try Scope(parsing: "/subscriptions/00000000-0000-0000-0000-000000000001"),
            period: try BillingPeriod(parsing: "2026-01"))
        let change = try db.pool.read {
            try Row.fetchOne($0, sql: "SELECT PreviousLoadId, LoadId, Delta, PreviousRows, Rows FROM partition_changes")
        }
        let previousLoad: Int64? = change?["PreviousLoadId"]
        let newLoad: Int64? = change?["LoadId"]
        let delta: Double? = change?["Delta"]
        let rowCounts: [Int?] = [change?["PreviousRows"], change?["Rows"]]
        #expect(previousLoad == 1 && newLoad == reload.loadId)
        #expect(delta == 1.5 && rowCounts == [3, 2])
    }
}
