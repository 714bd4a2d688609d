import CZlib

/// Inflates a gzip (or zlib) stream on the fly, including files of several gzip members
/// concatenated, as `cat a.gz b.gz` or some exporters produce.
package final class GzipByteSource: ByteSource {
    package var name: String { inner.name }
    private let inner: ByteSource
    private var stream = z_stream()
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnded = false
    private var finished = false
    private var memberOpen = false

    package init(wrapping inner: ByteSource, bufferSize: Int = 1 << 20) throws(BytesError) {
        self.inner = inner
        input = .allocate(byteCount: bufferSize, alignment: 16)
        // 15 + 32: auto-detect gzip or zlib headers.
        let status = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            input.deallocate()
            throw .decompressionFailed(name: inner.name, reason: "zlib could not start (\(status))")
        }
    }

    deinit {
        inflateEnd(&stream)
        input.deallocate()
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int {
        guard !finished, buffer.count > 0 else { return 0 }
        stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
        while stream.avail_out > 0 {
            if stream.avail_in == 0 && !inputEnded {
                let n = try inner.read(into: input)
                if n == 0 {
                    inputEnded = true
                } else {
                    stream.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.avail_in = UInt32(n)
                }
            }
            if stream.avail_in == 0 && inputEnded {
                finished = true
                if memberOpen { throw .decompressionFailed(name: name, reason: "the gzip stream is truncated") }
                return buffer.count - Int(stream.avail_out)
            }
            let status = inflate(&stream, Z_NO_FLUSH)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                memberOpen = true
            case Z_STREAM_END:
                // Another member may follow; a reset keeps the output position.
                memberOpen = false
                inflateReset(&stream)
            default:
                finished = true
                let message = stream.msg.map { String(cString: $0) } ?? "error \(status)"
                throw .decompressionFailed(name: name, reason: message)
            }
        }
        return buffer.count
    }
}
