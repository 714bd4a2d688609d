import CostwhModel
import CostwhParquet
@testable import CostwhPipeline
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// `ValueConverter` puts a column's values into a batch's slots in place (`BatchSlots`) and
/// hands them to the writer every `ParquetFileWriter.batchRows` rows: every kind of column,
/// NULLs, and values the store holds as another type, over batches filled and flushed twice
/// and a last one part full, come back as they went in.
@Suite struct ValueConverterTests {
    static let rows = 2_600

    /// Row `n`'s cells as stored: a number, text, a blob or NULL, in a pattern per column.
    static func stored(_ n: Int) -> [DatabaseValue] {
        let loadId: DatabaseValue =
            n % 7 == 0 ? .null : n % 4 == 1 ? Double(n).databaseValue : n % 4 == 2 ? "\(n)".databaseValue : n.databaseValue
        let date: DatabaseValue = n % 9 == 0 ? .null : Self.date(n).databaseValue
        let cost: DatabaseValue =
            n % 6 == 0 ? .null : n % 6 == 1 ? n.databaseValue : n % 6 == 2 ? "\(n).25".databaseValue : (Double(n) + 0.5).databaseValue
        let group: DatabaseValue =
            switch n % 8 {
            case 0: .null
            case 1: n.databaseValue
            case 2: (Double(n) + 0.5).databaseValue
            case 3: Data("rg-\(n)".utf8).databaseValue
            default: "rg-\(n)".databaseValue
            }
        return ["x".databaseValue, loadId, date, cost, group]
    }

    /// The date of row `n`: runs of 100 rows share one, as a cost file's rows share a day.
    static func date(_ n: Int) -> String {
        String(format: "2023-09-%02d", 1 + (n / 100) % 28)
    }

    /// Row `n` as the file must give it back, as text ("" for NULL).
    static func expected(_ n: Int) -> [String] {
        let loadId = n % 7 == 0 ? "" : "\(n)"
        let date = n % 9 == 0 ? "" : Self.date(n)
        let group =
            switch n % 8 {
            case 0: ""
            case 1: "\(n)"
            case 2: "\(Double(n) + 0.5)"
            default: "rg-\(n)"
            }
        return ["x", loadId, date, group]
    }

    static func expectedCost(_ n: Int) -> Double? {
        n % 6 == 0 ? nil : n % 6 == 1 ? Double(n) : n % 6 == 2 ? Double(n) + 0.25 : Double(n) + 0.5
    }

    @Test func everyKindComesBackAcrossBatches() throws {
        #expect(Self.rows > 2 * ParquetFileWriter.batchRows)
        let dir = TempDir()
        let db = dir.path("w.sqlite")
        // A warehouse for the store to open, and beside it a table of the columns' kinds whose
        // columns have no type, so each cell keeps the type it was stored as.
        try loadFile(db, fixture("finops-toolkit/EA_ActualCost_Small.csv"), scope: eaAccount)
        let queue = try DatabaseQueue(path: db)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE probe (Tag, LoadId, Date, CostInBillingCurrency, ResourceGroup)")
            for n in 0..<Self.rows {
                try db.execute(sql: "INSERT INTO probe VALUES (?, ?, ?, ?, ?)", arguments: StatementArguments(Self.stored(n)))
            }
        }
        try queue.close()

        let store = try DatabaseLocation.openForReading(db)
        let export = PartitionExport(view: "probe", filter: [(column: "Tag", value: "x")], compression: .zstd)
        let written = try export.write(store, to: dir.path("probe.parquet"), metadata: [])
        #expect(written.rows == Self.rows)
        let lines = try DimensionedExportTests.text(dir.path("probe.parquet"))
        #expect(lines.first == "Tag,LoadId,Date,CostInBillingCurrency,ResourceGroup")
        #expect(lines.count == Self.rows + 1)
        var wrong: [String] = []
        for (n, line) in lines.dropFirst().enumerated() {
            let cells = try DimensionedExportTests.fields(line)
            guard cells.count == 5 else {
                wrong.append("row \(n): \(cells.count) cells")
                continue
            }
            let text = [cells[0], cells[1], cells[2], cells[4]]
            if text != Self.expected(n) { wrong.append("row \(n): \(text), expected \(Self.expected(n))") }
            let cost = cells[3].isEmpty ? nil : Double(cells[3])
            if cost != Self.expectedCost(n) { wrong.append("row \(n): cost \(cells[3]), expected \(String(describing: Self.expectedCost(n)))") }
        }
        let differing = wrong.count, first = wrong.prefix(3).joined(separator: "; ")
        #expect(differing == 0, "rows differ, first: \(first)")
    }
}
