import CostwhTestSupport
import Foundation
import Testing

@testable import CostwhParquet

/// Files written by pyarrow and DuckDB across every codec (none, SNAPPY, GZIP, ZSTD, LZ4_RAW),
/// data pages v1 and v2, dictionary and plain, the DELTA_* and BYTE_STREAM_SPLIT encodings and
/// every type costwh reads, with nulls and several row groups (scripts/parquet-matrix.py):
/// every value of every row is the one the writer was given.
@Suite(.enabled(if: TestPython.available, .init(rawValue: TestPython.skipMessage)))
struct ParquetWritersTests {
    @Test func everyValueWrittenByPyarrowAndDuckDBReadsBack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-matrix-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let made = try TestPython.run(script: "parquet-matrix.py", [dir.path])
        #expect(made.status == 0, "\(made.output)")
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".parquet") }
            .sorted()
        #expect(names.count >= 27, "\(names)")
        for name in names {
            let path = dir.appendingPathComponent(name).path
            let got = try ParquetReaderTests.read(path).get().split(separator: "\n", omittingEmptySubsequences: false)
            let want = try String(contentsOfFile: path.replacingOccurrences(of: ".parquet", with: ".expect.csv"), encoding: .utf8)
                .split(separator: "\n", omittingEmptySubsequences: false)
            #expect(got.count == want.count, "\(name): \(got.count) lines against \(want.count)")
            let header = ParquetReaderTests.fields(String(want.first ?? ""))
            var mismatches = 0
            for (line, (a, b)) in zip(got, want).enumerated() where a != b {
                let fa = ParquetReaderTests.fields(String(a))
                let fb = ParquetReaderTests.fields(String(b))
                let same =
                    fa.count == fb.count
                    && zip(fa, fb).allSatisfy { x, y in x == y || (Double(x) != nil && Double(x) == Double(y)) }
                if !same {
                    let column = zip(fa, fb).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? 0
                    Issue.record(
                        "\(name) line \(line + 1), column \(header.indices.contains(column) ? header[column] : "?"): \(fa.indices.contains(column) ? fa[column] : "-") against \(fb.indices.contains(column) ? fb[column] : "-")"
                    )
                    mismatches += 1
                    if mismatches > 3 { break }
                }
            }
        }
    }
}
