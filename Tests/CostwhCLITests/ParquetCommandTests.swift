import CostwhSynthetic
import CostwhTestSupport
import Foundation
import Testing

/// `costwh load` on Parquet needs no flag: a file, an Exports folder whose manifest lists a
/// `.parquet` blob; and a damaged file is exit 65 with one line naming the file, its row
/// group and column, no raw bytes, and the partition as it was.
struct ParquetCommandTests {
    static let scope = "/providers/Microsoft.Billing/billingAccounts/8611537"

    @Test func parquetLoadsWithoutAFlagAndDamageIsOneClearLine() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let db = dir.path("w.sqlite")
        let good = fixture("parquet/ea-actual-snappy.parquet")
        let loaded = try runCostwh(["load", good, "--scope", Self.scope, "--metric", "actual", "--db", db], environment: [:])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stderr.contains("2023-09 ActualCost: 11 rows loaded"), "\(loaded.stderr)")
        let before = try rows(db, sql: "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS c FROM cost_details")[0]
        // A copy with its first data page's bytes overwritten.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: good)))
        for i in 8..<4000 { bytes[i] = UInt8(truncatingIfNeeded: i &* 31) }
        let damaged = dir.path("damaged.parquet")
        try Data(bytes).write(to: URL(fileURLWithPath: damaged))
        let refused = try runCostwh(
            ["load", damaged, "--scope", Self.scope, "--period", "2023-09", "--metric", "actual", "--db", db],
            environment: [:])
        #expect(refused.status == 65, "\(refused.stderr)")
        let lines = refused.stderr.split(separator: "\n").filter { $0.contains("error") }
        #expect(lines.count == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("damaged.parquet") && refused.stderr.contains("row group 1, column `"), "\(refused.stderr)")
        #expect(!refused.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "raw bytes in the message")
        let after = try rows(db, sql: "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS c FROM cost_details")[0]
        #expect(after == before, "the partition changed")
    }

    /// Tags written as a MAP<string, string> and AdditionalInfo as a STRUCT (as Spark and
    /// pyarrow write them) load as the JSON objects a CSV would hold: `json_extract` works.
    @Test(.enabled(if: TestPython.available, .init(rawValue: TestPython.skipMessage)))
    func nestedTagsAndAdditionalInfoLoadAsJSON() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let file = dir.path("nested.parquet")
        let wrote = try TestPython.run(script: "parquet-nested.py", ["cost", file])
        try #require(wrote.status == 0, "\(wrote.output)")
        let db = dir.path("w.sqlite")
        let loaded = try runCostwh(["load", file, "--scope", Self.scope, "--metric", "actual", "--db", db], environment: [:])
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stderr.contains("6 rows loaded, 0 rejected"), "\(loaded.stderr)")
        let byEnv = try rows(
            db, sql: "SELECT json_extract(Tags, '$.env') AS env, COUNT(*) AS n FROM cost_details GROUP BY 1 ORDER BY 1")
        #expect(byEnv.map { $0["env"] as String? } == [nil, "dev", "prod"])
        #expect(byEnv.map { $0["n"] as Int } == [3, 1, 2])
        let info = try rows(db, sql: "SELECT DISTINCT json_extract(AdditionalInfo, '$.VCPUs') AS v FROM cost_details")
        #expect(info.count == 1 && (info[0]["v"] as Int?) == 2)
        let extras = try rows(db, sql: "SELECT COUNT(*) AS n FROM cost_details WHERE ExtraColumns IS NOT NULL")
        #expect((extras[0]["n"] as Int) == 0, "a nested value was repaired into the extras")
    }

    /// An Exports folder whose manifest lists a Parquet blob, named as the FinOps toolkit's
    /// managed exports name them.
    @Test func anExportsFolderOfParquetBlobsLoads() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let export = dir.path("export")
        try FileManager.default.createDirectory(atPath: export, withIntermediateDirectories: true)
        let blob = export + "/part_0_0001.snappy.parquet"
        try FileManager.default.copyItem(atPath: fixture("parquet/ea-actual-snappy.parquet"), toPath: blob)
        let size = try FileManager.default.attributesOfItem(atPath: blob)[.size] as! Int
        let manifest: [String: Any] = [
            "exportConfig": [
                "resourceId": Self.scope + "/providers/Microsoft.CostManagement/exports/daily",
                "type": "ActualCost", "exportName": "daily",
            ],
            "runInfo": ["startDate": "2023-09-01T00:00:00", "runId": "r1", "submittedTime": "2023-10-01T00:00:00"],
            "blobs": [["blobName": "exports/daily/202309/r1/part_0_0001.snappy.parquet", "byteCount": size, "dataRowCount": 11]],
            "dataRowCount": 11,
        ]
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: export + "/manifest.json"))
        let db = dir.path("w.sqlite")
        let run = try runCostwh(["load", export, "--db", db], environment: [:])
        #expect(run.status == 0, "\(run.stderr)")
        let loaded = try rows(db, sql: "SELECT COUNT(*) AS n, ROUND(TOTAL(CostInBillingCurrency), 9) AS c FROM cost_details")[0]
        #expect(loaded["n"] == 11)
        #expect(loaded["c"] == 8.545007787)
    }

    /// A binary file given to the CSV path (a zip, random bytes): its "header" is shown
    /// escaped and cut short, never as a screenful of its bytes.
    @Test func aBinaryFileIsNeverQuotedWhole() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        var rng = SplitMix64(seed: 42)
        let bytes = [0x50, 0x4B, 0x03, 0x04] + (0..<20_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let path = dir.write("junk.csv", bytes: bytes)
        let run = try runCostwh(
            ["load", path, "--scope", Self.scope, "--period", "2023-09", "--metric", "actual", "--db", dir.path("w.sqlite")],
            environment: [:])
        #expect(run.status == 65, "\(run.stderr)")
        #expect(run.stderr.contains("the header is not a cost-details header"), "\(run.stderr)")
        #expect(run.stderr.count < 1_500, "\(run.stderr.count) characters")
        #expect(!run.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
    }
}
