import CostwhBytes
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Encodes and writes a file's row groups on a thread of its own, in order, while the caller
/// gathers the next row group: encoding (levels, dictionary indices, statistics) and
/// compression are a fifth of an export, and the reading side keeps one core busy already.
/// At most one row group waits for the encoder (`HandoffThread`), so memory stays bounded by
/// three row groups: gathered, waiting, encoded. A row group written is handed back for its
/// buffers (`takeReturned`).
///
/// The encoder owns the file while it runs: `drain` waits until every row group submitted
/// is written and hands the file back (its size, the row groups' metadata, or the first
/// error).
final class RowGroupEncoder {
    typealias RowGroup = (columns: [ColumnChunkData], rows: Int)
    private let thread: HandoffThread<RowGroup, ParquetError>

    init(sink: ParquetFileSink, compression: ParquetCompression) {
        // Used by the encoding thread only.
        let compressor = PageCompressor(compression)
        thread = HandoffThread(name: "costwh parquet encoder") { (group: inout RowGroup) throws(ParquetError) in
            try sink.writeRowGroup(group.columns, rows: group.rows, compressor: compressor)
        }
    }

    /// Hands a row group over; waits while an earlier one is still waiting (not while one is
    /// being encoded). Throws the encoder's first failure.
    func submit(_ columns: [ColumnChunkData], rows: Int) throws(ParquetError) {
        try thread.submit((columns, rows))
    }

    /// The columns of a row group already written, for the writer to gather the next one in
    /// (nil if none is back yet).
    func takeReturned() -> [ColumnChunkData]? {
        thread.takeReturned()?.columns
    }

    /// Waits until every row group submitted is written; throws the first failure.
    func drain() throws(ParquetError) {
        try thread.drain()
    }

    /// Stops the thread after what it is doing (the writer is going away).
    func stop() {
        thread.stop()
    }
}

/// The file a writer writes: its descriptor, the bytes written, and each row group's
/// metadata for the footer. Used by one thread at a time (the encoder's while it runs).
final class ParquetFileSink: @unchecked Sendable {
    let path: String
    private(set) var descriptor: Int32
    private(set) var written = 0
    private(set) var rowGroups: [[UInt8]] = []

    init(path: String) throws(ParquetError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw ParquetError("cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    /// Encodes a row group's column chunks, writes them, and keeps the row group's metadata.
    func writeRowGroup(_ columns: [ColumnChunkData], rows: Int, compressor: PageCompressor) throws(ParquetError) {
        let groupStart = written
        var meta = ThriftCompactWriter()
        var uncompressed = 0
        var chunks: [(EncodedChunk, Int)] = []
        for column in columns {
            let chunk = try ParquetChunkEncoder.encode(column, compressor: compressor)
            let start = written
            try write(chunk.bytes)
            uncompressed += chunk.uncompressedSize
            chunks.append((chunk, start))
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
                            m.i32(4, compressor.compression.codec)
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
            g.i64(3, Int64(rows))
            g.i64(5, Int64(groupStart))
            g.i64(6, Int64(written - groupStart))
            g.i32(7, Int32(rowGroups.count))
        }
        rowGroups.append(meta.bytes)
    }

    func write(_ bytes: [UInt8]) throws(ParquetError) {
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

    /// Syncs and closes the file.
    func close() throws(ParquetError) {
        guard fsync(descriptor) == 0 else { throw ParquetError("cannot sync \(path): \(String(cString: strerror(errno)))") }
        Glibc.close(descriptor)
        descriptor = -1
    }
}
