/// A 128-bit content key made of two seeded XXH64 hashes.
public struct Hash128: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(_ buffer: UnsafeRawBufferPointer) {
        high = XXH64.hash(buffer, seed: 0)
        low = XXH64.hash(buffer, seed: 0x5EED_C057_0000_0001)
    }
}
