import CostwhBytes
import CostwhModel
import CostwhParquet
import Foundation
import Testing

@testable import CostwhTransform

/// A Parquet file's dialect is sampled (its first rows decoded as CSV text) only when a number
/// or a date that costwh reads is held as a string; and telling a file's schema reads its footer
/// alone. Both used to decode the first page of every column before the first row reached the
/// writer, once to tell whether the file was FOCUS and once more to sample its dialect.
struct ParquetDialectTests {
    static let header = [
        "BillingAccountId", "BillingPeriodStartDate", "BillingPeriodEndDate", "SubscriptionId", "Date",
        "MeterCategory", "Quantity", "Cost", "BillingCurrency", "ResourceId", "ChargeType", "Custom",
    ]

    /// Three rows of 13 October 2026. `typed`: the dates DATEs, Quantity and Cost DOUBLEs;
    /// otherwise every column a string, dates written day first. Custom always holds a
    /// day-first date, which sampling would take as evidence of the day-first order.
    static func write(_ path: String, typed: Bool) throws {
        let dates = ["Date", "BillingPeriodStartDate", "BillingPeriodEndDate"].map { header.firstIndex(of: $0)! }
        let numbers = [header.firstIndex(of: "Quantity")!, header.firstIndex(of: "Cost")!]
        let specs = header.enumerated().map { c, name in
            ParquetColumnSpec(
                name, !typed ? .string : dates.contains(c) ? .date : numbers.contains(c) ? .double : .string)
        }
        let writer = try ParquetFileWriter(path: path, columns: specs, compression: .snappy)
        func day(_ iso: String) -> Int32 {
            Int32(ISO8601DateFormatter().date(from: "\(iso)T00:00:00Z")!.timeIntervalSince1970 / 86_400)
        }
        for i in 0..<3 {
            let text = [
                "8611537", "01/10/2026", "31/10/2026", "sub-\(i)", "13/10/2026", "Storage", "1.5", "\(Double(i) + 0.25)",
                "USD", "/subscriptions/sub-\(i)/resourceGroups/rg/providers/x/y", "Usage", "13/10/2026",
            ]
            for (c, value) in text.enumerated() {
                if typed && dates.contains(c) {
                    let parts = value.split(separator: "/")
                    writer.append(c, days: day("\(parts[2])-\(parts[1])-\(parts[0])"))
                } else if typed && numbers.contains(c) {
                    writer.append(c, double: Double(value)!)
                } else {
                    writer.append(c, string: value)
                }
            }
            try writer.endRow()
        }
        _ = try writer.finish()
    }

    /// A folder of its own per test, removed after.
    final class TempDirectory {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-dialect-\(UUID().uuidString)")
        init() { try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true) }
        deinit { try? FileManager.default.removeItem(at: url) }
        func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    }

    static func dates(_ file: CostFileReader) throws -> [String?] {
        var dates: [String?] = []
        while let outcome = try file.next() {
            if case .row = outcome { dates.append(file.normaliser.values[Catalog.index["Date"]!].string) }
        }
        return dates
    }

    @Test func typedNumbersAndDatesNeedNoSample() throws {
        let dir = TempDirectory()
        let path = dir.path("typed.parquet")
        try Self.write(path, typed: true)
        let file = try CostFileReader(source: try CostInput.open(path: path))
        // Sampling would have found Custom's day-first dates and said so.
        #expect(file.dialect == DialectDetector.withoutSample())
        #expect(file.dialect.dateOrder == .monthFirst)
        #expect(try Self.dates(file) == ["2026-10-13", "2026-10-13", "2026-10-13"])
        // What is given still decides.
        let given = try CostFileReader(
            source: try CostInput.open(path: path), options: ReadOptions(dialect: DialectOverrides(dateOrder: .dayFirst)))
        #expect(given.dialect.dateOrder == .dayFirst)
    }

    @Test func datesHeldAsStringsAreSampled() throws {
        let dir = TempDirectory()
        let path = dir.path("strings.parquet")
        try Self.write(path, typed: false)
        let file = try CostFileReader(source: try CostInput.open(path: path))
        #expect(file.dialect.dateOrder == .dayFirst)
        #expect(try Self.dates(file) == ["2026-10-13", "2026-10-13", "2026-10-13"])
    }

    /// The first column chunk's first page header damaged, the footer whole: the schema is
    /// told, and a reader opens without decoding a row; the first row then fails, naming the
    /// column. Sampling the dialect would have failed on opening.
    @Test func theSchemaAndTheOpeningReadOnlyTheFooter() throws {
        let dir = TempDirectory()
        let path = dir.path("damaged.parquet")
        try Self.write(path, typed: true)
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        for i in 4..<24 { bytes[i] = 0xFF }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let schema = try CostFileReader.schema(of: try CostInput.open(path: path))
        #expect(!schema.isFocus)
        let file = try CostFileReader(source: try CostInput.open(path: path))
        // Damage, not a failure to read: the load exits 65 for it (`LoadError.unreadableInput`).
        do {
            _ = try Self.dates(file)
            Issue.record("the damaged page was read")
        } catch {
            guard case .damaged(_, let reason)? = error as? TransformError else {
                Issue.record("not damage: \(error)")
                return
            }
            #expect(reason.contains("row group 1, column `BillingAccountId`"), "\(reason)")
        }
        // A CSV file's schema is still read from its header line.
        let csv = dir.path("focus.csv")
        try "BilledCost,EffectiveCost,ChargePeriodStart,ChargePeriodEnd,BillingCurrency,ChargeCategory\n1,1,2026-10-01,2026-10-02,USD,Usage\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        #expect(try CostFileReader.schema(of: try CostInput.open(path: csv)).isFocus)
    }
}
