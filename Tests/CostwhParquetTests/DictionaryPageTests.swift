import Testing

@testable import CostwhParquet

/// A text chunk's dictionary page: its own dictionary written as gathered, a chunk of
/// registered values written in handle order with its rows' indices renumbered, and the
/// statistics found on the way.
@Suite struct DictionaryPageTests {
    /// The page's entries, each after its 4-byte little-endian length.
    static func entries(_ page: [UInt8]) -> [String] {
        var out: [String] = []
        var at = 0
        while at < page.count {
            let n = Int(page[at]) | Int(page[at + 1]) << 8 | Int(page[at + 2]) << 16 | Int(page[at + 3]) << 24
            out.append(String(decoding: page[(at + 4)..<(at + 4 + n)], as: UTF8.self))
            at += 4 + n
        }
        return out
    }

    static func chunk(own: ByteDictionary, registered: ByteDictionary, handles: [Int32], indices: [UInt32]) -> ColumnChunkData {
        ColumnChunkData(
            spec: ParquetColumnSpec("t", .string), defined: Array(repeating: 1, count: indices.count), nulls: 0,
            dictionary: own, indices: indices, doubles: [], int64s: [], int32s: [], registered: registered,
            sharedHandles: handles, sharedBytes: handles.reduce(0) { $0 + registered.length(Int($1)) })
    }

    @Test func handlesAreOrderedAndPlaced() {
        var generator = SystemRandomNumberGenerator()
        // Word edges, a range that does not start at zero, and a single handle.
        for handles in [
            [Int32(63), 64, 0, 127, 128, 1],
            Array(Set((0..<3000).map { _ in Int32.random(in: 130..<20_000, using: &generator) })).shuffled(),
            [Int32(4_000_000)],
        ] {
            let order = HandleOrder(handles)
            #expect(order.sorted == handles.sorted())
            for (place, handle) in handles.sorted().enumerated() {
                #expect(order.position(of: handle) == UInt32(place), "handle \(handle)")
            }
        }
    }

    @Test func registeredValuesAreListedInHandleOrder() throws {
        var registered = ByteDictionary()
        let values = (0..<500).map { "resource-\(($0 * 7919) % 500)-\(String(repeating: "é", count: $0 % 5))" }
        for v in values {
            var v = v
            _ = v.withUTF8 { registered.appendNew($0) }
        }
        // The chunk names 120 of them in a scrambled order; its rows name each several times.
        let handles = (0..<120).map { Int32(($0 * 37 + 11) % 500) }
        let indices = (0..<1000).map { UInt32(($0 * 13) % 120) }
        let chunk = Self.chunk(own: ByteDictionary(), registered: registered, handles: handles, indices: indices)
        var page: [UInt8] = [9, 9]
        let written = DictionaryPage(chunk, statisticsLimit: 256, into: &page)
        #expect(page.prefix(2) == [9, 9], "written after what the page held")
        let listed = Self.entries(Array(page.dropFirst(2)))
        #expect(written.count == 120 && listed.count == 120)
        #expect(listed == handles.sorted().map { values[Int($0)] })
        let renumbered = try #require(written.indices)
        for (row, old) in indices.enumerated() {
            #expect(listed[Int(renumbered[row])] == values[Int(handles[Int(old)])], "row \(row)")
        }
        let named = handles.map { Array(values[Int($0)].utf8) }
        #expect(written.min == named.min { $0.lexicographicallyPrecedes($1) })
        #expect(written.max == named.max { $0.lexicographicallyPrecedes($1) })
    }

    @Test func ownValuesAreListedAsGathered() {
        var own = ByteDictionary()
        // Bytes past 0x7F compare unsigned: "é" sorts after "z".
        for v in ["m", "é", "", "z", "ab", "a"] {
            var v = v
            _ = v.withUTF8 { own.index(of: $0) }
        }
        let chunk = Self.chunk(own: own, registered: ByteDictionary(), handles: [], indices: [0, 1, 2, 3, 4, 5, 0])
        var page: [UInt8] = []
        let written = DictionaryPage(chunk, statisticsLimit: 256, into: &page)
        #expect(written.indices == nil)
        #expect(Self.entries(page) == ["m", "é", "", "z", "ab", "a"])
        #expect(written.min == [] && written.max == Array("é".utf8))
    }

    @Test func aLongValueLeavesTheStatisticsOut() {
        var registered = ByteDictionary()
        for v in ["b", String(repeating: "x", count: 300), "a"] {
            var v = v
            _ = v.withUTF8 { registered.appendNew($0) }
        }
        let chunk = Self.chunk(own: ByteDictionary(), registered: registered, handles: [2, 1, 0], indices: [0, 1, 2])
        var page: [UInt8] = []
        let written = DictionaryPage(chunk, statisticsLimit: 256, into: &page)
        #expect(Self.entries(page) == ["b", String(repeating: "x", count: 300), "a"])
        #expect(written.indices == [2, 1, 0])
        #expect(written.min == nil && written.max == nil)
    }
}
