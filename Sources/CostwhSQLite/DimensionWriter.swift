import CostwhBytes
import CostwhLoad
import CostwhModel
import CostwhTransform
import GRDB

/// Finds or creates the dimension row for a set of values, keyed by a 128-bit hash of them.
///
/// Most rows repeat values already seen, so the in-memory table of keys (`HashKeyTable`, which
/// the caller keeps and passes in: `FactSink` takes its six tables once per batch, where a
/// table stored here was an exclusivity check at run time per row and dimension) answers
/// nearly every call; a miss costs one indexed lookup and, for new values, one insert.
final class DimensionWriter {
    let dimension: Dimension
    let columnCount: Int
    private let select: UncheckedStatement
    private let insert: UncheckedStatement
    /// Bounds memory on pathological inputs where nearly every row is distinct.
    private let maxCacheEntries = 1 << 18
    init(_ db: Database, dimension: Dimension, columns: [String]) throws {
        self.dimension = dimension
        self.columnCount = columns.count
        select = try UncheckedStatement(
            db, sql: "SELECT \(dimension.keyColumn) FROM \(dimension.table) WHERE KeyHash = ? AND KeyHash2 = ?")
        let placeholders = Array(repeating: "?", count: columns.count + 2).joined(separator: ", ")
        insert = try UncheckedStatement(
            db,
            sql:
                "INSERT INTO \(dimension.table) (KeyHash, KeyHash2, \(columns.joined(separator: ", "))) VALUES (\(placeholders))"
        )
    }

    /// The key for row `row` of `batch`, whose values of this dimension start at column
    /// `first` and hash to `hash` (nil: all NULL, no row). The values are only
    /// read on a miss.
    @inline(__always)
    func key(
        _ hash: Hash128?, _ batch: RowBatch, row: Int, first: Int, scratch: UnsafeMutablePointer<ByteSlice>,
        _ db: Database, _ cache: inout HashKeyTable
    ) throws -> Int64? {
        guard let hash else { return nil }
        if let known = cache.get(hash) { return known }
        batch.materialise(row, first: first, count: columnCount, into: scratch)
        return try miss(hash, UnsafePointer(scratch), db, &cache)
    }

    /// The key for values given directly (the extra JSON).
    @inline(__always)
    func key(
        _ hash: Hash128?, _ values: UnsafePointer<ByteSlice>, _ db: Database, _ cache: inout HashKeyTable
    ) throws -> Int64? {
        guard let hash else { return nil }
        if let known = cache.get(hash) { return known }
        return try miss(hash, values, db, &cache)
    }

    /// The key of a row this load already wrote or found, by its hash alone.
    func key(existing hash: Hash128, _ db: Database, _ cache: HashKeyTable) throws -> Int64 {
        if let known = cache.get(hash) { return known }
        select.bind(1, int: Int64(bitPattern: hash.high))
        select.bind(2, int: Int64(bitPattern: hash.low))
        guard let key = try select.queryInt(db) else {
            throw DatabaseError(message: "\(dimension.table) has no row for a key hash this load wrote")
        }
        return key
    }

    private func miss(
        _ hash: Hash128, _ values: UnsafePointer<ByteSlice>, _ db: Database, _ cache: inout HashKeyTable
    ) throws -> Int64 {
        let key = try resolve(hash, values, db)
        if cache.count >= maxCacheEntries { cache.removeAll() }
        cache.set(hash, key)
        return key
    }

    private func resolve(_ hash: Hash128, _ values: UnsafePointer<ByteSlice>, _ db: Database) throws -> Int64 {
        let high = Int64(bitPattern: hash.high)
        let low = Int64(bitPattern: hash.low)
        select.bind(1, int: high)
        select.bind(2, int: low)
        // Tags and AdditionalInfo arrive as valid JSON objects or NULL: the normaliser
        // repaired anything else.
        if let existing = try select.queryInt(db) { return existing }
        insert.bind(1, int: high)
        insert.bind(2, int: low)
        for i in 0..<columnCount {
            insert.bind(Int32(i + 3), text: values[i].base, count: values[i].count)
        }
        try insert.execute(db)
        return db.lastInsertedRowID
    }
}

/// An open-addressing table from Hash128 to key. The hashes are already uniformly random,
/// so their low bits index the table directly: no re-hashing as `Dictionary` would do.
///
/// A slot holds the hash and the key together (a probe into separate arrays missed the
/// processor's cache once per array), 24 bytes, and the table is filled to 70 % before it
/// doubles: AdditionalInfo's table holds up to 2^18 entries, and its size is part of the
/// load's peak memory. A key of 0 marks an empty slot: SQLite numbers rows from 1, and a
/// key this table does not hold is looked up in the database, so a cache that forgot one
/// would cost time, never a wrong key.
struct HashKeyTable {
    struct Slot {
        var hash = Hash128(high: 0, low: 0)
        var value: Int64 = 0
    }

    private var slots: [Slot] = []
    private var mask = 0
    private(set) var count = 0

    init() { reallocate(1 << 12) }

    private mutating func reallocate(_ size: Int) {
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
        count = 0
    }

    @inline(__always)
    func get(_ hash: Hash128) -> Int64? {
        var i = Int(truncatingIfNeeded: hash.low) & mask
        while slots[i].value != 0 {
            if slots[i].hash == hash { return slots[i].value }
            i = (i + 1) & mask
        }
        return nil
    }

    mutating func set(_ hash: Hash128, _ value: Int64) {
        guard value != 0 else { return }
        if (count + 1) * 10 > slots.count * 7 {
            let old = slots
            reallocate(slots.count * 2)
            for slot in old where slot.value != 0 { set(slot.hash, slot.value) }
        }
        var i = Int(truncatingIfNeeded: hash.low) & mask
        while slots[i].value != 0 {
            if slots[i].hash == hash {
                slots[i].value = value
                return
            }
            i = (i + 1) & mask
        }
        slots[i] = Slot(hash: hash, value: value)
        count += 1
    }

    mutating func removeAll() { reallocate(1 << 12) }
}
