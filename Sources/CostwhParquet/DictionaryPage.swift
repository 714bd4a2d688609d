import Foundation

/// A text chunk's dictionary page (its distinct values PLAIN, each after its 4-byte length),
/// written in one pass that also finds the values' minimum and maximum for the statistics.
///
/// A chunk that shares registered values lists them in the order of their handles, not in
/// the order its rows first named them, and its indices are renumbered to match. The rows
/// name a dimension's values in no order (a row group of the benchmark names 5,300 of 20,000
/// resources, each at a random place in the registry), so a page copied in first-seen order
/// read the registry at random: its copy and the statistics' comparisons, a second pass,
/// were 14 % of a one-partition export's samples (`perf record`), a third of the encoding
/// thread's, waiting on memory. In handle order, in one pass, they are 7 %: the registry is
/// read front to back. The page and the indices say the same values either way.
struct DictionaryPage {
    /// Each row's index into the page, where the page's order is not the chunk's own (nil:
    /// the chunk's indices as gathered).
    private(set) var indices: [UInt32]?
    /// Entries on the page.
    private(set) var count = 0
    /// The smallest and largest value as unsigned bytes; nil when a value is longer than
    /// `statisticsLimit` (statistics are left out rather than cut) or the page is empty.
    private(set) var min: [UInt8]?
    private(set) var max: [UInt8]?

    /// Writes `column`'s dictionary page after what `page` holds.
    init(_ column: ColumnChunkData, statisticsLimit: Int, into page: inout [UInt8]) {
        if column.sharedHandles.isEmpty {
            let dictionary = column.dictionary
            count = dictionary.count
            write(0..<count, of: dictionary, statisticsLimit: statisticsLimit, into: &page)
            return
        }
        let order = HandleOrder(column.sharedHandles)
        count = order.sorted.count
        write(order.sorted.lazy.map { Int($0) }, of: column.registered, statisticsLimit: statisticsLimit, into: &page)
        indices = column.indices.map { old in
            precondition(Int(old) < column.sharedHandles.count, "a row's index past its chunk's values")
            return order.position(of: column.sharedHandles[Int(old)])
        }
    }

    private mutating func write(
        _ entries: some Sequence<Int>, of dictionary: ByteDictionary, statisticsLimit: Int, into page: inout [UInt8]
    ) {
        let offsets = dictionary.offsets
        var total = 0
        for entry in entries { total += 4 + offsets[entry + 1] - offsets[entry] }
        let start = page.count
        page.append(contentsOf: repeatElement(0, count: total))
        var low: Range<Int>?
        var high: Range<Int>?
        var measured = true
        dictionary.storage.withUnsafeBufferPointer { storage in
            page.withUnsafeMutableBufferPointer { out in
                var at = start
                for entry in entries {
                    let from = offsets[entry]
                    let length = offsets[entry + 1] - from
                    precondition(from >= 0 && length >= 0 && from + length <= storage.count, "an entry past its storage")
                    precondition(at + 4 + length <= out.count, "a dictionary page past its size")
                    let n = UInt32(length)
                    out[at] = UInt8(n & 0xFF)
                    out[at + 1] = UInt8(n >> 8 & 0xFF)
                    out[at + 2] = UInt8(n >> 16 & 0xFF)
                    out[at + 3] = UInt8(n >> 24)
                    at += 4
                    if length > 0 {
                        (out.baseAddress! + at).update(from: storage.baseAddress! + from, count: length)
                    }
                    at += length
                    // The statistics are compared while the value's bytes are in cache.
                    guard measured else { continue }
                    guard length <= statisticsLimit else {
                        measured = false
                        continue
                    }
                    let value = from..<(from + length)
                    if let l = low, let h = high {
                        if ByteDictionary.precedes(value, l, in: storage) { low = value }
                        if ByteDictionary.precedes(h, value, in: storage) { high = value }
                    } else {
                        low = value
                        high = value
                    }
                }
            }
            if measured, let low, let high {
                min = Array(storage[low])
                max = Array(storage[high])
            }
        }
    }
}

/// A chunk's registered handles in ascending order, and each handle's place in that order,
/// from a bitmap over the handles' range: linear in the handles and the range's words, where
/// a comparison sort of a row group's 5,000 handles cost more than the copy it saves.
struct HandleOrder {
    private(set) var sorted: [Int32] = []
    private var base = 0
    private var words: [UInt64] = []
    /// The number of handles in the words before each word.
    private var before: [Int32] = []

    init(_ handles: [Int32]) {
        guard let low = handles.min(), let high = handles.max() else { return }
        precondition(low >= 0, "a negative handle")
        base = Int(low) >> 6
        words = [UInt64](repeating: 0, count: (Int(high) >> 6) - base + 1)
        for handle in handles { words[Int(handle) >> 6 - base] |= 1 << UInt64(handle & 63) }
        before.reserveCapacity(words.count)
        sorted.reserveCapacity(handles.count)
        for (w, word) in words.enumerated() {
            before.append(Int32(sorted.count))
            var bits = word
            while bits != 0 {
                sorted.append(Int32((base + w) << 6 | bits.trailingZeroBitCount))
                bits &= bits - 1
            }
        }
    }

    /// The handle's place among the sorted handles; the handle is one of them.
    func position(of handle: Int32) -> UInt32 {
        let w = Int(handle) >> 6 - base
        let below = words[w] & ((1 << UInt64(handle & 63)) - 1)
        return UInt32(Int(before[w]) + below.nonzeroBitCount)
    }
}
