/// A 128-bit content key made of two seeded XXH64 hashes.
public struct Hash128: Hashable, Sendable {
    public let high: UInt64
    public let low: UInt64

    @inlinable
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    // Public and inlinable: the stores' key caches compare hashes per dimension and row from
    // another module (the synthesised `==` was a call through a witness), and Swift 6.3 does
    // not inline a `package` type's members across modules.
    @inlinable
    public static func == (a: Hash128, b: Hash128) -> Bool { a.high == b.high && a.low == b.low }

    package init(_ buffer: UnsafeRawBufferPointer) {
        (high, low) = XXH64.hashPair(buffer, 0, 0x5EED_C057_0000_0001)
    }
}
