import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Encodes and writes a file's row groups on a thread of its own, in order, while the caller
/// gathers the next row group: encoding (levels, dictionary indices, statistics) and
/// compression are a fifth of an export, and the reading side keeps one core busy already.
/// At most one row group waits for the encoder, so memory stays bounded by two row groups.
///
/// The encoder owns the file while it runs: `drain` waits until every row group submitted
/// is written and hands the file back (its size, the row groups' metadata, or the first
/// error). The state shared by the two threads is guarded by one condition.
final class RowGroupEncoder: @unchecked Sendable {
    private let sink: ParquetFileSink
    /// Used by the encoding thread only.
    private let compressor: PageCompressor
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var waiting: (columns: [ColumnChunkData], rows: Int)?
    /// The last row group written, handed back for its buffers (`takeReturned`).
    private var returned: [ColumnChunkData]?
    private var busy = false
    private var failure: ParquetError?
    private var stopping = false
    private var running = false

    init(sink: ParquetFileSink, compression: ParquetCompression) {
        self.sink = sink
        compressor = PageCompressor(compression)
    }

    /// Hands a row group over; waits while an earlier one is still waiting (not while one is
    /// being encoded). Throws the encoder's first failure.
    func submit(_ columns: [ColumnChunkData], rows: Int) throws(ParquetError) {
        condition.lock()
        defer { condition.unlock() }
        if !running {
            running = true
            let thread = Thread { [self] in work() }
            thread.name = "costwh parquet encoder"
            thread.start()
        }
        while waiting != nil && failure == nil { condition.wait() }
        if let failure { throw failure }
        waiting = (columns, rows)
        condition.broadcast()
    }

    /// The columns of a row group already written, for the writer to gather the next one in
    /// (nil if none is back yet).
    func takeReturned() -> [ColumnChunkData]? {
        condition.lock()
        defer { condition.unlock() }
        return returned.take()
    }

    /// Waits until every row group submitted is written; throws the first failure.
    func drain() throws(ParquetError) {
        condition.lock()
        defer { condition.unlock() }
        while waiting != nil || busy { condition.wait() }
        if let failure { throw failure }
    }

    /// Stops the thread after what it is doing (the writer is going away).
    func stop() {
        condition.lock()
        stopping = true
        waiting = nil
        condition.broadcast()
        while busy { condition.wait() }
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while waiting == nil && !stopping { condition.wait() }
            guard !stopping, var group = waiting, failure == nil else {
                condition.unlock()
                return
            }
            waiting = nil
            busy = true
            condition.broadcast()
            condition.unlock()

            var failed: ParquetError?
            do {
                try sink.writeRowGroup(group.columns, rows: group.rows, compressor: compressor)
            } catch {
                failed = error
            }

            condition.lock()
            busy = false
            // Handed back with no other reference to its arrays, so that the writer reuses
            // them in place.
            returned = group.columns
            group.columns = []
            if let failed, failure == nil { failure = failed }
            condition.broadcast()
            condition.unlock()
        }
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
