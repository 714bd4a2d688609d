/// The parts of Parquet's Thrift metadata costwh reads (parquet-format's parquet.thrift): the
/// schema, the row groups and their column chunks, and page headers. Field numbers are the
/// specification's; anything else in the metadata is ignored.
package enum PhysicalType: Int, Sendable {
    case boolean = 0, int32, int64, int96, float, double, byteArray, fixedLenByteArray
}

package enum Codec: Int, Sendable {
    case uncompressed = 0, snappy, gzip, lzo, brotli, lz4, zstd, lz4Raw

    var name: String {
        ["UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"][rawValue]
    }
}

package enum Encoding: Int, Sendable {
    case plain = 0, groupVarInt = 1, plainDictionary = 2, rle = 3, bitPacked = 4, deltaBinaryPacked = 5,
        deltaLengthByteArray = 6, deltaByteArray = 7, rleDictionary = 8, byteStreamSplit = 9
}

/// What a column's values mean, from its logical type or, in older files, its converted type.
package enum LogicalKind: Sendable, Equatable {
    case none
    case string
    case json
    case decimal(scale: Int, precision: Int)
    case date
    case time(unit: TimeUnit)
    case timestamp(unit: TimeUnit, utc: Bool)
    case integer(bits: Int, signed: Bool)
    case uuid
    case float16
    case nested(String)

    package enum TimeUnit: Sendable, Equatable { case millis, micros, nanos }
}

package struct SchemaElement: Sendable {
    package let name: String
    package let type: PhysicalType?
    package let typeLength: Int
    package let repetition: Int  // 0 required, 1 optional, 2 repeated
    package let children: Int
    package let kind: LogicalKind

    init(_ f: [Int16: ThriftValue]) throws(ParquetError) {
        guard let name = f[4]?.string else { throw ParquetError("a schema element has no name") }
        self.name = name
        if let t = f[1]?.int {
            guard let type = PhysicalType(rawValue: Int(t)) else {
                throw ParquetError("schema element \(TextSafety.quoted(name)) has an unknown physical type \(t)")
            }
            self.type = type
        } else {
            type = nil
        }
        typeLength = Int(f[2]?.int ?? 0)
        repetition = Int(f[3]?.int ?? 0)
        children = Int(f[5]?.int ?? 0)
        let scale = Int(f[7]?.int ?? 0)
        let precision = Int(f[8]?.int ?? 0)
        kind = SchemaElement.kind(logical: f[10]?.fields, converted: f[6]?.int, scale: scale, precision: precision)
        // A decimal's text has as many places as its scale: a hostile scale would make every
        // value a gigabyte. Parquet's DECIMAL holds 38 digits.
        if case .decimal(let s, _) = kind, !(-38...38).contains(s) {
            throw ParquetError("column `\(name)` is a DECIMAL of scale \(s); costwh reads scales up to 38")
        }
    }

    static func unit(_ f: [Int16: ThriftValue]?) -> LogicalKind.TimeUnit {
        guard let f else { return .millis }
        if f[2] != nil { return .micros }
        if f[3] != nil { return .nanos }
        return .millis
    }

    static func kind(
        logical: [Int16: ThriftValue]?, converted: Int64?, scale: Int, precision: Int
    ) -> LogicalKind {
        if let logical {
            if logical[1] != nil || logical[4] != nil { return .string }
            if logical[2] != nil { return .nested("MAP") }
            if logical[3] != nil { return .nested("LIST") }
            if let d = logical[5]?.fields {
                return .decimal(scale: Int(d[1]?.int ?? Int64(scale)), precision: Int(d[2]?.int ?? Int64(precision)))
            }
            if logical[6] != nil { return .date }
            if let t = logical[7]?.fields { return .time(unit: unit(t[2]?.fields)) }
            if let t = logical[8]?.fields {
                return .timestamp(unit: unit(t[2]?.fields), utc: t[1]?.bool ?? true)
            }
            if let i = logical[10]?.fields {
                return .integer(bits: Int(i[1]?.int ?? 32), signed: i[2]?.bool ?? true)
            }
            if logical[12] != nil { return .json }
            if logical[14] != nil { return .uuid }
            if logical[15] != nil { return .float16 }
        }
        switch converted {
        case 0, 4: return .string
        case 1, 2: return .nested("MAP")
        case 3: return .nested("LIST")
        case 5: return .decimal(scale: scale, precision: precision)
        case 6: return .date
        case 7: return .time(unit: .millis)
        case 8: return .time(unit: .micros)
        case 9: return .timestamp(unit: .millis, utc: true)
        case 10: return .timestamp(unit: .micros, utc: true)
        case 11: return .integer(bits: 8, signed: false)
        case 12: return .integer(bits: 16, signed: false)
        case 13: return .integer(bits: 32, signed: false)
        case 14: return .integer(bits: 64, signed: false)
        case 15: return .integer(bits: 8, signed: true)
        case 16: return .integer(bits: 16, signed: true)
        case 17: return .integer(bits: 32, signed: true)
        case 18: return .integer(bits: 64, signed: true)
        case 19: return .json
        default: return .none
        }
    }
}

