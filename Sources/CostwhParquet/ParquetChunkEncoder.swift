import Foundation

/// How the pages of a written file are compressed.
package enum ParquetCompression: String, Sendable, CaseIterable {
    case zstd, snappy, none

    /// The codec's number in the format (CompressionCodec).
    var codec: Int32 {
        switch self {
        case .none: return 0
        case .snappy: return 1
        case .zstd: return 6
        }
    }
}

/// One column chunk of a row group, encoded: its pages and what the footer says of it.
struct EncodedChunk {
    var bytes: [UInt8] = []
    var encodings: [Int32] = []
    var values = 0
    var uncompressedSize = 0
    /// Offsets within `bytes`.
    var dictionaryPageOffset: Int?
    var dataPageOffset = 0
    var nullCount = 0
    var min: [UInt8]?
    var max: [UInt8]?
}

/// Encodes a column buffer into pages (PLAIN values or RLE_DICTIONARY indices after a PLAIN
/// dictionary page; RLE definition levels; data page v1), compressed, with statistics.
enum ParquetChunkEncoder {
    /// Past this many bytes of distinct text, a chunk is written PLAIN: a dictionary that big
    /// saves little and costs every reader memory.
    static let dictionaryLimit = 1 << 20
    /// Plain text pages are cut at about this size.
    static let pageLimit = 1 << 20
    /// Text statistics longer than this are left out rather than cut.
    static let statisticsLimit = 256

    static func encode(_ column: ColumnChunkData, compressor: PageCompressor) throws(ParquetError)
        -> EncodedChunk
    {
        var chunk = EncodedChunk()
        chunk.values = column.rows
        chunk.nullCount = column.nulls
        switch column.spec.kind {
        case .string:
            let dictionary = column.entries
            let distinct = dictionary.count
            if column.distinctBytes <= dictionaryLimit && distinct > 0 {
                var page = compressor.body()
                let written = DictionaryPage(column, statisticsLimit: statisticsLimit, into: &page)
                chunk.dictionaryPageOffset = 0
                try self.page(page, header: .dictionary(count: written.count), compressor: compressor, into: &chunk)
                compressor.keep(&page)
                chunk.dataPageOffset = chunk.bytes.count
                let width = max(1, HybridEncoder.bitWidth(for: UInt32(written.count - 1)))
                var body = compressor.body(levels(column.defined))
                body.append(UInt8(width))
                HybridEncoder.encode(written.indices ?? column.indices, bitWidth: width, into: &body)
                try self.page(body, header: .data(count: column.rows, encoding: 8), compressor: compressor, into: &chunk)
                compressor.keep(&body)
                chunk.encodings = [0, 3, 8]
                chunk.min = written.min
                chunk.max = written.max
            } else {
                chunk.dataPageOffset = 0
                // Plain pages of about `pageLimit` bytes each, cut between rows.
                var start = 0
                var next = 0
                while start < column.rows {
                    var values = compressor.body()
                    var end = start
                    while end < column.rows && values.count < pageLimit {
                        if column.defined[end] == 1 {
                            dictionary.withEntry(Int(column.indices[next])) { plain($0, into: &values) }
                            next += 1
                        }
                        end += 1
                    }
                    var body = compressor.body(levels(column.defined[start..<end]))
                    body.append(contentsOf: values)
                    compressor.keep(&values)
                    try self.page(body, header: .data(count: end - start, encoding: 0), compressor: compressor, into: &chunk)
                    compressor.keep(&body)
                    start = end
                }
                chunk.encodings = [0, 3]
                if distinct > 0 && (0..<distinct).allSatisfy({ dictionary.length($0) <= statisticsLimit }) {
                    var low = 0
                    var high = 0
                    for entry in 1..<max(1, distinct) {
                        if dictionary.precedes(entry, low) { low = entry }
                        if dictionary.precedes(high, entry) { high = entry }
                    }
                    chunk.min = dictionary.withEntry(low) { Array($0) }
                    chunk.max = dictionary.withEntry(high) { Array($0) }
                }
            }
        case .double:
            var body = compressor.body(levels(column.defined))
            var low = Double.infinity
            var high = -Double.infinity
            plain(column.doubles, into: &body)
            for v in column.doubles where !v.isNaN {
                low = Swift.min(low, v)
                high = Swift.max(high, v)
            }
            try page(body, header: .data(count: column.rows, encoding: 0), compressor: compressor, into: &chunk)
            compressor.keep(&body)
            chunk.encodings = [0, 3]
            if low <= high {
                // The format asks for -0.0 as a minimum of zero and +0.0 as a maximum.
                if low == 0 { low = -0.0 }
                if high == 0 { high = 0.0 }
                chunk.min = bytes(low.bitPattern)
                chunk.max = bytes(high.bitPattern)
            }
        case .int64, .timestamp:
            var body = compressor.body(levels(column.defined))
            plain(column.int64s, into: &body)
            try page(body, header: .data(count: column.rows, encoding: 0), compressor: compressor, into: &chunk)
            compressor.keep(&body)
            chunk.encodings = [0, 3]
            if let low = column.int64s.min(), let high = column.int64s.max() {
                chunk.min = bytes(UInt64(bitPattern: low))
                chunk.max = bytes(UInt64(bitPattern: high))
            }
        case .date:
            var body = compressor.body(levels(column.defined))
            plain(column.int32s, into: &body)
            try page(body, header: .data(count: column.rows, encoding: 0), compressor: compressor, into: &chunk)
            compressor.keep(&body)
            chunk.encodings = [0, 3]
            if let low = column.int32s.min(), let high = column.int32s.max() {
                chunk.min = Array(bytes(UInt64(UInt32(bitPattern: low))).prefix(4))
                chunk.max = Array(bytes(UInt64(UInt32(bitPattern: high))).prefix(4))
            }
        }
        return chunk
    }

