import CostwhBytes
import Testing

@testable import CostwhTransform

@Suite struct CSVReaderTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let input: String
        let records: [[String]]
        let lines: [Int]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "plain LF", input: "a,b,c\n1,2,3\n", records: [["a", "b", "c"], ["1", "2", "3"]], lines: [1, 2]),
        Case(name: "CRLF", input: "a,b\r\n1,2\r\n", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        Case(name: "no final newline", input: "a,b\n1,2", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        Case(
            name: "no final newline after CR", input: "a,b\r\n1,2\r", records: [["a", "b"], ["1", "2"]], lines: [1, 2]),
        Case(name: "quoted comma", input: "a,b\n\"x,y\",2\n", records: [["a", "b"], ["x,y", "2"]], lines: [1, 2]),
        Case(
            name: "doubled quotes", input: "t\n\"\"\"CostCenter\"\": \"\"1234\"\"\"\n",
            records: [["t"], ["\"CostCenter\": \"1234\""]], lines: [1, 2]),
        Case(
            name: "newline in quotes", input: "a,b\n\"line1\nline2\",x\nz,w\n",
            records: [["a", "b"], ["line1\nline2", "x"], ["z", "w"]], lines: [1, 2, 4]),
        Case(
            name: "CRLF in quotes", input: "a\r\n\"1\r\n2\"\r\n3\r\n", records: [["a"], ["1\r\n2"], ["3"]],
            lines: [1, 2, 4]),
        Case(
            name: "BOM", input: "\u{FEFF}Date,Cost\n1,2\n", records: [["Date", "Cost"], ["1", "2"]], lines: [1, 2]),
        Case(name: "empty fields", input: ",,\n,x,\n", records: [["", "", ""], ["", "x", ""]], lines: [1, 2]),
        Case(name: "blank lines skipped", input: "a\n\n\r\nb\n", records: [["a"], ["b"]], lines: [1, 4]),
        Case(name: "quoted empty is a record", input: "\"\"\n", records: [[""]], lines: [1]),
        Case(name: "quoted last field no newline", input: "a,\"b\"", records: [["a", "b"]], lines: [1]),
        Case(name: "unicode", input: "名前,€\n\"ü,ß\",ø\n", records: [["名前", "€"], ["ü,ß", "ø"]], lines: [1, 2]),
        Case(name: "empty input", input: "", records: [], lines: []),
    ]

    @Test(arguments: cases, [4, 5, 7, 16, 1 << 20])
    func reads(c: Case, chunkSize: Int) throws {
        let records = try readAll(c.input, chunkSize: chunkSize)
        #expect(records.map(\.fields) == c.records)
        #expect(records.map(\.line) == c.lines)
        #expect(records.allSatisfy { $0.malformed == nil })
    }

    @Test(arguments: [4, 64, 1 << 20])
    func unterminatedQuoteIsFlagged(chunkSize: Int) throws {
        let records = try readAll("a,b\n1,\"open\n2,3\n", chunkSize: chunkSize)
        #expect(records.count == 2)
        #expect(records[1].malformed?.contains("unterminated") == true)
        #expect(records[1].line == 2)
    }

    @Test(arguments: [4, 64, 1 << 20])
    func textAfterClosingQuoteIsFlagged(chunkSize: Int) throws {
        let records = try readAll("a,b\n\"x\"y,2\n3,4\n", chunkSize: chunkSize)
        #expect(records.count == 3)
        #expect(records[1].malformed?.contains("closing quote") == true)
        #expect(records[2].fields == ["3", "4"])
        #expect(records[2].malformed == nil)
    }

    @Test func recordLongerThanTheLimitIsAnError() throws {
        let big = "a\n" + String(repeating: "x", count: 300) + "\n"
        let reader = CSVReader(
            source: MemoryByteSource(name: "big.csv", bytes: Array(big.utf8)), chunkSize: 16, maxRecordBytes: 128)
        #expect(try reader.next())
        #expect(throws: TransformError.self) { try reader.next() }
    }

    @Test func rawRecordTextIsKept() throws {
        let reader = CSVReader(
            source: MemoryByteSource(name: "r.csv", bytes: Array("h1,h2\r\n\"q,\"\"x\"\"\",2\r\n".utf8)))
        #expect(try reader.next())
        #expect(try reader.next())
        #expect(reader.recordText() == "\"q,\"\"x\"\"\",2")
    }

    @Test(arguments: [1, 3, 1000, 1 << 16])
    func gzipInputRoundTrips(readChunk: Int) throws {
        var text = "Date,Cost\n"
        for i in 0..<5000 { text += "09/\(i % 28 + 1)/2023,\(i).25\n" }
        let compressed = gzip(Array(text.utf8))
        // Two members concatenated, as `cat a.gz b.gz` makes.
        let source = try GzipByteSource(wrapping: MemoryByteSource(name: "x.csv.gz", bytes: compressed + compressed))
        let bytes = try drain(source, chunk: readChunk)
        #expect(bytes == Array(text.utf8) + Array(text.utf8))
    }

    @Test func truncatedGzipIsAnError() throws {
        let compressed = gzip(Array(String(repeating: "Date,Cost\n1,2\n", count: 1000).utf8))
        let source = try GzipByteSource(
            wrapping: MemoryByteSource(name: "cut.csv.gz", bytes: Array(compressed.prefix(compressed.count / 2))))
        #expect(throws: BytesError.self) { _ = try drain(source) }
    }
}