package struct ColumnChunk: Sendable {
    package let type: PhysicalType
    package let path: [String]
    package let codec: Codec
    package let valueCount: Int
    package let dataPageOffset: Int
    package let dictionaryPageOffset: Int?
    package let compressedSize: Int
    /// What the writer says of the chunk's values (read as given: costwh's reader never
    /// trusts it to skip data).
    package let statistics: ColumnStatistics?

    init(_ f: [Int16: ThriftValue], file: String) throws(ParquetError) {
        if f[8] != nil || f[9] != nil {
            throw ParquetError("the column is encrypted; costwh reads unencrypted Parquet files")
        }
        guard let m = f[3]?.fields else {
            throw ParquetError("a column chunk has no metadata (an encrypted footer, or a column in another file)")
        }
        if let path = f[1]?.string, !path.isEmpty {
            throw ParquetError("a column chunk lives in another file; costwh reads self-contained Parquet files")
        }
        guard let t = m[1]?.int, let type = PhysicalType(rawValue: Int(t)) else {
            throw ParquetError("a column chunk has no valid physical type")
        }
        self.type = type
        path = m[3]?.list?.compactMap(\.string) ?? []
        guard let c = m[4]?.int else { throw ParquetError("a column chunk names no codec") }
        guard let codec = Codec(rawValue: Int(c)) else {
            throw ParquetError("compression codec \(c) is not one Parquet defines")
        }
        self.codec = codec
        valueCount = Int(m[5]?.int ?? 0)
        compressedSize = Int(m[7]?.int ?? 0)
        guard let data = m[9]?.int else { throw ParquetError("a column chunk has no data page offset") }
        dataPageOffset = Int(data)
        dictionaryPageOffset = m[11]?.int.map(Int.init)
        statistics = m[12]?.fields.map { s in
            ColumnStatistics(min: s[6]?.binary ?? s[2]?.binary, max: s[5]?.binary ?? s[1]?.binary, nullCount: s[3]?.int.map(Int.init))
        }
        guard valueCount >= 0, compressedSize >= 0, dataPageOffset >= 0 else {
            throw ParquetError("a column chunk claims a negative size or offset")
        }
    }

    /// Where the chunk's pages begin: its dictionary page, when it has one before the data.
    var start: Int {
        if let dictionaryPageOffset, dictionaryPageOffset > 0, dictionaryPageOffset < dataPageOffset {
            return dictionaryPageOffset
        }
        return dataPageOffset
    }
}

/// A column chunk's statistics: the smallest and largest value in their plain encoding
/// (`min_value` and `max_value`, or the deprecated `min` and `max` when those are absent), and
/// the count of NULLs.
package struct ColumnStatistics: Sendable, Equatable {
    package let min: [UInt8]?
    package let max: [UInt8]?
    package let nullCount: Int?
}

package struct RowGroup: Sendable {
    package let rows: Int
    package let columns: [ColumnChunk]
}

package struct FileMetadata: Sendable {
    package let schema: [SchemaElement]
    package let rows: Int
    package let rowGroups: [RowGroup]
    package let createdBy: String?

    init(_ f: [Int16: ThriftValue], file: String) throws(ParquetError) {
        guard let schema = f[2]?.list, !schema.isEmpty else { throw ParquetError("the footer has no schema") }
        var elements: [SchemaElement] = []
        for element in schema {
            guard let fields = element.fields else { throw ParquetError("a schema element is not a structure") }
            elements.append(try SchemaElement(fields))
        }
        self.schema = elements
        rows = Int(f[3]?.int ?? 0)
        createdBy = f[6]?.string
        var groups: [RowGroup] = []
        for (index, group) in (f[4]?.list ?? []).enumerated() {
            guard let g = group.fields, let columns = g[1]?.list else {
                throw ParquetError(rowGroup: index, "a row group has no columns")
            }
            var chunks: [ColumnChunk] = []
            for column in columns {
                guard let c = column.fields else { throw ParquetError(rowGroup: index, "a column chunk is not a structure") }
                do { chunks.append(try ColumnChunk(c, file: file)) } catch { throw error.at(file: file, rowGroup: index) }
            }
            let rows = Int(g[3]?.int ?? -1)
            guard rows >= 0 else { throw ParquetError(rowGroup: index, "a row group has a negative row count") }
            groups.append(RowGroup(rows: rows, columns: chunks))
        }
        rowGroups = groups
    }
}

