/// A 128-bit content key made of two seeded XXH64 hashes.
package struct Hash128: Hashable, Sendable {
    package let high: UInt64
    package let low: UInt64

    package init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    package init(_ buffer: UnsafeRawBufferPointer) {
        high = XXH64.hash(buffer, seed: 0)
        low = XXH64.hash(buffer, seed: 0x5EED_C057_0000_0001)
    }
}
