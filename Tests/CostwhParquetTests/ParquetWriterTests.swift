import CostwhTestSupport
import Foundation
import Testing

@testable import CostwhParquet

/// The Parquet writer: files read back by costwh's own reader, and by pyarrow and DuckDB
/// (scripts/parquet-check.py), value for value, with the schema, statistics and row groups
/// engines rely on.
@Suite struct ParquetWriterTests {
    static let columns: [ParquetColumnSpec] = [
        .init("Text", .string), .init("Cost", .double), .init("Count", .int64), .init("Day", .date),
        .init("At", .timestamp), .init("Wide", .string), .init("Empty", .string), .init("Unset", .double),
    ]

    /// Writes `rows` rows whose values are a function of the row number, with NULLs,
    /// repeated text (dictionary), unique long text (plain past the dictionary limit) and
    /// the edges of each type; returns the path and what each row holds, as JSON values.
    static func write(
        _ dir: TempDir, rows: Int, compression: ParquetCompression, rowGroupRows: Int = 1000,
        recycled: ((Int) -> Void)? = nil
    ) throws -> (path: String, expected: [[Any]]) {
        let path = dir.path("t-\(compression.rawValue).parquet")
        let writer = try ParquetFileWriter(
            path: path, columns: columns, compression: compression, rowGroupRows: rowGroupRows,
            metadata: [("costwh.test", "1")])
        var expected: [[Any]] = []
        let specials: [Double] = [0, -0.0, 1e-300, -1e300, 123456.789012, 0.1 + 0.2]
        for i in 0..<rows {
            let text: String? = i % 7 == 0 ? nil : ["Virtual Machines", "Storage", "Ünïcødé ✓", ""][i % 4]
            let cost: Double? = i % 11 == 0 ? nil : (i < specials.count ? specials[i] : Double(i) * 1.25 - 500)
            let count: Int64? = i % 13 == 0 ? nil : (i == 1 ? Int64.max : i == 2 ? Int64.min : Int64(i))
            let day: Int32? = i % 5 == 0 ? nil : Int32(19_000 + i % 400)
            let at: Int64? = i % 3 == 0 ? nil : 1_700_000_000_000_000 + Int64(i) * 3_600_000_000
            // Unique text of 2 KiB per row: its dictionary passes the limit, so it is plain.
            let wide: String? = i % 17 == 0 ? nil : String(repeating: "w\(i % 10)", count: 1024) + "#\(i)"
            writer.append(0, string: text)
            writer.append(1, double: cost)
            writer.append(2, int64: count)
            writer.append(3, days: day)
            writer.append(4, int64: at)
            writer.append(5, string: wide)
            // Columns no row fills (half of a cost file's): their levels are one run of zeros.
            writer.appendNull(6)
            writer.appendNulls(7, count: 1)
            try writer.endRow()
            expected.append([
                text ?? NSNull(), cost ?? NSNull(), count.map { NSNumber(value: $0) } ?? NSNull(),
                day.map { Int($0) } ?? NSNull(), at.map { NSNumber(value: $0) } ?? NSNull(), wide ?? NSNull(),
                NSNull(), NSNull(),
            ])
        }
        try writer.finish()
        recycled?(writer.recycledRowGroups)
        return (path, expected)
    }

    @Test(arguments: ParquetCompression.allCases)
    func costwhsReaderReadsItBack(compression: ParquetCompression) throws {
        let dir = TempDir()
        let (path, expected) = try Self.write(dir, rows: 2500, compression: compression)
        let reader = try ParquetFileReader(path: path)
        #expect(reader.metadata.rows == 2500)
        #expect(reader.metadata.rowGroups.count == 3)
        let csv = try ParquetReaderTests.read(path).get().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(csv.count >= 2501, "\(csv.count) lines")
        // Text and whole numbers as the reader spells them.
        for (i, line) in csv.dropFirst().prefix(2500).enumerated() {
            let fields = ParquetReaderTests.fields(String(line))
            let text = expected[i][0] as? String ?? ""
            #expect(fields.first == text, "row \(i): \(fields.first ?? "-") against \(text)")
            let count = (expected[i][2] as? NSNumber).map { "\($0.int64Value)" } ?? ""
            #expect(fields.count > 2 && fields[2] == count, "row \(i) Count: \(fields.count > 2 ? fields[2] : "-")")
            if i > 3 { break }
        }
    }

