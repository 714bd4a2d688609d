import CostwhBytes
import Foundation

/// The distinct byte strings of a column chunk, each stored once, found by their bytes
/// without making a `String` (open addressing over XXH64 hashes). A lake export puts a
/// hundred million cells through this; most of them repeat.
struct ByteDictionary {
    /// Every entry's bytes, back to back; entry `i` is `storage[offsets[i]..<offsets[i + 1]]`.
    private(set) var storage: [UInt8] = []
    private(set) var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Entry index + 1 per slot; 0 is empty.
    private var slots: [UInt32] = Array(repeating: 0, count: 1024)

    /// Entries are appended as they come, not looked up (`appendPlain`): the chunk is past
    /// the dictionary limit and will be written PLAIN, so hashing its values finds nothing
    /// worth finding (AdditionalInfo, nearly one value per row, was a fifth of an export's
    /// gathering thread).
    private(set) var isPlain = false

    var count: Int { offsets.count - 1 }
    var byteCount: Int { storage.count }

    /// The entry's index, adding it when it is new; past `makePlain`, a new entry each time.
    mutating func index(of bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        if isPlain { return appendPlain(bytes) }
        if hashes.count < count { indexAppended() }
        let hash = XXH64.hash(UnsafeRawBufferPointer(bytes))
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let held = slots[slot]
            if held == 0 { break }
            let entry = Int(held - 1)
            if hashes[entry] == hash && equals(entry, bytes) { return UInt32(entry) }
            slot = (slot + 1) & mask
        }
        let entry = count
        storage.append(contentsOf: bytes)
        offsets.append(storage.count)
        hashes.append(hash)
        slots[slot] = UInt32(entry + 1)
        if hashes.count * 2 > slots.count { grow() }
        return UInt32(entry)
    }

    /// Adds an entry the caller knows is not in the dictionary, without hashing it: a writer's
    /// registered values (distinct by construction) entering a chunk, millions of times in an
    /// export. The entries are hashed into the table only if `index(of:)` is called later
    /// (text appended to the same column another way; the export never does).
    mutating func appendNew(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        appendPlain(bytes)
    }

    /// Puts the entries `appendNew` added into the hash table. An entry whose bytes were
    /// already in the dictionary stays a second entry with the same bytes: a dictionary page
    /// may repeat a value, and every index still reads back its own bytes.
    private mutating func indexAppended() {
        for entry in hashes.count..<count {
            let hash = withEntry(entry) { XXH64.hash(UnsafeRawBufferPointer($0)) }
            hashes.append(hash)
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = UInt32(entry + 1)
            if hashes.count * 2 > slots.count { grow() }
        }
    }

    /// Makes room for `count` more entries of `bytes` bytes in all, and (`hashed`) a table
    /// that holds them without growing; entries that `appendNew` will add need no table.
    mutating func reserve(count more: Int, bytes: Int, hashed: Bool = true) {
        storage.reserveCapacity(storage.count + bytes)
        offsets.reserveCapacity(offsets.count + more)
        guard hashed else { return }
        hashes.reserveCapacity(hashes.count + more)
        var size = slots.count
        while (hashes.count + more) * 2 > size { size *= 2 }
        if size > slots.count { rehash(slots: size) }
    }

    /// From now on (until `removeAll`) values are appended without being looked up.
    mutating func makePlain() {
        isPlain = true
    }

    private mutating func appendPlain(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        storage.append(contentsOf: bytes)
        offsets.append(storage.count)
        return UInt32(offsets.count - 2)
    }

    /// Entry `entry` holds exactly `bytes`.
    func equals(_ entry: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = offsets[entry]
        let length = offsets[entry + 1] - start
        guard length == bytes.count else { return false }
        guard length > 0 else { return true }
        return storage.withUnsafeBufferPointer { all in
            memcmp(all.baseAddress! + start, bytes.baseAddress!, length) == 0
        }
    }

    private mutating func grow() {
        rehash(slots: slots.count * 2)
    }

    /// A table of `size` slots (a power of two) holding the hashed entries.
    private mutating func rehash(slots size: Int) {
        var bigger = [UInt32](repeating: 0, count: size)
        let mask = bigger.count - 1
        for entry in 0..<hashes.count {
            var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = UInt32(entry + 1)
        }
        slots = bigger
    }

    func withEntry<T>(_ entry: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let start = offsets[entry]
        let end = offsets[entry + 1]
        return try storage.withUnsafeBufferPointer { all in try body(UnsafeBufferPointer(rebasing: all[start..<end])) }
    }

    func length(_ entry: Int) -> Int { offsets[entry + 1] - offsets[entry] }

    /// Entry `a` sorts before entry `b` as unsigned bytes. memcmp compares as unsigned bytes;
    /// `lexicographicallyPrecedes` went byte by byte through the generic path (2 % of a lake
    /// export's samples, each row group's text statistics).
    func precedes(_ a: Int, _ b: Int) -> Bool {
        storage.withUnsafeBufferPointer { all in
            Self.precedes(offsets[a]..<offsets[a + 1], offsets[b]..<offsets[b + 1], in: all)
        }
    }

    /// The bytes at `a` sort before those at `b` as unsigned bytes: memcmp of the common
    /// length, then the shorter first.
    static func precedes(_ a: Range<Int>, _ b: Range<Int>, in storage: UnsafeBufferPointer<UInt8>) -> Bool {
        precondition(a.lowerBound >= 0 && b.lowerBound >= 0 && a.upperBound <= storage.count && b.upperBound <= storage.count)
        let common = min(a.count, b.count)
        if common > 0 {
            let order = memcmp(storage.baseAddress! + a.lowerBound, storage.baseAddress! + b.lowerBound, common)
            if order != 0 { return order < 0 }
        }
        return a.count < b.count
    }

    mutating func removeAll() {
        isPlain = false
        storage.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        offsets.append(0)
        hashes.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
    }
}
