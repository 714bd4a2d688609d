import Synchronization

/// Counts the bytes read from a file or download before any decompression or transcoding,
/// so progress can be shown against the size that is known up front (a file's size, a
/// blob's byteCount).
package final class ByteMeter: Sendable {
    private let count = Atomic<Int>(0)

    package init() {}

    package var bytes: Int { count.load(ordering: .relaxed) }

    func add(_ n: Int) { count.add(n, ordering: .relaxed) }
}

/// A source that reports what passes through it to a meter.
package final class MeteredByteSource: ByteSource {
    package var name: String { inner.name }
    private let inner: ByteSource
    private let meter: ByteMeter

    package init(_ inner: ByteSource, meter: ByteMeter) {
        self.inner = inner
        self.meter = meter
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int {
        let n = try inner.read(into: buffer)
        meter.add(n)
        return n
    }
}
