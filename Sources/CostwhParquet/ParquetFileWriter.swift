import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes one Parquet file, a row group at a time (format 2: data page v1, the encodings,
/// statistics and logical types every engine reads). Rows are appended column by column and
/// closed with `endRow`; a row group is written when it holds `rowGroupRows` rows or
/// `rowGroupBytes` bytes, so memory stays bounded whatever the file's size.
///
/// The file is created exclusively, readable by its owner only (cost data is confidential),
/// and synced to disk by `finish`, so that a caller can rename it into place.
package final class ParquetFileWriter {
    package let path: String
    let columns: [ParquetColumnBuffer]
    let compression: ParquetCompression
    let rowGroupRows: Int
    let rowGroupBytes: Int
    let metadata: [(String, String)]
    private var descriptor: Int32
    private var written = 0
    private var rowGroups: [[UInt8]] = []
    private var totalRows = 0
    private var pendingRows = 0
    private var finished = false

    package init(
        path: String, columns: [ParquetColumnSpec], compression: ParquetCompression = .zstd,
        rowGroupRows: Int = 131_072, rowGroupBytes: Int = 32 << 20, metadata: [(String, String)] = []
    ) throws(ParquetError) {
        precondition(!columns.isEmpty && rowGroupRows > 0)
        self.path = path
        self.columns = columns.map(ParquetColumnBuffer.init)
        self.compression = compression
        self.rowGroupRows = rowGroupRows
        self.rowGroupBytes = rowGroupBytes
        self.metadata = metadata
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw ParquetError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        try write(Array("PAR1".utf8))
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    package var rows: Int { totalRows + pendingRows }
    package var bytesWritten: Int { written }

    package func appendNull(_ column: Int) { columns[column].appendNull() }

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

    /// Appends registered values, `handles[k]` to column `columns[k]` (a negative handle is
    /// NULL): one call for a dimension row's columns.
    package func append(columns targets: UnsafeBufferPointer<Int32>, registered handles: UnsafeBufferPointer<Int32>) {
        precondition(targets.count == handles.count)
        for k in 0..<targets.count { columns[Int(targets[k])].append(registered: handles[k]) }
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
        pendingRows += 1
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

    /// Bytes held for registered values (the file's distinct dimension values).
    package var registeredBytes: Int { columns.reduce(0) { $0 + $1.registeredBytes } }

    private func flushRowGroup() throws(ParquetError) {
        guard pendingRows > 0 else { return }
        for column in columns where column.rows != pendingRows {
            throw ParquetError("column \(column.spec.name) has \(column.rows) values for \(pendingRows) rows")
        }
        let groupStart = written
        var meta = ThriftCompactWriter()
        var uncompressed = 0
        var chunks: [(EncodedChunk, Int)] = []
        for column in columns {
            let chunk = try ParquetChunkEncoder.encode(column, compression: compression)
            let start = written
            try write(chunk.bytes)
            uncompressed += chunk.uncompressedSize
            chunks.append((chunk, start))
            column.reset()
        }
        meta.element { g in
            g.list(1, of: .structure, count: chunks.count) { list in
                for (i, (chunk, start)) in chunks.enumerated() {
                    let spec = columns[i].spec
                    list.element { c in
                        c.i64(2, Int64(start))
                        c.structure(3) { m in
                            m.i32(1, ParquetFileWriter.physicalType(spec.kind))
                            m.listI32(2, chunk.encodings)
                            m.listStrings(3, [spec.name])
                            m.i32(4, compression.codec)
                            m.i64(5, Int64(chunk.values))
                            m.i64(6, Int64(chunk.uncompressedSize))
                            m.i64(7, Int64(chunk.bytes.count))
                            m.i64(9, Int64(start + chunk.dataPageOffset))
                            if let dictionary = chunk.dictionaryPageOffset { m.i64(11, Int64(start + dictionary)) }
                            m.structure(12) { s in
                                s.i64(3, Int64(chunk.nullCount))
                                if let max = chunk.max, let min = chunk.min {
                                    s.binary(5, max)
                                    s.binary(6, min)
                                }
                            }
                        }
                    }
                }
            }
            g.i64(2, Int64(uncompressed))
            g.i64(3, Int64(pendingRows))
            g.i64(5, Int64(groupStart))
            g.i64(6, Int64(written - groupStart))
            g.i32(7, Int32(rowGroups.count))
        }
        rowGroups.append(meta.bytes)
        totalRows += pendingRows
        pendingRows = 0
    }

    /// Writes the last row group and the footer, and syncs the file. Returns the file's size.
    @discardableResult
    package func finish() throws(ParquetError) -> Int {
        precondition(!finished, "finish() called twice")
        try flushRowGroup()
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
        try write(footer.bytes)
        let n = UInt32(footer.bytes.count)
        try write([UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + Array("PAR1".utf8))
        guard fsync(descriptor) == 0 else { throw ParquetError("cannot sync \(path): \(String(cString: strerror(errno)))") }
        close(descriptor)
        descriptor = -1
        finished = true
        return written
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

    private func write(_ bytes: [UInt8]) throws(ParquetError) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw ParquetError("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        written += bytes.count
    }
}

extension ThriftCompactWriter {
    /// A struct already encoded on its own (a row group), as a list element.
    mutating func appendRaw(_ encoded: [UInt8]) {
        appendBytes(encoded)
    }
}
