import CostwhBytes
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import Testing

@testable import CostwhParquet

/// The Parquet reader against Apache's own test files (Tests/Fixtures/parquet-testing, a copy
/// of apache/parquet-testing with its licence) and against damaged copies of them.
struct ParquetReaderTests {
    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    static func files(_ folder: String, suffix: String) -> [String] {
        let dir = fixtures.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.sorted().map { dir.appendingPathComponent($0).path }
    }

    /// Reads a file whole as CSV text, or returns the error.
    static func read(_ path: String) -> Result<String, BytesError> {
        do {
            let source = try ParquetCSVSource(path: path)
            var out: [UInt8] = []
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 1)
            defer { buffer.deallocate() }
            while true {
                let n = try source.read(into: buffer)
                if n == 0 { break }
                out.append(contentsOf: buffer.prefix(n))
            }
            return .success(String(decoding: out, as: UTF8.self))
        } catch let error as ParquetError {
            return .failure(.readFailed(name: path, reason: error.reasonWithoutFile))
        } catch let error as BytesError {
            return .failure(error)
        } catch {
            return .failure(.readFailed(name: path, reason: "\(error)"))
        }
    }

    /// Every field of every row through `ParquetRows` (the load path): its text and number
    /// touched; the rows read, or the refusal.
    static func readRows(_ path: String) -> Result<Int, ParquetError> {
        do {
            let rows = try ParquetRows(path: path)
            var count = 0
            var bytes = 0
            while try rows.next() {
                for f in 0..<rows.fieldCount {
                    bytes &+= rows.bytes(of: f).count
                    _ = rows.number(f)
                    _ = rows.dictionaryEntry(f)
                }
                _ = rows.recordText(limit: 256)
                count += 1
            }
            return .success(count)
        } catch {
            return .failure(error)
        }
    }

    /// The files with an `_expect.csv` of their decoded values (DELTA_BINARY_PACKED,
    /// DELTA_BYTE_ARRAY, optional and required columns): every value as the file states.
    @Test(arguments: [
        "delta_binary_packed", "delta_byte_array", "delta_encoding_optional_column",
        "delta_encoding_required_column",
    ])
    func filesWithExpectedValuesReadThem(name: String) throws {
        let dir = Self.fixtures.appendingPathComponent("parquet-testing/data")
        let text = try Self.read(dir.appendingPathComponent("\(name).parquet").path).get()
        let expected = try String(contentsOf: dir.appendingPathComponent("\(name)_expect.csv"), encoding: .utf8)
        let got = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let want = expected.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            .filter { !$0.isEmpty }
        #expect(got.filter { !$0.isEmpty }.count == want.count, "\(name): rows")
        // The header's spelling differs (the expectation quotes names, one file's names end
        // in `:`); the values are compared field by field, unquoted.
        for (line, (a, b)) in zip(got, want).enumerated().dropFirst() where a != b {
            let fa = Self.fields(a)
            let fb = Self.fields(b)
            // Header names and numbers must agree; doubles may differ only in spelling.
            let same =
                fa.count == fb.count
                && zip(fa, fb).allSatisfy { x, y in
                    x == y || (Double(x) != nil && Double(x) == Double(y))
                }
            #expect(same, "\(name) line \(line + 1): \(a.prefix(120)) against \(b.prefix(120))")
            if !same { break }
        }
    }

    /// The fields of one CSV line, unquoted.
    static func fields(_ line: String) -> [String] {
        CSVText.parse(line + "\n").first ?? [""]
    }

    /// Every file of Apache's corpus and every bad file reads whole or fails with a clear
    /// error: never a crash, a hang, or raw bytes in the message. The bad files all fail;
    /// encrypted files and unsupported codecs say what is unsupported.
    @Test func everyTestFileReadsOrGivesAClearError() throws {
        let good = Self.files("parquet-testing/data", suffix: ".parquet")
        let encrypted = Self.files("parquet-testing/data", suffix: ".encrypted")
        let bad = Self.files("parquet-testing/bad_data", suffix: ".parquet")
        #expect(good.count > 60 && bad.count >= 8)
        var read = 0
        for path in good + encrypted + bad {
            switch Self.read(path) {
            case .success(let text):
                read += 1
                if path.hasSuffix("ARROW-GH-43605.parquet") {
                    // Indices of bit width 0 into a dictionary of one value: well-formed, and
                    // read by pyarrow today as 21,186 zeros (it crashed Arrow once).
                    let lines = text.split(separator: "\n")
                    #expect(lines.count == 21_187 && lines.dropFirst().allSatisfy { $0 == "0" })
                } else {
                    #expect(!bad.contains(path), "\(path) is malformed but was read")
                }
                #expect(text.hasSuffix("\n") || text.isEmpty)
            case .failure(let error):
                let message = error.description
                #expect(message.contains(path), "\(message)")
                #expect(
                    !message.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{FFFD}" },
                    "raw bytes in: \(message)")
                let name = (path as NSString).lastPathComponent
                if name.contains("encrypt") || name.hasSuffix(".encrypted") {
                    #expect(message.contains("encrypted"), "\(message)")
                }
                if name.hasPrefix("hadoop_lz4") || name.hasPrefix("non_hadoop_lz4") {
                    #expect(message.contains("codec LZ4 is not supported"), "\(message)")
                }
            }
        }
        print("everyTestFileReadsOrGivesAClearError: \(read) of \(good.count + encrypted.count + bad.count) read whole")
        #expect(read >= 20)
    }

    /// Values of the plain test files as their README gives them.
    @Test func knownValuesReadExactly() throws {
        let dir = Self.fixtures.appendingPathComponent("parquet-testing/data")
        let plain = try Self.read(dir.appendingPathComponent("alltypes_plain.parquet").path).get()
        let lines = plain.split(separator: "\n").map(String.init)
        #expect(
            lines.first
                == "id,bool_col,tinyint_col,smallint_col,int_col,bigint_col,float_col,double_col,date_string_col,string_col,timestamp_col"
        )
        #expect(lines.count == 9)
        // INT96 timestamps of 2009 (Impala), as ISO UTC.
        #expect(lines[1].hasSuffix(",2009-03-01T00:00:00Z"), "\(lines[1])")
        #expect(lines[1].hasPrefix("4,True,0,0,0,0,0.0,0.0,03/01/09,0,"), "\(lines[1])")
        // Decimals of every physical width, exactly.
        for name in ["int32_decimal", "int64_decimal", "fixed_length_decimal", "byte_array_decimal"] {
            let text = try Self.read(dir.appendingPathComponent("\(name).parquet").path).get()
            let values = text.split(separator: "\n").dropFirst().map(String.init)
            #expect(values == (1...24).map { "\($0).00" }, "\(name): \(values.prefix(3))")
        }
    }

    /// Inputs the release fuzzer (scripts/fuzz-release) found crashing, kept: each is now a
    /// clear error. A DELTA_BINARY_PACKED block size of 2^63 once trapped converting to Int.
    @Test func inputsTheFuzzerFoundAreClearErrors() throws {
        let path = Self.fixtures.appendingPathComponent("parquet/fuzz-delta-varint-overflow.parquet").path
        guard case .failure(let error) = Self.read(path) else {
            Issue.record("the file was read")
            return
        }
        #expect(error.description.contains("block size") && error.description.contains("over the limit"), "\(error)")
    }

    /// Damaged copies of real files (cut at many lengths, bytes flipped in the footer and
    /// the pages, seeded): each reads or fails with a ParquetError, and never crashes.
    @Test func damagedFilesNeverCrash() throws {
        var rng = SplitMix64(seed: 0x5EED_CAFE)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-pq-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let sources = [
            "alltypes_plain.parquet", "alltypes_dictionary.parquet", "delta_byte_array.parquet", "nulls.snappy.parquet",
            "datapage_v2.snappy.parquet", "list_columns.parquet", "map_no_value.parquet",
        ]
            .map { Self.fixtures.appendingPathComponent("parquet-testing/data/\($0)").path }
            + [Self.fixtures.appendingPathComponent("parquet/ea-actual-snappy.parquet").path]
        var cases = 0
        for source in sources {
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
            var variants: [[UInt8]] = []
            for cut in stride(from: 0, to: original.count, by: max(1, original.count / 40)) {
                variants.append(Array(original.prefix(cut)))
            }
            for _ in 0..<60 {
                var copy = original
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let near = Bool.random(using: &rng)
                    let i =
                        near
                        ? Int.random(in: max(0, copy.count - 200)..<copy.count, using: &rng)
                        : Int.random(in: 0..<copy.count, using: &rng)
                    copy[i] = UInt8.random(in: 0...255, using: &rng)
                }
                variants.append(copy)
            }
            for variant in variants {
                let path = dir.appendingPathComponent("v\(cases).parquet").path
                try Data(variant).write(to: URL(fileURLWithPath: path))
                let text = Self.read(path)
                // The load path reads the same file through ParquetRows: it must come to the
                // same verdict (read, or refused), and never crash.
                let rows = Self.readRows(path)
                #expect(
                    (try? text.get()) == nil ? (try? rows.get()) == nil : (try? rows.get()) != nil,
                    "ParquetRows and the CSV text disagree on a damaged file")
                cases += 1
            }
        }
        print("damagedFilesNeverCrash: \(cases) damaged files read or refused")
        #expect(cases > 400)
    }
}

