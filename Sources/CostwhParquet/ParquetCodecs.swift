import CLZ4
import CSnappy
import CZlib
import CZstd

/// Decompresses one page with the system libraries (zlib, snappy, zstd, lz4), into exactly
/// the size its header announces: a page that inflates to more or less is refused, so a
/// hostile header cannot make a decompressor write past the buffer or costwh allocate more
/// than `ParquetLimits.pageBytes`.
enum ParquetCodecs {
    static func decompress(
        _ input: UnsafeRawBufferPointer, codec: Codec, into size: Int
    ) throws(ParquetError) -> [UInt8] {
        guard (0...ParquetLimits.pageBytes).contains(size) else {
            throw ParquetError("a page claims \(size) bytes uncompressed; the limit is \(ParquetLimits.pageBytes)")
        }
        if size == 0 && input.isEmpty { return [] }
        if codec == .uncompressed {
            guard input.count == size else {
                throw ParquetError("an uncompressed page holds \(input.count) bytes, not the \(size) its header says")
            }
            return Array(input)
        }
        var output = [UInt8](repeating: 0, count: size)
        let produced: Int = try output.parquetMutableBytes { (out) throws(ParquetError) -> Int in
            let source = input.baseAddress
            switch codec {
            case .snappy:
                var expected = 0
                guard let source,
                    snappy_uncompressed_length(source.assumingMemoryBound(to: CChar.self), input.count, &expected)
                        == SNAPPY_OK, expected == size
                else { throw ParquetError("a SNAPPY page is damaged or not the size its header says") }
                var length = size
                guard size == 0
                    || snappy_uncompress(
                        source.assumingMemoryBound(to: CChar.self), input.count,
                        out.baseAddress!.assumingMemoryBound(to: CChar.self), &length) == SNAPPY_OK
                else { throw ParquetError("a SNAPPY page is damaged") }
                return length
            case .zstd:
                guard let source else { throw ParquetError("an empty ZSTD page") }
                let n = ZSTD_decompress(out.baseAddress, size, source, input.count)
                guard ZSTD_isError(n) == 0 else { throw ParquetError("a ZSTD page is damaged") }
                return n
            case .lz4Raw:
                guard let source, input.count <= Int(Int32.max) else { throw ParquetError("an empty LZ4_RAW page") }
                if size == 0 { return 0 }
                let n = LZ4_decompress_safe(
                    source.assumingMemoryBound(to: CChar.self), out.baseAddress!.assumingMemoryBound(to: CChar.self),
                    Int32(input.count), Int32(size))
                guard n >= 0 else { throw ParquetError("an LZ4_RAW page is damaged") }
                return Int(n)
            case .gzip:
                return try inflate(input, into: out)
            default:
                throw ParquetError(
                    "compression codec \(codec.name) is not supported; costwh reads UNCOMPRESSED, SNAPPY, GZIP, ZSTD and LZ4_RAW. Rewrite the file with one of them (pyarrow: compression='zstd')"
                )
            }
        }
        guard produced == size else {
            throw ParquetError("a \(codec.name) page inflates to \(produced) bytes, not the \(size) its header says")
        }
        return output
    }

    /// gzip or zlib (Parquet's GZIP is gzip; some writers use zlib framing).
    static func inflate(_ input: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) throws(ParquetError)
        -> Int
    {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError("zlib could not start")
        }
        defer { inflateEnd(&stream) }
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(out.count)
        while true {
            let status = CZlib.inflate(&stream, Z_FINISH)
            // Several gzip members one after another (some writers concatenate them).
            if status == Z_STREAM_END && stream.avail_in > 0 && stream.avail_out > 0 {
                guard inflateReset(&stream) == Z_OK else { throw ParquetError("a GZIP page is damaged") }
                continue
            }
            guard status == Z_STREAM_END || (status == Z_BUF_ERROR && stream.avail_out == 0 && stream.avail_in == 0)
            else { throw ParquetError("a GZIP page is damaged or larger than its header says") }
            return out.count - Int(stream.avail_out)
        }
    }
}
