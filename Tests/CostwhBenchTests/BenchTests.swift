import CostwhBench
import Foundation
import Testing

/// The benchmark's parts that decide what a figure says: its options, its statistics, its
/// line, and how it runs a child and reads its status.
@Suite struct BenchTests {
    @Test func optionsAreTypedAndBadOnesNamed() throws {
        let options = try BenchOptions(parsing: [
            "--rows", "5000", "--runs", "2", "--query-rows", "0", "--skip-duckdb", "--baseline", "/tmp/old/costwh",
            "--lake-months", "6", "--skip-parquet", "--parse-only", "/tmp/x.parquet",
        ])
        var expected = BenchOptions()
        expected.rows = 5000
        expected.runs = 2
        expected.queryRows = 0
        expected.skipDuckDB = true
        expected.baseline = "/tmp/old/costwh"
        expected.lakeMonths = 6
        expected.skipParquet = true
        expected.parseOnly = "/tmp/x.parquet"
        #expect(options == expected)
        #expect(try BenchOptions(parsing: ["--help"]).help)
        for (args, message) in [
            (["--rows"], "--rows needs a value"),
            (["--runs", "0"], "--runs takes a whole number of at least 1, not 0"),
            (["--rows", "many"], "--rows takes a whole number of at least 1, not many"),
            (["--fast"], "unknown option --fast"),
        ] {
            #expect {
                _ = try BenchOptions(parsing: args)
            } throws: { error in
                (error as? BenchError)?.description.hasPrefix(message) == true
            }
        }
    }

    /// The lake figures ask SQLite the question DuckDB is asked, and count every file's bytes.
    @Test func theLakeFiguresCompareLikeWithLike() throws {
        let tag = try #require(LakeFigures.shapes.first { $0.0 == "a tag" }).1
        #expect(
            LakeFigures.sqlite(tag)
                == "SELECT json_extract(Tags, '$.env'), SUM(CostInBillingCurrency) FROM cost_details GROUP BY 1;")
        let dir = NSTemporaryDirectory() + "lake-size-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/a/b", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(count: 300).write(to: URL(fileURLWithPath: dir + "/a/b/x.parquet"))
        try Data(count: 45).write(to: URL(fileURLWithPath: dir + "/_manifest.json"))
        #expect(LakeFigures.directorySize(dir) == 345)
    }

    @Test func mediansAndSpreads() {
        #expect(Statistics.median([3, 1, 2]) == 2)
        #expect(Statistics.median([4, 1, 3, 2]) == 2.5)
        #expect(Statistics.median([]).isNaN)
        #expect(Statistics.spread([1.5, 1, 2]) == "1.500 (1.000–2.000)")
    }

    @Test func aFigureLineGivesRatesFromItsCounts() {
        let line = Figure(
            name: "3. costwh load", seconds: 2, rows: 1_000_000, bytes: 600_000_000, rssMiB: 80.5, note: "met"
        ).line
        #expect(line.hasPrefix("3. costwh load" + String(repeating: " ", count: 44 - 14)))
        #expect(line.contains("2.00 s"))
        #expect(line.contains("500000 rows/s"))
        #expect(line.contains("300.0 MB/s"))
        #expect(line.contains("80.5 MiB"))
        #expect(line.hasSuffix("met"))
    }

    @Test func historyIsMeasuredPerLoadAgainstTheFacts() {
        #expect(
            LoadFigures.historyLine(label: "H1", historyBytes: 40_000, loads: 2, historyRows: 600, factBytes: 2_000_000)
                == "H1: 300 rows, 20.0 KB per load = 1.00 % of the load's fact data (2.0 MB) (target ≤ 2 %)")
        #expect(
            LoadFigures.historyLine(label: "H1", historyBytes: 1, loads: 0, historyRows: 0, factBytes: 1)
                == "H1: not measured")
    }

    @Test func childrenAreRunAndTheirFailuresNamed() throws {
        #expect(try Processes.spawn(["/bin/sh", "-c", "exit 0"]).status == 0)
        #expect(try Processes.spawn(["/bin/sh", "-c", "exit 3"]).status != 0)
        #expect {
            try Processes.run(["/bin/sh", "-c", "exit 3"], "the step")
        } throws: { error in
            (error as? BenchError)?.description.hasPrefix("the step failed") == true
        }
        #expect(throws: BenchError.self) { try Processes.spawn(["/nonexistent/costwh"]) }
        #expect(Processes.output(["/bin/sh", "-c", "echo ' 42 '"]) == "42")
    }

    @Test func aMissingCostwhIsAClearError() {
        #expect {
            _ = try Bench(options: BenchOptions(), costwh: "/nonexistent/costwh")
        } throws: { error in
            (error as? BenchError)?.description.contains("build costwh first") == true
        }
    }
}
