import CostwhTestSupport
import Foundation
import Testing

/// Nested columns (a MAP, a LIST, a STRUCT of primitives) read as JSON text in their place,
/// compared with pyarrow's values: files pyarrow writes with every such shape (data pages v1
/// and v2, nulls, empty lists and maps, null entries) and the nested files of Apache's corpus
/// that hold those shapes.
@Suite(.enabled(if: TestPython.available, .init(rawValue: TestPython.skipMessage)))
struct ParquetNestedTests {
    static let corpus = ParquetReaderTests.fixtures.appendingPathComponent("parquet-testing/data")

    static func check(_ path: String, _ dir: TempDir) throws {
        let text = try ParquetReaderTests.read(path).get()
        let csv = dir.path(((path as NSString).lastPathComponent as NSString).deletingPathExtension + ".csv")
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        let checked = try TestPython.run(script: "parquet-nested.py", ["check", path, csv])
        #expect(checked.status == 0, "\(path): \(checked.output.prefix(3000))")
    }

    @Test func everyShapeReadsAsPyarrowReadsIt() throws {
        let dir = TempDir()
        let wrote = try TestPython.run(script: "parquet-nested.py", ["write", dir.path("")])
        try #require(wrote.status == 0, "\(wrote.output)")
        for version in ["v1", "v2"] { try Self.check(dir.path("shapes-\(version).parquet"), dir) }
        // A map's entries keep their order and escape what JSON must.
        let text = try ParquetReaderTests.read(dir.path("shapes-v1.parquet")).get()
        let rows = CSVText.parse(text)
        let tags = try #require(rows.first?.firstIndex(of: "Tags"))
        #expect(rows[1][tags] == #"{"env":"prod","cc":"42"}"#)
        #expect(rows[2][tags] == "{}" && rows[3][tags] == "" && rows[4][tags] == #"{"k":null}"#)
        #expect(rows[5][tags] == #"{"quote\"d":"line\nbreak"}"#)
    }

    @Test(arguments: ["datapage_v2.snappy.parquet", "list_columns.parquet", "nulls.snappy.parquet"])
    func apachesNestedFilesReadAsPyarrowReadsThem(name: String) throws {
        try Self.check(Self.corpus.appendingPathComponent(name).path, TempDir())
    }

    /// Shapes costwh does not read (a map of maps, lists of lists, lists of structs) are one
    /// clear error naming the column.
    @Test(arguments: [("nested_maps.snappy.parquet", "a"), ("nested_lists.snappy.parquet", "a"), ("repeated_no_annotation.parquet", "phoneNumbers")])
    func otherShapesAreAClearError(name: String, column: String) throws {
        guard case .failure(let error) = ParquetReaderTests.read(Self.corpus.appendingPathComponent(name).path) else {
            Issue.record("\(name) was read")
            return
        }
        #expect(error.description.contains("`\(column)`") && error.description.contains("not read"), "\(error)")
    }
}
