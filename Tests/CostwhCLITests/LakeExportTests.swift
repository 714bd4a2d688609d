import CostwhPipeline
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// `costwh export`: the warehouse as a Parquet lake that pyarrow, DuckDB and Spark read, kept
/// current incrementally and replaced a partition at a time.
@Suite(.serialized) struct LakeExportTests {
    static let env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]

    static func demo(_ dir: TempDir) throws -> String {
        let db = dir.path("demo.sqlite")
        let demo = try runCostwh(["demo", "--db", db, "--rows-per-month", "300"], environment: env)
        #expect(demo.status == 0, "\(demo.stderr)")
        return db
    }

    static func export(_ db: String, _ lake: String, _ extra: [String] = [], env: [String: String] = env) throws
        -> CommandResult
    {
        try runCostwh(["export", lake, "--db", db] + extra, environment: env)
    }

    /// Every file's identity (inode) and modification time, by path within the lake.
    static func files(_ lake: String) throws -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        let walker = FileManager.default.enumerator(atPath: lake)
        while let name = walker?.nextObject() as? String {
            guard name.hasSuffix(".parquet") else { continue }
            var info = stat()
            stat((lake as NSString).appendingPathComponent(name), &info)
            out[name] = [Int(info.st_ino), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)]
        }
        return out
    }

    @Test(.enabled(if: TestPython.available, .init(rawValue: TestPython.skipMessage)))
    func everyValueReadsBackInPyarrowDuckDBAndSpark() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        let lake = dir.path("lake")
        let first = try Self.export(db, lake)
        #expect(first.status == 0 && first.stderr.contains("12 partition(s) written"), "\(first.stderr)")
        let checked = try LakeCheck.check(
            lake: lake, dataset: "cost_details", location: db, keys: LakeCheck.costKeys, scratch: dir)
        #expect(checked.status == 0, "\(checked.output)")
        #expect(checked.output.contains("duckdb: "), "\(checked.output)")
        // The schema is the documented one: keys and text as strings, Date as DATE, money as
        // DOUBLE, ids and line numbers as INT64.
        let schema = checked.output.split(separator: "\n").first { $0.hasPrefix("schema: ") }.map { String($0.dropFirst(8)) }
        let types = try #require(
            schema.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String] }, "\(checked.output)")
        for (column, type) in [
            ("Scope", "string"), ("BillingPeriod", "string"), ("Metric", "string"), ("LoadId", "int64"),
            ("Date", "date32[day]"), ("CostInBillingCurrency", "double"), ("Quantity", "double"),
            ("BillingPeriodStartDate", "date32[day]"), ("Tags", "string"), ("AdditionalInfo", "string"),
            ("ExtraColumns", "string"), ("SourcePart", "int64"), ("SourceLine", "int64"),
        ] {
            #expect(types[column] == type, "\(column): \(types[column] ?? "missing")")
        }
        let spark = try LakeCheck.sparkProblems(lake: lake, location: db)
        #expect(spark.isEmpty, "\(spark.joined(separator: "\n"))")
        // FOCUS: its own layout, every row.
        let focus = try Self.export(db, lake, ["--focus"])
        #expect(focus.status == 0 && focus.stderr.contains("6 partition(s) written"), "\(focus.stderr)")
        let focused = try LakeCheck.check(lake: lake, dataset: "focus_costs", location: db, keys: ["*"], scratch: dir)
        #expect(focused.status == 0, "\(focused.output)")
        #expect(LakeCheck.manifestProblems(lake).isEmpty)
    }

    /// A second export rewrites nothing; a reloaded partition is rewritten alone, its old
    /// file replaced; partitions out of the selection are removed; the manifest follows.
    @Test func exportsAreIncremental() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        let lake = dir.path("lake")
        #expect(try Self.export(db, lake).status == 0)
        let before = try Self.files(lake)
        #expect(before.count == 12, "\(before.keys.sorted())")
        let again = try Self.export(db, lake)
        #expect(again.status == 0 && again.stderr.contains("0 partition(s) written") && again.stderr.contains("12 unchanged"))
        #expect(try Self.files(lake) == before)
        // A month loaded from a file is one new partition; loaded again, only its file changes.
        let scope = "/providers/Microsoft.Billing/billingAccounts/8611537"
        func load(_ rows: Int) throws {
            let csv = dir.write("again\(rows).csv", syntheticEA(rows: rows))
            let load = try runCostwh(
                ["load", csv, "--scope", scope, "--period", "2023-09", "--metric", "actual", "--db", db],
                environment: Self.env)
            #expect(load.status == 0, "\(load.stderr)")
        }
        try load(60)
        let added = try Self.export(db, lake)
        #expect(added.stderr.contains("1 partition(s) written (60 rows") && added.stderr.contains("12 unchanged"))
        let withNew = try Self.files(lake)
        try load(50)
        let third = try Self.export(db, lake)
        #expect(third.stderr.contains("1 partition(s) written (50 rows"), "\(third.stderr)")
        let after = try Self.files(lake)
        let changed = after.keys.filter { after[$0] != withNew[$0] }
        #expect(changed.count == 1 && changed[0].contains("BillingPeriod=2023-09/Metric=ActualCost"), "\(changed)")
        #expect(changed.first?.contains(LakeLayout.encode(scope)) == true)
        #expect(after.keys.sorted() == withNew.keys.sorted())
        let manifest = try #require(LakeManifest.read(URL(fileURLWithPath: lake)))
        let entry = manifest.partitions.first { $0.scope == scope && $0.billingPeriod == "2023-09" && $0.metric == "ActualCost" }
        #expect(entry?.rows == 50)
        // Narrow the selection: the other scope and months go, folders and all.
        let narrow = try Self.export(db, lake, ["--scope", scope, "--period", lastMonth.description])
        #expect(narrow.status == 0 && narrow.stderr.contains("11 removed"), "\(narrow.stderr)")
        #expect(try Self.files(lake).count == 2)
        #expect(LakeManifest.read(URL(fileURLWithPath: lake))?.partitions.count == 2)
        #expect(LakeCheck.manifestProblems(lake).isEmpty)
        let left = try FileManager.default.subpathsOfDirectory(atPath: lake).filter { !$0.hasPrefix("_") }
        #expect(left.allSatisfy { $0.contains(LakeLayout.encode(scope)) || $0 == "cost_details" }, "\(left)")
        // Another codec rewrites everything.
        let snappy = try Self.export(db, lake, ["--scope", scope, "--period", lastMonth.description, "--compression", "snappy"])
        #expect(snappy.stderr.contains("2 partition(s) written"), "\(snappy.stderr)")
    }

    /// Killed after a partition's new file is written and before it is renamed in: the old
    /// file is still whole, the manifest names only files that are there, and the next export
    /// removes the leftover and finishes the work. A reader meanwhile sees the old partition.
    /// A value that cannot be written as its column's type (a dimension's date that is not a
    /// date, here written by hand into the warehouse) fails the export with one line naming
    /// the partition, the dimension row and the column; no file is left half written and the
    /// lake that was there stays whole.
    @Test func aValueThatIsNotItsTypeIsNamed() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        let lake = dir.path("lake")
        #expect(try Self.export(db, lake).status == 0)
        let before = try Self.files(lake)
        try DatabaseQueue(path: db).write { try $0.execute(sql: "UPDATE dim_account SET BillingPeriodStartDate = 'soon'") }
        for target in [lake, dir.path("fresh")] {
            // The existing lake is unchanged (its loads did not change); a new one is written.
            let failed = try Self.export(db, target)
            if target == lake {
                let after = try Self.files(lake)
                #expect(failed.status == 0 && after == before, "\(failed.stderr)")
                continue
            }
            #expect(failed.status == 1, "\(failed.stderr)")
            #expect(
                failed.stderr.contains("dim_account key") && failed.stderr.contains("column BillingPeriodStartDate")
                    && failed.stderr.contains("`soon` is not a date YYYY-MM-DD"), "\(failed.stderr)")
            #expect(failed.stderr.split(separator: "\n").filter { $0.contains("soon") }.count == 1, "\(failed.stderr)")
            #expect(LakeFilesProbe.leftovers(target).isEmpty)
            // No manifest yet, or one that names only files that are there.
            let problems = LakeCheck.manifestProblems(target)
            #expect(problems.allSatisfy { $0.hasPrefix("no manifest") }, "\(problems)")
        }
        #expect(LakeCheck.manifestProblems(lake).isEmpty)
    }

    @Test func aKilledExportIsRepairedByTheNext() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        let lake = dir.path("lake")
        #expect(try Self.export(db, lake).status == 0)
        let csv = dir.write("again.csv", syntheticEA(rows: 30))
        let scope = "/providers/Microsoft.Billing/billingAccounts/8611537"
        #expect(
            try runCostwh(
                ["load", csv, "--scope", scope, "--period", "2023-09", "--metric", "actual", "--db", db],
                environment: Self.env
            ).status == 0)
        #expect(try Self.export(db, lake).status == 0)
        let before = try Self.files(lake)
        for (phase, rows) in [("export:written", 40), ("export:renamed", 45)] {
            #expect(
                try runCostwh(
                    [
                        "load", dir.write("v\(rows).csv", syntheticEA(rows: rows)), "--scope", scope, "--period", "2023-09",
                        "--metric", "actual", "--db", db,
                    ], environment: Self.env
                ).status == 0)
            let probe = ProbeLog(path: dir.path("probe-\(phase)"))
            let process = Process()
            process.executableURL = URL(fileURLWithPath: costwhExecutable())
            process.arguments = ["export", lake, "--db", db]
            process.environment = probe.environment(pauses: [phase: 30], base: Self.env)
            process.standardError = FileHandle.nullDevice
            try process.run()
            #expect(kill(process, when: probe, reaches: phase), "the export never reached \(phase)")
            #expect(LakeCheck.manifestProblems(lake).filter { !$0.contains("manifest") || $0.contains("missing") }.isEmpty)
            let files = try Self.files(lake)
            #expect(files.keys.sorted() == before.keys.sorted(), "\(phase): \(files.keys.sorted())")
            let repaired = try Self.export(db, lake)
            #expect(repaired.status == 0, "\(repaired.stderr)")
            #expect(LakeCheck.manifestProblems(lake).isEmpty, "\(LakeCheck.manifestProblems(lake))")
            #expect(LakeFilesProbe.leftovers(lake).isEmpty)
            let entry = LakeManifest.read(URL(fileURLWithPath: lake))?.partitions.first {
                $0.scope == scope && $0.billingPeriod == "2023-09" && $0.metric == "ActualCost"
            }
            #expect(entry?.rows == rows, "\(phase)")
        }
    }
}