/// A page header (PageHeader in parquet.thrift).
struct PageHeader {
    enum Kind { case data, index, dictionary, dataV2 }
    let kind: Kind
    let uncompressedSize: Int
    let compressedSize: Int
    let valueCount: Int
    let encoding: Encoding
    // v1
    let definitionEncoding: Encoding
    // v2
    let nullCount: Int
    let rowCount: Int
    let definitionBytes: Int
    let repetitionBytes: Int
    let isCompressed: Bool

    init(_ f: [Int16: ThriftValue]) throws(ParquetError) {
        guard let t = f[1]?.int else { throw ParquetError("a page header has no type") }
        switch t {
        case 0: kind = .data
        case 1: kind = .index
        case 2: kind = .dictionary
        case 3: kind = .dataV2
        default: throw ParquetError("a page has an unknown type \(t)")
        }
        uncompressedSize = Int(f[2]?.int ?? -1)
        compressedSize = Int(f[3]?.int ?? -1)
        guard (0...ParquetLimits.pageBytes).contains(uncompressedSize),
            (0...ParquetLimits.pageBytes).contains(compressedSize)
        else {
            throw ParquetError(
                "a page claims \(uncompressedSize) bytes uncompressed and \(compressedSize) compressed; the limit is \(ParquetLimits.pageBytes)"
            )
        }
        func decodeEncoding(_ value: Int64?) throws(ParquetError) -> Encoding {
            guard let value, let e = Encoding(rawValue: Int(value)) else {
                throw ParquetError("a page names an unknown encoding \(value.map(String.init) ?? "(none)")")
            }
            return e
        }
        var values = 0
        var valueEncoding = Encoding.plain
        var definition = Encoding.rle
        var nulls = 0
        var rows = 0
        var defBytes = 0
        var repBytes = 0
        var compressed = true
        switch kind {
        case .data:
            guard let h = f[5]?.fields else { throw ParquetError("a data page has no data page header") }
            values = Int(h[1]?.int ?? -1)
            valueEncoding = try decodeEncoding(h[2]?.int)
            definition = try decodeEncoding(h[3]?.int)
        case .dictionary:
            guard let h = f[7]?.fields else { throw ParquetError("a dictionary page has no dictionary header") }
            values = Int(h[1]?.int ?? -1)
            valueEncoding = try decodeEncoding(h[2]?.int)
        case .dataV2:
            guard let h = f[8]?.fields else { throw ParquetError("a data page v2 has no header") }
            values = Int(h[1]?.int ?? -1)
            nulls = Int(h[2]?.int ?? 0)
            rows = Int(h[3]?.int ?? 0)
            valueEncoding = try decodeEncoding(h[4]?.int)
            defBytes = Int(h[5]?.int ?? -1)
            repBytes = Int(h[6]?.int ?? -1)
            compressed = h[7]?.bool ?? true
            guard defBytes >= 0, repBytes >= 0, defBytes + repBytes <= compressedSize,
                defBytes + repBytes <= uncompressedSize, nulls >= 0, nulls <= values
            else {
                throw ParquetError("a data page v2 claims level sizes that do not fit the page")
            }
        case .index:
            break
        }
        guard (0...ParquetLimits.pageValues).contains(values) else {
            throw ParquetError("a page claims \(values) values; the limit is \(ParquetLimits.pageValues)")
        }
        valueCount = values
        encoding = valueEncoding
        definitionEncoding = definition
        nullCount = nulls
        rowCount = rows
        definitionBytes = defBytes
        repetitionBytes = repBytes
        isCompressed = compressed
    }
}

/// Text from a file, made safe for a message: control characters and invalid UTF-8 escaped,
/// cut short.
package enum TextSafety {
    package static func quoted(_ text: String, limit: Int = 60) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value) || scalar == "\u{FFFD}" {
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return "`" + out + (text.unicodeScalars.count > limit ? "…" : "") + "`"
    }
}
