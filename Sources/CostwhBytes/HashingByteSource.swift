/// Passes bytes through while hashing them, so a load records what it read.
public final class HashingByteSource: ByteSource {
    private let inner: ByteSource
    private var hasher = XXH64()
    public private(set) var byteCount = 0
    public var name: String { inner.name }

    public init(_ inner: ByteSource) { self.inner = inner }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int {
        let n = try inner.read(into: buffer)
        if n > 0 {
            hasher.update(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<n]))
            byteCount += n
        }
        return n
    }

    public var digest: UInt64 { hasher.finalize() }
}
