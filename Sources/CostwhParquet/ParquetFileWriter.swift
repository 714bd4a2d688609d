import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes one Parquet file, a row group at a time (format 2: data page v1, the encodings,
/// statistics and logical types every engine reads). Rows are appended column by column and
/// closed with `endRow`; a row group is written when it holds `rowGroupRows` rows or
/// `rowGroupBytes` bytes, so memory stays bounded whatever the file's size. The default is
/// 12 MiB: a row group is gathered while the one before it is encoded on the writer's own
/// thread, and each MiB of it costs about 3 MiB at peak (32 MiB: 155 MiB, no faster than 16).
/// 12 rather than 16 leaves room for the export's 16 MB page cache: a 1 M-row export peaks
/// near 100 MiB, a month of the benchmark's warehouse is ~49 row groups, the lake 2 % larger.
///
/// The file is created exclusively, readable by its owner only (cost data is confidential),
/// and synced to disk by `finish`, so that a caller can rename it into place.
package final class ParquetFileWriter {
    package let path: String
    let columns: [ParquetColumnBuffer]
    let compression: ParquetCompression
    let rowGroupRows: Int
    /// May be lowered before the first row, by a caller holding other memory for the file
    /// (an export's registered AdditionalInfo).
    package var rowGroupBytes: Int
    let metadata: [(String, String)]
    private let sink: ParquetFileSink
    /// Encodes and writes the row groups on its own thread (see `RowGroupEncoder`).
    private let encoder: RowGroupEncoder
    private var totalRows = 0
    /// Row groups gathered in the buffers of one the encoder handed back (for the tests).
    package private(set) var recycledRowGroups = 0
    private var pendingRows = 0
    private var finished = false

    package init(
        path: String, columns: [ParquetColumnSpec], compression: ParquetCompression = .zstd,
        rowGroupRows: Int = defaultRowGroupRows, rowGroupBytes: Int = 12 << 20, metadata: [(String, String)] = []
    ) throws(ParquetError) {
        precondition(!columns.isEmpty && rowGroupRows > 0)
        self.path = path
        self.columns = columns.map(ParquetColumnBuffer.init)
        self.compression = compression
        self.rowGroupRows = rowGroupRows
        self.rowGroupBytes = rowGroupBytes
        self.metadata = metadata
        sink = try ParquetFileSink(path: path)
        encoder = RowGroupEncoder(sink: sink, compression: compression)
        try sink.write(Array("PAR1".utf8))
    }

    deinit {
        encoder.stop()
    }

    /// A row group's most rows, unless its bytes (`rowGroupBytes`) end it first.
    package static let defaultRowGroupRows = 131_072

    package var rows: Int { totalRows + pendingRows }

    package func appendNull(_ column: Int) { columns[column].appendNull() }

    /// `count` NULLs in one call: a dimension's column that no row of the partition fills.
    package func appendNulls(_ column: Int, count: Int) { columns[column].appendNulls(count) }

    package func append(_ column: Int, string value: String?) {
        if let value { columns[column].append(string: value) } else { columns[column].appendNull() }
    }

    /// Text given as its UTF-8 bytes (valid only during the call: they are copied once per
    /// distinct value).
    package func append(_ column: Int, utf8 value: UnsafeBufferPointer<UInt8>) {
        columns[column].append(bytes: value)
    }

    /// Registers a text value that many rows will hold (a dimension's value), for the whole
    /// file: the returned handle is appended with `append(columns:registered:)`, which costs an
    /// array lookup per cell instead of hashing its bytes. The bytes are copied once.
    package func register(_ column: Int, utf8 value: UnsafeBufferPointer<UInt8>) -> Int32 {
        precondition(columns[column].spec.kind == .string, "only text is registered")
        return columns[column].register(bytes: value)
    }

    /// Makes room for `count` registered values of `bytes` bytes in all in `column`, before
    /// registering them: a large registration (an export's AdditionalInfo, tens of MB) then
    /// never holds its old and its doubled storage at once while growing. Memory that is
    /// reserved and not written is not resident. `hashed`: the values will be registered with
    /// `register` (looked up), not `registerDistinct`.
    package func reserveRegistered(_ column: Int, count: Int, bytes: Int, hashed: Bool) {
        precondition(columns[column].spec.kind == .string, "only text is registered")
        columns[column].reserveRegistered(count: count, bytes: bytes, hashed: hashed)
    }

    /// Registers a value the caller knows is not registered yet in `column` (a dimension
    /// table's column whose rows are distinct by their text): it is stored without being
    /// hashed or looked up, which saves the hash table's memory (~3 MB for 150,000 values) and
    /// its time. A value registered twice this way is two handles with the same bytes: the file
    /// is the same but for a repeated dictionary entry.
    package func registerDistinct(_ column: Int, utf8 value: UnsafeBufferPointer<UInt8>) -> Int32 {
        precondition(columns[column].spec.kind == .string, "only text is registered")
        return columns[column].registerDistinct(bytes: value)
    }

    /// Appends a registered value to `column` for each of a batch of rows: row `r` holds
    /// `table[rows[r] * width + field]` (a handle), NULL where `rows[r]` or the handle is
    /// negative. A dimension's table is its rows' handles, `width` per row; `rows` are the
    /// batch's dimension rows. Close the batch's rows with `endRows`.
    package func append(
        _ column: Int, registered table: UnsafeBufferPointer<Int32>, width: Int, field: Int,
        rows: UnsafeBufferPointer<Int32>
    ) {
        precondition(field < width)
        columns[column].append(registered: table, width: width, field: field, rows: rows)
    }

    /// A batch of values for one column (see `endRows`): row `r` is `values[r]` where
    /// `defined[r]` is 1, NULL where it is 0. The column must be DOUBLE.
    package func append(_ column: Int, doubles values: UnsafeBufferPointer<Double>, defined: UnsafeBufferPointer<UInt8>) {
        precondition(columns[column].spec.kind == .double)
        columns[column].append(doubles: values, defined: defined)
    }

    /// The same for INT64 columns (TIMESTAMP too: microseconds).
    package func append(_ column: Int, int64s values: UnsafeBufferPointer<Int64>, defined: UnsafeBufferPointer<UInt8>) {
        precondition(columns[column].spec.kind == .int64 || columns[column].spec.kind == .timestamp)
        columns[column].append(int64s: values, defined: defined)
    }

    /// The same for DATE columns (days since 1970-01-01).
    package func append(_ column: Int, days values: UnsafeBufferPointer<Int32>, defined: UnsafeBufferPointer<UInt8>) {
        precondition(columns[column].spec.kind == .date)
        columns[column].append(int32s: values, defined: defined)
    }

    /// A batch of text for one column: row `r` is `bytes[ends[r - 1]..<ends[r]]` (from 0 for
    /// the first) where `defined[r]` is 1, NULL where it is 0.
    package func append(
        _ column: Int, texts bytes: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>, defined: UnsafeBufferPointer<UInt8>
    ) {
        precondition(columns[column].spec.kind == .string)
        columns[column].append(texts: bytes, ends: ends, defined: defined)
    }

    package func append(_ column: Int, double value: Double?) {
        if let value { columns[column].append(double: value) } else { columns[column].appendNull() }
    }

    package func append(_ column: Int, int64 value: Int64?) {
        if let value { columns[column].append(int64: value) } else { columns[column].appendNull() }
    }

    package func append(_ column: Int, days value: Int32?) {
        if let value { columns[column].append(int32: value) } else { columns[column].appendNull() }
    }

    /// Closes the row: every column must have had exactly one value appended.
    package func endRow() throws(ParquetError) {
        try endRows(1)
    }

    /// The rows a batch closes at most: the writer checks its columns and its size every
    /// `batchRows` rows, so a batch never crosses a check and row groups are cut where row by
    /// row appends would cut them.
    package static let batchRows = 1024

    /// Closes `count` rows whose values were appended column by column (at most up to the
    /// next multiple of `batchRows`): every column must have had exactly `count` values.
    package func endRows(_ count: Int) throws(ParquetError) {
        precondition(count > 0 && pendingRows % 1024 + count <= 1024, "a batch crosses a check point")
        pendingRows += count
        if pendingRows % 1024 == 0 {
            for column in columns where column.rows != pendingRows {
                throw ParquetError("column \(column.spec.name) has \(column.rows) values for \(pendingRows) rows")
            }
        }
        if pendingRows >= rowGroupRows || (pendingRows % 1024 == 0 && heldBytes >= rowGroupBytes) {
            try flushRowGroup()
        }
    }

    private var heldBytes: Int { columns.reduce(0) { $0 + $1.heldBytes } }


    private func flushRowGroup() throws(ParquetError) {
        guard pendingRows > 0 else { return }
        for column in columns where column.rows != pendingRows {
            throw ParquetError("column \(column.spec.name) has \(column.rows) values for \(pendingRows) rows")
        }
        // The row group handed back, its columns moved into optionals: the array they came in
        // is a temporary released here, so each column's arrays are referenced once and are
        // reused in place (a second reference would make the first append copy them).
        var spares: [ColumnChunkData?] = encoder.takeReturned().map { $0.map(Optional.some) } ?? []
        if spares.count != columns.count { spares = Array(repeating: nil, count: columns.count) }
        if spares.first.map({ $0 != nil }) == true { recycledRowGroups += 1 }
        let chunks = columns.indices.map { columns[$0].take(recycling: &spares[$0]) }
        try encoder.submit(chunks, rows: pendingRows)
        totalRows += pendingRows
        pendingRows = 0
    }

    /// Writes the last row group and the footer, and syncs the file. Returns the file's size.
    @discardableResult
    package func finish() throws(ParquetError) -> Int {
        precondition(!finished, "finish() called twice")
        try flushRowGroup()
        try encoder.drain()
        let rowGroups = sink.rowGroups
        var footer = ThriftCompactWriter()
        footer.element { f in
            f.i32(1, 2)
            f.list(2, of: .structure, count: columns.count + 1) { list in
                list.element { root in
                    root.string(4, "schema")
                    root.i32(5, Int32(columns.count))
                }
                for column in columns {
                    list.element { e in ParquetFileWriter.schemaElement(column.spec, &e) }
                }
            }
            f.i64(3, Int64(totalRows))
            f.list(4, of: .structure, count: rowGroups.count) { list in
                for group in rowGroups { list.appendRaw(group) }
            }
            if !metadata.isEmpty {
                f.list(5, of: .structure, count: metadata.count) { list in
                    for (key, value) in metadata {
                        list.element { kv in
                            kv.string(1, key)
                            kv.string(2, value)
                        }
                    }
                }
            }
            f.string(6, "costwh \(ParquetFileWriter.version)")
            f.list(7, of: .structure, count: columns.count) { list in
                for _ in columns { list.element { order in order.empty(1) } }
            }
        }
        try sink.write(footer.bytes)
        let n = UInt32(footer.bytes.count)
        try sink.write([UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + Array("PAR1".utf8))
        try sink.close()
        finished = true
        return sink.written
    }

    package static let version = "0.3.0"

    static func physicalType(_ kind: ParquetColumnSpec.Kind) -> Int32 {
        switch kind {
        case .string: return 6
        case .double: return 5
        case .int64, .timestamp: return 2
        case .date: return 1
        }
    }

    static func schemaElement(_ spec: ParquetColumnSpec, _ e: inout ThriftCompactWriter) {
        e.i32(1, physicalType(spec.kind))
        e.i32(3, 1)  // OPTIONAL: every column may hold NULL
        e.string(4, spec.name)
        switch spec.kind {
        case .string:
            e.i32(6, 0)  // UTF8
            e.structure(10) { l in l.empty(1) }  // STRING
        case .date:
            e.i32(6, 6)  // DATE
            e.structure(10) { l in l.empty(6) }
        case .timestamp:
            e.i32(6, 10)  // TIMESTAMP_MICROS
            e.structure(10) { l in
                l.structure(8) { t in
                    t.bool(1, true)
                    t.structure(2) { unit in unit.empty(2) }  // MICROS
                }
            }
        case .double, .int64:
            break
        }
    }
}

extension ThriftCompactWriter {
    /// A struct already encoded on its own (a row group), as a list element.
    mutating func appendRaw(_ encoded: [UInt8]) {
        appendBytes(encoded)
    }
}