    static func plain(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let n = UInt32(bytes.count)
        out.append(contentsOf: [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)])
        out.append(contentsOf: bytes)
    }

    /// Fixed-width numbers as PLAIN: little-endian, back to back. On a little-endian machine
    /// that is their memory, appended at once (a million doubles are 8 million byte appends
    /// otherwise).
    static func plain<T: FixedWidthInteger>(_ values: [T], into out: inout [UInt8]) {
        #if _endian(little)
        values.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for v in values { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        #endif
    }

    static func plain(_ values: [Double], into out: inout [UInt8]) {
        #if _endian(little)
        values.withUnsafeBytes { out.append(contentsOf: $0) }
        #else
        for v in values { append(v.bitPattern, into: &out) }
        #endif
    }

    static func append(_ v: UInt64, into out: inout [UInt8]) {
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(v >> UInt64(shift) & 0xFF)) }
    }

    static func bytes(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        append(v, into: &out)
        return out
    }

    /// Definition levels (max level 1) as the RLE hybrid, with their 4-byte length.
    static func levels(_ defined: some Collection<UInt8>) -> [UInt8] {
        var encoded: [UInt8] = []
        if !defined.isEmpty && !defined.contains(0) {
            // No NULL: one RLE run of ones (what the hybrid encoder writes for it, without
            // widening every level to 32 bits first).
            HybridEncoder.varint(UInt64(defined.count) << 1, into: &encoded)
            encoded.append(1)
        } else if defined.count >= 8 && !defined.contains(1) {
            // Only NULLs (half of a cost file's columns are empty): one RLE run of zeros, as
            // the hybrid encoder writes it for eight or more, without a pass per level.
            HybridEncoder.varint(UInt64(defined.count) << 1, into: &encoded)
            encoded.append(0)
        } else {
            let done: Void? = defined.withContiguousStorageIfAvailable { HybridEncoder.encode($0, bitWidth: 1, into: &encoded) }
            if done == nil { HybridEncoder.encode(defined.map(UInt32.init), bitWidth: 1, into: &encoded) }
        }
        let n = UInt32(encoded.count)
        return [UInt8(n & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n >> 16 & 0xFF), UInt8(n >> 24)] + encoded
    }

    enum PageKind {
        case dictionary(count: Int)
        case data(count: Int, encoding: Int32)
    }

    /// Compresses a page body and appends its header and body to the chunk.
    static func page(
        _ body: [UInt8], header kind: PageKind, compressor: PageCompressor, into chunk: inout EncodedChunk
    ) throws(ParquetError) {
        // `withUnsafeBytes` throws untyped: the one error it can carry is a ParquetError.
        do {
            try body.withUnsafeBytes { input in
                try compressor.compress(input) { (compressed) throws(ParquetError) in
                    try page(body.count, compressed, header: kind, into: &chunk)
                }
            }
        } catch let error as ParquetError {
            throw error
        } catch {
            throw ParquetError("\(error)")
        }
    }

    private static func page(
        _ bodyCount: Int, _ compressed: UnsafeRawBufferPointer, header kind: PageKind, into chunk: inout EncodedChunk
    ) throws(ParquetError) {
        guard bodyCount < Int(Int32.max), compressed.count < Int(Int32.max) else {
            throw ParquetError("a page of more than 2 GiB cannot be written")
        }
        var header = ThriftCompactWriter()
        header.element { w in
            switch kind {
            case .dictionary(let count):
                w.i32(1, 2)
                w.i32(2, Int32(bodyCount))
                w.i32(3, Int32(compressed.count))
                w.structure(7) { d in
                    d.i32(1, Int32(count))
                    d.i32(2, 0)
                }
            case .data(let count, let encoding):
                w.i32(1, 0)
                w.i32(2, Int32(bodyCount))
                w.i32(3, Int32(compressed.count))
                w.structure(5) { d in
                    d.i32(1, Int32(count))
                    d.i32(2, encoding)
                    d.i32(3, 3)
                    d.i32(4, 3)
                }
            }
        }
        chunk.bytes.append(contentsOf: header.bytes)
        chunk.bytes.append(contentsOf: compressed)
        chunk.uncompressedSize += header.bytes.count + bodyCount
    }
}
