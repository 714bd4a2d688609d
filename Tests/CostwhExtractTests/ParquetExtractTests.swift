import CostwhEmulator
import CostwhExtract
import CostwhPipeline
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// The extracting commands with Parquet end to end: the emulator serves a month's report
/// blobs, or a FOCUS export, as Parquet with Snappy, and the partition loaded from them is the
/// one loaded from the same month's CSV, column for column and row for row.
@Suite struct ParquetExtractTests {
    /// Every column of every row of a partition, in load order, without the load's own id.
    static func partition(_ db: String, metric: String) throws -> [[String]] {
        try DatabaseQueue(path: db).read { db in
            let columns = try db.columns(in: "cost_details_wide").map(\.name).filter { $0 != "LoadId" }
            let list = columns.map { "quote(\"\($0)\")" }.joined(separator: ", ")
            return try Row.fetchAll(
                db, sql: "SELECT \(list) FROM cost_details_wide WHERE Metric = ? ORDER BY SourcePart, SourceLine",
                arguments: [metric]
            ).map { row in (0..<row.count).map { row[$0] as String } }
        }
    }

    @Test(arguments: [eaAccount, mcaProfile])
    func aReportOfParquetBlobsLoadsAsItsCSVDoes(scope: String) async throws {
        var csvFaults = EmulatorFaults()
        csvFaults.blobsPerReport = 3
        var parquetFaults = csvFaults
        parquetFaults.parquet = true
        let csv = try await withEmulator(faults: csvFaults) { fixture in
            let report = try await reload(fixture, scope: scope, metric: "amortized")
            #expect(!report.anyFailed, "\(report.lines())")
            return try Self.partition(fixture.databasePath, metric: "AmortizedCost")
        }
        let parquet = try await withEmulator(faults: parquetFaults) { fixture in
            let report = try await reload(fixture, scope: scope, metric: "amortized")
            #expect(!report.anyFailed, "\(report.lines())")
            // The blobs were Parquet: the ledger says so.
            let detail = try rows(fixture.databasePath, sql: "SELECT Warnings FROM loads WHERE Status = 'succeeded'")
            #expect(detail.contains { ($0["Warnings"] as String? ?? "").contains("parquet: 1 row group(s), SNAPPY") }, "\(detail)")
            return try Self.partition(fixture.databasePath, metric: "AmortizedCost")
        }
        #expect(csv.count > 100)
        #expect(parquet.count == csv.count)
        for (i, (a, b)) in zip(csv, parquet).enumerated() where a != b {
            Issue.record("row \(i + 1) differs:\n  csv:     \(a)\n  parquet: \(b)")
            break
        }
    }

    @Test func aFocusExportInParquetLoadsAsItsCSVDoes() async throws {
        try await withEmulator(rows: 300) { fixture in
            var loaded: [[[String]]] = []
            for format in ["csv", "parquet"] {
                let transport = HTTPTransport(logger: quiet)
                var url = URLComponents(string: fixture.emulator.baseURL + "/focus-export")!
                url.queryItems = [
                    URLQueryItem(name: "scope", value: eaAccount), URLQueryItem(name: "period", value: lastMonth.description),
                    URLQueryItem(name: "format", value: format),
                ]
                let result = try await transport.send(HTTPRequestSpec(url: url.string!, what: "the FOCUS export"))
                await transport.shutdown()
                #expect(result.status == 200)
                #expect(Array(result.body.prefix(4)) == (format == "parquet" ? Array("PAR1".utf8) : Array(result.body.prefix(4))))
                let file = fixture.directory.appendingPathComponent("focus.\(format)")
                try Data(result.body).write(to: file)
                let db = fixture.directory.appendingPathComponent("\(format).sqlite").path
                let summaries = try LoadFiles.run(
                    LoadFilesOptions(
                        databasePath: db, files: [file.path], scope: eaAccount, period: lastMonth.description, metric: nil),
                    logger: quiet)
                #expect(summaries.map(\.metric) == [.actualCost, .amortizedCost])
                loaded.append(try Self.partition(db, metric: "ActualCost") + Self.partition(db, metric: "AmortizedCost"))
            }
            #expect(loaded[0].count > 100 && loaded[0] == loaded[1])
        }
    }
}
