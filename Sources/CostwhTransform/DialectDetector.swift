import CostwhBytes
import CostwhModel

/// Decides a file's dialect once, from its first block, and returns the stream to parse:
/// the same bytes, transcoded to UTF-8 where needed. Everything it reads is replayed, so
/// nothing is read twice from the source and detection never touches the hot path.
package enum DialectDetector {
    /// How much of a file detection looks at.
    package static let sampleBytes = 1 << 20

    package static func open(
        _ source: ByteSource, overrides: DialectOverrides = .none
    ) throws(TransformError) -> (Dialect, ByteSource) {
        let raw: [UInt8]
        do { raw = try ReplayByteSource.readPrefix(of: source, limit: sampleBytes) } catch { throw .source(error) }
        var dialect = Dialect()
        dialect.encoding = overrides.encoding ?? detectEncoding(raw, complete: raw.count < sampleBytes)
        var stream: ByteSource = ReplayByteSource(prefix: raw, then: source)
        var text = raw
        if dialect.encoding != .utf8 {
            let transcoded = TranscodingByteSource(wrapping: stream, encoding: dialect.encoding)
            do { text = try ReplayByteSource.readPrefix(of: transcoded, limit: sampleBytes) } catch {
                throw .source(error)
            }
            stream = ReplayByteSource(prefix: text, then: transcoded)
        }
        let complete = text.count < sampleBytes
        let (delimiter, sample) = detectDelimiter(text, given: overrides.delimiter, name: source.name)
        dialect.delimiter = delimiter
        let evidence = sample.map { scan($0, text: text, delimiter: delimiter, complete: complete) } ?? Evidence()
        decide(&dialect, evidence, overrides: overrides)
        return (dialect, stream)
    }

    /// The dialect of text no sample was taken of, as detection decides it when the sample
    /// shows nothing: for a Parquet file whose numbers and dates are all typed, which are read
    /// the one way whatever the dialect (`CostFileReader`).
    package static func withoutSample(overrides: DialectOverrides = .none) -> Dialect {
        var dialect = Dialect(encoding: overrides.encoding ?? .utf8, delimiter: overrides.delimiter ?? 0x2C)
        decide(&dialect, Evidence(), overrides: overrides)
        return dialect
    }

    /// The decimal mark and the date order, from what a sample showed and what was given.
    private static func decide(_ dialect: inout Dialect, _ evidence: Evidence, overrides: DialectOverrides) {
        let delimiter = dialect.delimiter
        // Values such as `1,234` could be either; they decide only when nothing else does.
        let strong = evidence.commaDecimals + evidence.pointDecimals > 0
        let commas = strong ? evidence.commaDecimals : evidence.ambiguousCommas
        let points = strong ? evidence.pointDecimals : evidence.ambiguousPoints
        dialect.decimalComma = overrides.decimalComma ?? (delimiter != 0x2C && commas > 0 && points == 0)
        if let order = overrides.dateOrder {
            dialect.dateOrder = order
        } else if evidence.dayFirst > 0 && evidence.monthFirst == 0 {
            dialect.dateOrder = .dayFirst
        } else if evidence.monthFirst > 0 {
            dialect.dateOrder = .monthFirst
        } else {
            // Nothing in the sample tells: Azure writes month first; a file re-saved with
            // semicolons or decimal commas comes from a locale that writes the day first.
            dialect.dateOrder = delimiter == 0x3B || dialect.decimalComma ? .dayFirst : .monthFirst
        }
    }

    /// BOMs decide; otherwise UTF-8 when the bytes are valid UTF-8, UTF-16 when every
    /// other byte is zero (a BOM-less "Unicode text"), else Windows-1252.
    package static func detectEncoding(_ bytes: [UInt8], complete: Bool) -> TextEncoding {
        if bytes.count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE { return .utf16LE }
        if bytes.count >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF { return .utf16BE }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { return .utf8 }
        if bytes.count >= 4 {
            let pairs = min(bytes.count / 2, 4096)
            var evenZero = 0, oddZero = 0
            for i in 0..<pairs {
                if bytes[2 * i] == 0 { evenZero += 1 }
                if bytes[2 * i + 1] == 0 { oddZero += 1 }
            }
            if oddZero * 10 > pairs * 4 && evenZero * 10 < pairs { return .utf16LE }
            if evenZero * 10 > pairs * 4 && oddZero * 10 < pairs { return .utf16BE }
        }
        return isUTF8(bytes, allowTruncatedEnd: !complete) ? .utf8 : .windows1252
    }

    /// Strict UTF-8 validation (no overlongs, no surrogates); a sequence cut by the end of
    /// a sample is allowed when the sample is not the whole file.
    package static func isUTF8(_ bytes: [UInt8], allowTruncatedEnd: Bool) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 {
                i += 1
                continue
            }
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF:
                length = 2
                minimum = 0x80
                scalar = UInt32(b & 0x1F)
            case 0xE0...0xEF:
                length = 3
                minimum = 0x800
                scalar = UInt32(b & 0x0F)
            case 0xF0...0xF4:
                length = 4
                minimum = 0x10000
                scalar = UInt32(b & 0x07)
            default: return false
            }
            if i + length > n { return allowTruncatedEnd && bytes[(i + 1)...].allSatisfy { $0 & 0xC0 == 0x80 } }
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return false }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF) { return false }
            minimum = 0
            i += length
        }
        return true
    }

    /// Where the header is and what it maps, for the delimiter that was chosen.
    struct HeaderSample {
        let mapping: HeaderMapping
        /// Byte offset just after the header record in the sample.
        let dataStart: Int
    }

    /// The delimiter under which a cost-details header appears in the first lines (the
    /// one mapping the most columns wins); with none, the one most frequent on the first line.
    static func detectDelimiter(_ text: [UInt8], given: UInt8?, name: String) -> (UInt8, HeaderSample?) {
        var best: (delimiter: UInt8, mapped: Int, sample: HeaderSample)?
        for candidate in given.map({ [$0] }) ?? Dialect.delimiters {
            guard let sample = findHeader(text, delimiter: candidate, name: name) else { continue }
            let mapped = sample.mapping.fieldOfColumn.filter { $0 >= 0 }.count
            if best == nil || mapped > best!.mapped { best = (candidate, mapped, sample) }
        }
        if let best { return (best.delimiter, best.sample) }
        if let given { return (given, nil) }
        var firstLine = text.prefix { $0 != 0x0A }[...]
        if firstLine.starts(with: [0xEF, 0xBB, 0xBF]) { firstLine = firstLine.dropFirst(3) }
        let counts = Dialect.delimiters.map { d in firstLine.reduce(0) { $0 + ($1 == d ? 1 : 0) } }
        let top = counts.indices.max { counts[$0] < counts[$1] } ?? 0
        return (counts[top] > 0 ? Dialect.delimiters[top] : 0x2C, nil)
    }

    static func findHeader(_ text: [UInt8], delimiter: UInt8, name: String) -> HeaderSample? {
        let reader = CSVReader(
            source: MemoryByteSource(name: name, bytes: text), delimiter: delimiter, chunkSize: max(text.count, 4096))
        var seen = 0
        while seen <= CostFileReader.maxPreambleLines, (try? reader.next()) == true {
            seen += 1
            guard reader.fieldCount > 1 else { continue }
            let headers = (0..<reader.fieldCount).map { reader.string(of: $0).trimmingCharacters(in: " ") }
            let mapping = HeaderMapping(headers: headers)
            if mapping.isRecognised { return HeaderSample(mapping: mapping, dataStart: reader.bytesConsumed) }
        }
        return nil
    }

    struct Evidence {
        var commaDecimals = 0
        var pointDecimals = 0
        var ambiguousCommas = 0
        var ambiguousPoints = 0
        var dayFirst = 0
        var monthFirst = 0
    }

    /// Looks at the number and date fields of the sample's data rows.
    static func scan(_ sample: HeaderSample, text: [UInt8], delimiter: UInt8, complete: Bool) -> Evidence {
        var evidence = Evidence()
        let reader = CSVReader(
            source: MemoryByteSource(name: "", bytes: Array(text[sample.dataStart...])), delimiter: delimiter,
            chunkSize: max(text.count, 4096))
        var realFields: [Int] = []
        var dateFields: [Int] = []
        for (field, target) in sample.mapping.targets.enumerated() {
            guard case .column(let c) = target else { continue }
            switch Catalog.columns[c].type {
            case .real: realFields.append(field)
            case .date: dateFields.append(field)
            default: break
            }
        }
        var rows = 0
        while rows < 50_000, (try? reader.next()) == true {
            // The last record of a cut sample may be cut too.
            if !complete && reader.bytesConsumed >= text.count - sample.dataStart { break }
            rows += 1
            for field in realFields where field < reader.fieldCount {
                let bytes = Array(reader.bytes(of: field))
                switch decimalSeparator(bytes) {
                case 0x2C?: evidence.commaDecimals += 1
                case 0x2E?: evidence.pointDecimals += 1
                default:
                    if bytes.contains(0x2C) {
                        evidence.ambiguousCommas += 1
                    } else if bytes.contains(0x2E) {
                        evidence.ambiguousPoints += 1
                    }
                }
            }
            for field in dateFields where field < reader.fieldCount {
                let bytes = Array(reader.bytes(of: field))
                let parts = bytes.prefix { $0 != 0x20 && $0 != 0x54 }.split(
                    separator: 0x2F, omittingEmptySubsequences: false)
                guard parts.count == 3, parts[2].count == 4 || parts[2].count == 2,
                    let a = Int(String(decoding: parts[0], as: UTF8.self)),
                    let b = Int(String(decoding: parts[1], as: UTF8.self))
                else { continue }
                if a > 12 && b <= 12 { evidence.dayFirst += 1 }
                if b > 12 && a <= 12 { evidence.monthFirst += 1 }
            }
        }
        return evidence
    }

    /// The decimal separator a number is written with, or nil for an integer or non-number.
    /// `1.234,56` has a decimal comma; `1,234.56` a decimal point.
    static func decimalSeparator(_ bytes: [UInt8]) -> UInt8? {
        var trimmed = bytes[...]
        while trimmed.first == 0x20 { trimmed = trimmed.dropFirst() }
        while trimmed.last == 0x20 { trimmed = trimmed.dropLast() }
        if let e = trimmed.firstIndex(where: { $0 == 0x45 || $0 == 0x65 }) { trimmed = trimmed[..<e] }
        if trimmed.first == 0x2D || trimmed.first == 0x2B { trimmed = trimmed.dropFirst() }
        guard !trimmed.isEmpty, trimmed.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2C || $0 == 0x2E }) else {
            return nil
        }
        guard let last = trimmed.lastIndex(where: { $0 == 0x2C || $0 == 0x2E }) else { return nil }
        let separator = trimmed[last]
        // `1,234` alone is ambiguous (a thousands comma or three decimals): no evidence.
        let digitsAfter = trimmed.distance(from: last, to: trimmed.endIndex) - 1
        if digitsAfter == 3 && !trimmed[..<last].contains(where: { $0 == 0x2C || $0 == 0x2E })
            && trimmed[..<last].count <= 3
            && trimmed[..<last].first != 0x30
        {
            return nil
        }
        return separator
    }
}
