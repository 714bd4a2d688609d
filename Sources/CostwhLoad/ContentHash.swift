import CostwhBytes
import CostwhTransform

/// The content hash the ledger records: XXH64 over the XXH64 of each part's bytes (after
/// decompression), in order. A report whose hash equals the last load's is unchanged.
package enum ContentHash {
    package static func combine(_ partDigests: [UInt64]) -> String {
        var hasher = XXH64()
        for digest in partDigests {
            var d = digest.littleEndian
            withUnsafeBytes(of: &d) { hasher.update($0) }
        }
        return "xxh64:" + String(hasher.finalize(), radix: 16)
    }

    package static func compute(_ parts: [LoadPart]) throws(BytesError) -> String {
        var digests: [UInt64] = []
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        for part in parts {
            let source = HashingByteSource(try part.open())
            while try source.read(into: buffer) > 0 {}
            digests.append(source.digest)
        }
        return combine(digests)
    }
}