    @Test(.enabled(if: TestPython.available, Comment(rawValue: TestPython.skipMessage)), arguments: ParquetCompression.allCases)
    func pyarrowAndDuckDBReadEveryValue(compression: ParquetCompression) throws {
        let dir = TempDir()
        let (path, expected) = try Self.write(dir, rows: 2500, compression: compression)
        let expectFile = dir.path("expect.json")
        try JSONSerialization.data(withJSONObject: expected).write(to: URL(fileURLWithPath: expectFile))
        let check = try TestPython.run(script: "parquet-check.py", [path, expectFile])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("pyarrow: 2500 rows") && check.output.contains("duckdb: 2500 rows"), "\(check.output)")
    }

    /// Row groups are gathered in the buffers of row groups already written: 25 row groups of
    /// 100 rows (their NULLs, dictionaries and plain text in different places each time) read
    /// back value for value, so nothing of a recycled row group shows in the next.
    @Test(.enabled(if: TestPython.available, Comment(rawValue: TestPython.skipMessage)))
    func recycledBuffersHoldOnlyTheirRowGroup() throws {
        let dir = TempDir()
        var recycled = 0
        let (path, expected) = try Self.write(dir, rows: 2500, compression: .zstd, rowGroupRows: 100) { recycled = $0 }
        #expect(recycled > 0, "no row group was gathered in recycled buffers")
        let expectFile = dir.path("expect.json")
        try JSONSerialization.data(withJSONObject: expected).write(to: URL(fileURLWithPath: expectFile))
        let check = try TestPython.run(script: "parquet-check.py", [path, expectFile])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("pyarrow: 2500 rows") && check.output.contains("duckdb: 2500 rows"), "\(check.output)")
    }

    /// Row groups are encoded on the writer's own thread: a writer dropped before `finish`
    /// (an export that failed half way) stops it and closes the file without a footer, and
    /// a new writer of the same rows writes them in order.
    @Test func aWriterDroppedHalfWayStopsItsEncoder() throws {
        let dir = TempDir()
        let path = dir.path("dropped.parquet")
        do {
            let writer = try ParquetFileWriter(path: path, columns: [.init("N", .int64)], rowGroupRows: 100)
            for i in 0..<1_050 {
                writer.append(0, int64: Int64(i))
                try writer.endRow()
            }
        }
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        #expect(size > 4)
        #expect(throws: ParquetError.self) { _ = try ParquetFileReader(path: path) }
        let (whole, _) = try Self.write(dir, rows: 2500, compression: .zstd, rowGroupRows: 100)
        let reader = try ParquetFileReader(path: whole)
        #expect(reader.metadata.rowGroups.count == 25)
        let csv = try ParquetReaderTests.read(whole).get().split(separator: "\n")
        let counts = csv.dropFirst().compactMap { ParquetReaderTests.fields(String($0)).dropFirst(2).first }.filter { !$0.isEmpty }
        // Count is the row number where it is not NULL (rows 1 and 2 hold the extremes).
        let numbers = counts.compactMap { Int64($0) }.filter { $0 != Int64.max && $0 != Int64.min }
        #expect(numbers == numbers.sorted() && numbers.count > 2_000)
    }

    /// Registered text, looked up (`register`) or not (`registerDistinct`, after room was
    /// reserved with and without a table): every row reads back its own value, a value
    /// registered twice unlooked-up included, across row groups whose dictionaries hold the
    /// values once and row groups past the dictionary limit (plain).
    @Test func registeredValuesReadBackLookedUpOrNot() throws {
        let dir = TempDir()
        let path = dir.path("registered.parquet")
        let writer = try ParquetFileWriter(
            path: path, columns: [.init("Group", .string), .init("Info", .string)], rowGroupRows: 1024)
        writer.reserveRegistered(0, count: 8, bytes: 64, hashed: true)
        writer.reserveRegistered(1, count: 3000, bytes: 3000 * 600, hashed: false)
        func register(_ column: Int, _ text: String, distinct: Bool) -> Int32 {
            var text = text
            return text.withUTF8 { distinct ? writer.registerDistinct(column, utf8: $0) : writer.register(column, utf8: $0) }
        }
        let groups = ["rg-a", "rg-b", "rg-a", "rg-c"].map { register(0, $0, distinct: false) }
        #expect(groups[0] == groups[2], "a looked-up value is registered once")
        let infos = (0..<3000).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "x", count: 500))\"}" }
        var handles = infos.map { register(1, $0, distinct: true) }
        handles.append(register(1, infos[5], distinct: true))
        #expect(Set(handles).count == handles.count, "a distinct registration is never looked up")
        // A table of width 2: row r of the "dimension" holds a group handle and an info handle.
        var table: [Int32] = []
        for (r, info) in handles.enumerated() { table += [groups[r % 4], r % 9 == 0 ? -1 : info] }
        var expected: [(String, String)] = []
        let rows = (0..<4096).map { Int32($0 * 7 % handles.count) }
        for start in stride(from: 0, to: rows.count, by: 1024) {
            let batch = Array(rows[start..<min(rows.count, start + 1024)])
            table.withUnsafeBufferPointer { t in
                batch.withUnsafeBufferPointer { b in
                    writer.append(0, registered: t, width: 2, field: 0, rows: b)
                    writer.append(1, registered: t, width: 2, field: 1, rows: b)
                }
            }
            try writer.endRows(batch.count)
            for row in batch {
                let r = Int(row)
                let info = r % 9 == 0 ? "" : (r == infos.count ? infos[5] : infos[r])
                expected.append((["rg-a", "rg-b", "rg-a", "rg-c"][r % 4], info))
            }
        }
        try writer.finish()
        #expect(try ParquetFileReader(path: path).metadata.rowGroups.count == 4)
        let lines = try ParquetReaderTests.read(path).get().split(separator: "\n").dropFirst()
        #expect(lines.count == expected.count)
        for (line, want) in zip(lines, expected) {
            let fields = ParquetReaderTests.fields(String(line))
            guard fields == [want.0, want.1] else {
                Issue.record("\(fields.first ?? "-") \(fields.dropFirst().first?.prefix(20) ?? "-") against \(want.0) \(want.1.prefix(20))")
                break
            }
        }
    }

    /// A chunk names registered values by handle and reads them where they are
    /// (`ChunkEntries`) until text comes by its bytes into the same chunk, which copies them
    /// in first, in order. Registered then own text, own then registered, registered alone
    /// with NULLs, and registered values past the dictionary limit (plain pages): pyarrow and
    /// DuckDB read every value back, and each row group's statistics.
    @Test(.enabled(if: TestPython.available, Comment(rawValue: TestPython.skipMessage)))
    func registeredAndOwnTextShareAChunk() throws {
        let dir = TempDir()
        let path = dir.path("mixed.parquet")
        let writer = try ParquetFileWriter(
            path: path, columns: [.init("Mixed", .string), .init("Big", .string)], rowGroupRows: 1000)
        func register(_ column: Int, _ text: String) -> Int32 {
            var text = text
            return text.withUTF8 { writer.register(column, utf8: $0) }
        }
        let names = (0..<40).map { "reg-\(($0 * 7) % 40)" }
        let mixed = names.map { register(0, $0) }
        // 1,000 distinct values of 1.2 KB in a row group: past the 1 MiB dictionary limit.
        let bigs = (0..<3000).map { "big-\($0)-" + String(repeating: "y", count: 1200) }
        let big = bigs.map { register(1, $0) }
        var expected: [[Any]] = []
        // Per row group, four batches of 250 rows: R registered, O own text, N registered and NULLs.
        let plan: [[Character]] = [["R", "O", "R", "O"], ["O", "R", "O", "R"], ["N", "R", "N", "R"]]
        for (g, batches) in plan.enumerated() {
            for (b, how) in batches.enumerated() {
                let first = g * 1000 + b * 250
                let rows = Array(first..<(first + 250))
                var mixedValues: [String?] = []
                if how == "O" {
                    var bytes: [UInt8] = []
                    var ends: [Int] = []
                    var defined: [UInt8] = []
                    for r in rows {
                        let text: String? = r % 6 == 0 ? nil : "own-\(r % 30)"
                        bytes += Array((text ?? "").utf8)
                        ends.append(bytes.count)
                        defined.append(text == nil ? 0 : 1)
                        mixedValues.append(text)
                    }
                    bytes.withUnsafeBufferPointer { t in
                        ends.withUnsafeBufferPointer { e in defined.withUnsafeBufferPointer { writer.append(0, texts: t, ends: e, defined: $0) } }
                    }
                } else {
                    let table = mixed
                    let picks = rows.map { r in how == "N" && r % 3 == 0 ? Int32(-1) : Int32(r % mixed.count) }
                    table.withUnsafeBufferPointer { t in picks.withUnsafeBufferPointer { writer.append(0, registered: t, width: 1, field: 0, rows: $0) } }
                    mixedValues = picks.map { $0 < 0 ? nil : names[Int($0)] }
                }
                let bigPicks = rows.map { r in r % 10 == 0 ? Int32(-1) : Int32(r) }
                big.withUnsafeBufferPointer { t in bigPicks.withUnsafeBufferPointer { writer.append(1, registered: t, width: 1, field: 0, rows: $0) } }
                try writer.endRows(rows.count)
                for (k, r) in rows.enumerated() {
                    expected.append([mixedValues[k] ?? NSNull(), bigPicks[k] < 0 ? NSNull() : bigs[r]])
                }
            }
        }
        try writer.finish()
        #expect(try ParquetFileReader(path: path).metadata.rowGroups.count == 3)
        let expectFile = dir.path("expect.json")
        try JSONSerialization.data(withJSONObject: expected).write(to: URL(fileURLWithPath: expectFile))
        let check = try TestPython.run(script: "parquet-check.py", [path, expectFile])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("pyarrow: 3000 rows") && check.output.contains("duckdb: 3000 rows"), "\(check.output)")
    }
}