extension LakeExportTests {
    /// A partition's file of the lake, loaded back with `costwh load`, is the same partition:
    /// every column of every row, in order, but for where each row came from (LoadId,
    /// SourcePart, SourceLine), which the new load gives. Extra columns come back as they were.
    @Test func anExportedPartitionLoadsBackIdentical() throws {
        let dir = TempDir()
        let db = try Self.demo(dir)
        // A file with columns costwh does not know, so the partition has extras to keep.
        let scope = "/providers/Microsoft.Billing/billingAccounts/8611537"
        var csv = syntheticEA(rows: 120)
        var lines = csv.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[0] += ",MyTeam,Weird \"Header\""
        for i in 1..<lines.count where !lines[i].isEmpty { lines[i] += ",team-\(i % 3),\"v\"\"\(i)\"" }
        csv = lines.joined(separator: "\n")
        let load = try runCostwh(
            ["load", dir.write("extra.csv", csv), "--scope", scope, "--period", "2023-09", "--metric", "actual", "--db", db],
            environment: Self.env)
        #expect(load.status == 0, "\(load.stderr)")
        let lake = dir.path("lake")
        #expect(try Self.export(db, lake).status == 0)
        for (period, metric) in [("2023-09", "ActualCost"), (lastMonth.description, "AmortizedCost")] {
            let file = (lake as NSString).appendingPathComponent(
                LakeLayout.folder(scope: scope, period: period, metric: metric) + "/" + LakeLayout.fileName)
            let copy = dir.path("copy-\(period).sqlite")
            let back = try runCostwh(
                ["load", file, "--scope", scope, "--period", period, "--metric", metric, "--db", copy], environment: Self.env)
            #expect(back.status == 0, "\(back.stderr)")
            let original = try Self.partitionRows(db, scope, period, metric)
            let loaded = try Self.partitionRows(copy, scope, period, metric)
            #expect(original.count == loaded.count && !original.isEmpty, "\(original.count) rows, \(loaded.count) back")
            for (i, (a, b)) in zip(original, loaded).enumerated() where a != b {
                let differing = a.keys.filter { a[$0] != b[$0] }.sorted()
                Issue.record("\(period) \(metric) row \(i): \(differing.map { "\($0): \(a[$0] ?? "") → \(b[$0] ?? "")" }.prefix(4))")
                break
            }
            if period == "2023-09" {
                #expect(loaded.first?["ExtraColumns"]?.contains("MyTeam") == true, "\(loaded.first?["ExtraColumns"] ?? "")")
            }
        }
    }

