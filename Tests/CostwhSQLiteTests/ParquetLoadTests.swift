import CostwhLoad
import CostwhModel
import CostwhParquet
import CostwhSQLite
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// Parquet through the same pipeline as CSV: Microsoft's EA sample written by pyarrow
/// (scripts/make-parquet-fixtures.py: SNAPPY with data page v1, ZSTD with v2, the cost as
/// DECIMAL(38, 18) and the Date as a DATE) loads into the partition the CSV loads, every
/// column of every row.
struct ParquetLoadTests {
    /// Every column of cost_details but the load's own (LoadId) and where a row came from.
    static func rows(_ path: String) throws -> [[String: String]] {
        let db = try CostDatabase(path: path)
        return try db.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM cost_details ORDER BY SourceLine").map { row in
                var out: [String: String] = [:]
                for (column, value) in row where !["LoadId", "SourcePart"].contains(column) {
                    out[column] = value.isNull ? "NULL" : value.description
                }
                return out
            }
        }
    }

    /// Damaged values in dictionary-encoded columns, each repeated on many rows: the Parquet
    /// path normalises each dictionary entry once and applies it per row, so each repair,
    /// extra and rejection must still be counted and kept per row, exactly as the CSV of the
    /// same rows does.
    @Test func repairsAndRejectionsOfDictionaryEntriesCountPerRow() throws {
        let dir = TempDir()
        let header = [
            "BillingAccountId", "BillingPeriodStartDate", "BillingPeriodEndDate", "SubscriptionId", "Date",
            "MeterCategory", "Quantity", "Cost", "BillingCurrency", "ResourceId", "Tags", "ChargeType", "Custom",
        ]
        var rows: [[String]] = []
        for i in 0..<600 {
            let date = i % 97 == 0 ? "someday" : "09/\(String(format: "%02d", i % 28 + 1))/2023"
            rows.append([
                "8611537", "09/01/2023", i % 5 == 0 ? "end of month" : "09/30/2023", "sub-\(i % 3)", date,
                ["Storage", "Virtual Machines"][i % 2], i % 7 == 0 ? "n/a" : "1.5", "\(Double(i % 13) * 0.25)", "USD",
                "/subscriptions/sub-\(i % 3)/resourceGroups/rg/providers/x/\(i % 11)",
                i % 4 == 0 ? "not json" : "\"env\": \"prod\"", i % 6 == 0 ? "Mystery" : "Usage", "c\(i % 2)",
            ])
        }
        func csvField(_ value: String) -> String {
            value.contains(where: { $0 == "," || $0 == "\"" }) ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        }
        let csvPath = dir.path("damaged.csv")
        try ([header.joined(separator: ",")] + rows.map { $0.map(csvField).joined(separator: ",") })
            .joined(separator: "\n").appending("\n").write(toFile: csvPath, atomically: true, encoding: .utf8)
        let parquetPath = dir.path("damaged.bin")
        let writer = try ParquetFileWriter(
            path: parquetPath, columns: header.map { ParquetColumnSpec($0, .string) }, compression: .snappy,
            rowGroupRows: 250)
        for row in rows {
            for (c, value) in row.enumerated() { writer.append(c, string: value) }
            try writer.endRow()
        }
        _ = try writer.finish()
        let csv = dir.path("csv.sqlite")
        let parquet = dir.path("parquet.sqlite")
        let fromCSV = try load(CostDatabase(path: csv), [csvPath], maxRejected: 0.1)
        let fromParquet = try load(CostDatabase(path: parquet), [parquetPath], maxRejected: 0.1)
        // Rows 0, 97, … have an unreadable Date: refused, and counted once per row.
        #expect(fromCSV.rowsRejected == 7 && fromParquet.rowsRejected == 7)
        #expect(fromParquet.rowsLoaded == fromCSV.rowsLoaded && fromCSV.rowsLoaded == 593)
        #expect(fromParquet.costTotal == fromCSV.costTotal)
        for (kind, byValue) in fromCSV.warnings.counts where !kind.hasPrefix("read from") {
            #expect(fromParquet.warnings.counts[kind] == byValue, "\(kind)")
        }
        #expect(fromCSV.warnings.counts["repaired: unreadable number"]?.values.reduce(0, +) ?? 0 > 0)
        #expect(fromCSV.warnings.counts["repaired: not a JSON object"]?.values.reduce(0, +) ?? 0 > 0)
        let a = try Self.rows(csv)
        let b = try Self.rows(parquet)
        #expect(a.count == 593 && a.count == b.count)
        for (x, y) in zip(a, b) where x != y {
            let differing = x.keys.filter { x[$0] != y[$0] }.sorted()
            Issue.record("\(differing.map { "\($0): \(x[$0] ?? "?") against \(y[$0] ?? "?")" }.joined(separator: "; "))")
            break
        }
        // The repaired texts are kept per row in ExtraColumns, as the CSV path keeps them.
        #expect(b.filter { $0["ExtraColumns"]?.contains("not json") == true }.count == a.filter {
            $0["ExtraColumns"]?.contains("not json") == true
        }.count)
    }

    @Test(arguments: ["ea-actual-snappy.parquet", "ea-actual-zstd-v2.parquet", "ea-actual-decimal-date.parquet"])
    func aParquetFileLoadsAsItsCSVDoes(name: String) throws {
        let dir = TempDir()
        let csv = dir.path("csv.sqlite")
        let parquet = dir.path("parquet.sqlite")
        let fromCSV = try load(CostDatabase(path: csv), [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        let fromParquet = try load(CostDatabase(path: parquet), [fixture("parquet/\(name)")])
        #expect(fromParquet.rowsLoaded == 11 && fromParquet.rowsRejected == 0)
        #expect(fromParquet.costTotal == fromCSV.costTotal)
        let a = try Self.rows(csv)
        let b = try Self.rows(parquet)
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) where x != y {
            let differing = x.keys.filter { x[$0] != y[$0] }.sorted()
            Issue.record(
                "\(name): \(differing.map { "\($0): \(x[$0] ?? "?") against \(y[$0] ?? "?")" }.joined(separator: "; "))")
            break
        }
    }
}
