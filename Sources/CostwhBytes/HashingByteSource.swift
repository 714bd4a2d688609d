/// Passes bytes through while hashing them, so a load records what it read.
package final class HashingByteSource: ByteSource {
    private let inner: ByteSource
    private var hasher = XXH64()
    package private(set) var byteCount = 0
    package var name: String { inner.name }
    package var inputForm: String? { inner.inputForm }
    package var randomAccessPath: String? { inner.randomAccessPath }

    package init(_ inner: ByteSource) { self.inner = inner }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int {
        let n = try inner.read(into: buffer)
        if n > 0 {
            hasher.update(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<n]))
            byteCount += n
        }
        return n
    }

    package var digest: UInt64 { hasher.finalize() }
}
