import Testing

@testable import CostwhPipeline

/// The keys a partition names in a dimension: kept as bits while they are SQLite's small row
/// numbers, as a hash set once one is not, with the same answers either way.
@Suite struct KeySetTests {
    @Test func denseKeysAreCountedOnce() {
        var keys = KeySet()
        #expect(keys.isEmpty && keys.min == nil && keys.max == nil)
        for key: Int64 in [5, 64, 63, 5, 0, 4_000, 64, 127, 128] { keys.insert(key) }
        #expect(keys.count == 7)
        #expect(keys.min == 0 && keys.max == 4_000)
        for key: Int64 in [0, 5, 63, 64, 127, 128, 4_000] { #expect(keys.contains(key), "\(key)") }
        for key: Int64 in [1, 62, 65, 126, 129, 3_999, 4_001, 1 << 40, -5] { #expect(!keys.contains(key), "\(key)") }
    }

    /// A key past the bitmap's range (a hash, or a negative one) turns the set into a hash
    /// set holding every key seen before.
    @Test func aSparseKeyKeepsEveryKeySeen() {
        for odd: Int64 in [-1, KeySet.denseLimit, .max, .min] {
            var keys = KeySet()
            var expected = Set<Int64>()
            for key in stride(from: Int64(3), to: 3_000, by: 7) {
                keys.insert(key)
                expected.insert(key)
            }
            keys.insert(odd)
            expected.insert(odd)
            for key: Int64 in [10, 17, 999, odd, 10] {
                keys.insert(key)
                expected.insert(key)
            }
            #expect(keys.count == expected.count)
            #expect(keys.min == expected.min() && keys.max == expected.max())
            for key in expected { #expect(keys.contains(key), "\(key)") }
            for key: Int64 in [4, 11, 2_999, 1 << 30] where !expected.contains(key) { #expect(!keys.contains(key), "\(key)") }
        }
    }
}
