import Testing

@testable import CostwhParquet

/// The writer's text dictionary: entries found by their bytes, entries added unhashed
/// (registered values) found once they are looked up, and the PLAIN mode past the limit.
@Suite struct ByteDictionaryTests {
    static func index(_ d: inout ByteDictionary, _ text: String) -> UInt32 {
        var text = text
        return text.withUTF8 { d.index(of: $0) }
    }

    static func appendNew(_ d: inout ByteDictionary, _ text: String) -> UInt32 {
        var text = text
        return text.withUTF8 { d.appendNew($0) }
    }

    static func entry(_ d: ByteDictionary, _ i: UInt32) -> String {
        d.withEntry(Int(i)) { String(decoding: $0, as: UTF8.self) }
    }

    @Test func valuesAreFoundByTheirBytes() {
        var d = ByteDictionary()
        // Enough entries to grow the table several times.
        let values = (0..<5000).map { "value \($0 % 2500) \(String(repeating: "x", count: $0 % 7))" }
        var first: [String: UInt32] = [:]
        for v in values {
            let i = Self.index(&d, v)
            if let seen = first[v] { #expect(i == seen, "\(v) got a second entry") } else { first[v] = i }
            #expect(Self.entry(d, i) == v)
        }
        #expect(d.count == first.count)
    }

    @Test func entriesAddedUnhashedAreFoundWhenLookedUp() {
        var d = ByteDictionary()
        let registered = (0..<3000).map { "registered \($0)" }
        let indices = registered.map { Self.appendNew(&d, $0) }
        #expect(indices == (0..<3000).map(UInt32.init))
        // A lookup hashes them in (growing the table on the way) and finds each one.
        for (v, i) in zip(registered, indices) { #expect(Self.index(&d, v) == i) }
        #expect(d.count == 3000)
        let other = Self.index(&d, "another value")
        #expect(other == 3000 && Self.index(&d, "another value") == 3000)
        // Mixed again: more unhashed entries after lookups.
        let late = Self.appendNew(&d, "late registered")
        #expect(Self.index(&d, "late registered") == late)
        #expect(Self.index(&d, "registered 17") == 17)
        #expect(d.count == 3002)
    }

    @Test func aPlainDictionaryKeepsEveryValueInOrder() {
        var d = ByteDictionary()
        _ = Self.index(&d, "a")
        d.makePlain()
        let i = Self.index(&d, "a")
        let j = Self.index(&d, "a")
        #expect(i == 1 && j == 2 && d.count == 3, "plain entries are not looked up")
        d.removeAll()
        #expect(!d.isPlain && d.count == 0)
        #expect(Self.index(&d, "b") == 0 && Self.index(&d, "b") == 0)
    }

    /// Room made ahead (an export's registered AdditionalInfo) keeps every entry found: the
    /// table is rebuilt larger with the entries hashed so far, and entries added after it,
    /// hashed or not, are found as before.
    @Test func reservingKeepsEveryEntryFound() {
        var d = ByteDictionary()
        let before = (0..<700).map { "before \($0)" }
        let indices = before.map { Self.index(&d, $0) }
        let unhashed = Self.appendNew(&d, "unhashed")
        d.reserve(count: 20_000, bytes: 400_000)
        #expect(d.storage.capacity >= d.byteCount + 400_000)
        for (v, i) in zip(before, indices) { #expect(Self.index(&d, v) == i) }
        let after = (0..<20_000).map { "after \($0)" }
        let later = after.map { Self.index(&d, $0) }
        #expect(Set(later).count == after.count && d.count == 700 + 1 + 20_000)
        for (v, i) in zip(after, later) where i % 97 == 0 { #expect(Self.entry(d, i) == v && Self.index(&d, v) == i) }
        #expect(Self.index(&d, "unhashed") == unhashed)
        #expect(d.count == 700 + 1 + 20_000, "no entry was added twice")
    }

    /// Entries order as unsigned bytes (the statistics' min and max): a prefix before its
    /// extensions, bytes above 0x7F after ASCII, the empty entry first, and an entry against
    /// itself not before.
    @Test func entriesOrderAsUnsignedBytes() {
        var d = ByteDictionary()
        let values: [[UInt8]] = [
            [], [0x61], [0x61, 0x00], [0x61, 0x62], [0x62], [0x7F], [0x80], [0xC3, 0xA9], [0xFF], [0xFF, 0xFF],
            Array("Virtual Machines".utf8), Array("Virtual Machine".utf8), Array("virtual".utf8),
        ]
        let entries = values.map { v in v.withUnsafeBufferPointer { d.index(of: $0) } }
        for (i, a) in values.enumerated() {
            for (j, b) in values.enumerated() {
                let want = a.lexicographicallyPrecedes(b)
                #expect(d.precedes(Int(entries[i]), Int(entries[j])) == want, "\(a) before \(b): \(want)")
            }
        }
    }
}
