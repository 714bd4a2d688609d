import CostwhLoad

/// The distinct keys a partition's rows name in one dimension. A bitmap while the keys are
/// small non-negative numbers (SQLite numbers a dimension's rows), a hash set from the first
/// key that is not (PostgreSQL's keys are hashes spread over all of Int64).
///
/// The export gathers these before it writes (`DimensionedExport`): for AdditionalInfo, from
/// a pass over the partition's million fact rows that nothing else overlaps. A `Set<Int64>`
/// insert per row was a seventh of that pass's samples; a bit set is a shift and an OR.
struct KeySet {
    /// Keys below this are kept as bits (8 MiB of them at most).
    static let denseLimit: Int64 = 1 << 26

    private var words: [UInt64] = []
    /// Every key, once a key did not fit the bitmap; `words` is then empty.
    private var sparse: Set<Int64>?
    private(set) var count = 0
    private(set) var min: Int64?
    private(set) var max: Int64?

    var isEmpty: Bool { count == 0 }

    mutating func insert(_ key: Int64) {
        if sparse == nil, key >= 0, key < Self.denseLimit {
            let w = Int(key >> 6)
            if w >= words.count { words.append(contentsOf: repeatElement(0, count: Swift.max(w + 1, 2 * words.count) - words.count)) }
            let bit = UInt64(1) << UInt64(key & 63)
            guard words[w] & bit == 0 else { return }
            words[w] |= bit
        } else {
            if sparse == nil { makeSparse() }
            guard sparse!.insert(key).inserted else { return }
        }
        count += 1
        min = Swift.min(min ?? key, key)
        max = Swift.max(max ?? key, key)
    }

    func contains(_ key: Int64) -> Bool {
        if let sparse { return sparse.contains(key) }
        guard key >= 0, key < Self.denseLimit else { return false }
        let w = Int(key >> 6)
        return w < words.count && words[w] & (UInt64(1) << UInt64(key & 63)) != 0
    }

    /// Each key of a row's cell (`number`: one call into the store rather than `kind` and
    /// `int64`); a NULL names no key.
    mutating func insert(_ cursor: any RowCursor, _ i: Int) {
        switch cursor.number(i) {
        case .null: return
        case .integer(let key): insert(key)
        case .real, .other: insert(cursor.int64(i))
        }
    }

    private mutating func makeSparse() {
        var keys = Set<Int64>(minimumCapacity: count + 1)
        for (w, word) in words.enumerated() {
            var bits = word
            while bits != 0 {
                keys.insert(Int64(w << 6 | bits.trailingZeroBitCount))
                bits &= bits - 1
            }
        }
        words = []
        sparse = keys
    }
}
