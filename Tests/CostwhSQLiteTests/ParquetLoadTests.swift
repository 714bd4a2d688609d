import CostwhLoad
import CostwhModel
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