    /// A partition's rows in load order, every column as text but the provenance ones.
    static func partitionRows(_ db: String, _ scope: String, _ period: String, _ metric: String) throws -> [[String: String]] {
        let store = try DatabaseLocation.openForReading(db)
        let table = try store.reading { reader in
            try reader.read(
                "SELECT * FROM cost_details_wide WHERE Scope = :scope AND BillingPeriod = :period AND Metric = :metric",
                ["scope": .text(scope), "period": .text(period), "metric": .text(metric)])
        }
        return table.rows.map { row in
            var out: [String: String] = [:]
            for (name, value) in zip(table.columns, row) where !["LoadId", "SourcePart", "SourceLine"].contains(name) {
                switch value {
                case .null: out[name] = "NULL"
                // A number is its value: the view spells some zeros as integers.
                case .integer(let v): out[name] = "n\(Double(v))"
                case .real(let v): out[name] = "n\(v)"
                case .text(let v): out[name] = "t\(v)"
                case .blob(let v): out[name] = "b\(v)"
                }
            }
            return out
        }
    }
}

/// Temporary files an export leaves when killed.
enum LakeFilesProbe {
    static func leftovers(_ lake: String) -> [String] {
        (FileManager.default.subpaths(atPath: lake) ?? []).filter {
            ($0 as NSString).lastPathComponent.hasPrefix(".") && $0.hasSuffix(".tmp")
        }
    }
}
