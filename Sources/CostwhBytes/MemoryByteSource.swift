/// Bytes already in memory; used for small payloads and in tests.
package final class MemoryByteSource: ByteSource {
    package let name: String
    private let bytes: [UInt8]
    private var offset = 0

    package init(name: String, bytes: [UInt8]) {
        self.name = name
        self.bytes = bytes
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int {
        let n = min(buffer.count, bytes.count - offset)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + offset, byteCount: n)
        }
        offset += n
        return n
    }
}
