/// Hands out bytes already read (for detection), then the rest of the stream.
package final class ReplayByteSource: ByteSource {
    package var name: String { inner.name }
    private let inner: ByteSource
    private var prefix: [UInt8]
    private var offset = 0

    package init(prefix: [UInt8], then inner: ByteSource) {
        self.prefix = prefix
        self.inner = inner
    }

    /// Reads up to `limit` bytes from `source` (fewer only at its end).
    package static func readPrefix(of source: ByteSource, limit: Int) throws(BytesError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(limit, 1), alignment: 8)
        defer { buffer.deallocate() }
        var filled = 0
        while filled < limit {
            let n = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<limit]))
            if n == 0 { break }
            filled += n
        }
        return Array(buffer.prefix(filled))
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int {
        if offset < prefix.count {
            let n = min(buffer.count, prefix.count - offset)
            prefix.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress! + offset, byteCount: n) }
            offset += n
            if offset == prefix.count {
                prefix = []
                offset = Int.max
            }
            return n
        }
        return try inner.read(into: buffer)
    }
}
