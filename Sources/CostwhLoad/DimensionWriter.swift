import CostwhModel
import CostwhTransform
import GRDB

/// Finds or creates the dimension row for a set of values, keyed by a 128-bit hash of them.
///
/// Most rows repeat values already seen, so the in-memory map answers nearly every call; a
/// miss costs one indexed lookup and, for new values, one insert.
final class DimensionWriter {
    let dimension: Dimension
    let columnCount: Int
    let validatesJSON: Bool
    private let select: UncheckedStatement
    private let insert: UncheckedStatement
    private var cache: [Hash128: Int64] = [:]
    private var scratch: UnsafeMutablePointer<UInt8>
    private var scratchCapacity = 4096
    /// Bounds memory on pathological inputs where nearly every row is distinct.
    private let maxCacheEntries = 1_000_000
    /// Key returned for values that cannot be stored (invalid JSON).
    static let invalid: Int64 = -1
    private(set) var inserted = 0

    init(_ db: Database, dimension: Dimension, columns: [String], validatesJSON: Bool) throws {
        self.dimension = dimension
        self.columnCount = columns.count
        self.validatesJSON = validatesJSON
        select = try UncheckedStatement(
            db, sql: "SELECT \(dimension.keyColumn) FROM \(dimension.table) WHERE KeyHash = ? AND KeyHash2 = ?")
        let placeholders = Array(repeating: "?", count: columns.count + 2).joined(separator: ", ")
        insert = try UncheckedStatement(
            db,
            sql: "INSERT INTO \(dimension.table) (KeyHash, KeyHash2, \(columns.joined(separator: ", "))) VALUES (\(placeholders))")
        scratch = .allocate(capacity: scratchCapacity)
    }

    deinit { scratch.deallocate() }

    /// The key for these values, nil when they are all NULL, or `invalid`.
    @inline(__always)
    func key(_ values: UnsafePointer<ByteSlice>, _ db: Database) throws -> Int64? {
        var size = 0
        var anyValue = false
        for i in 0..<columnCount {
            size += 4 + values[i].count
            if !values[i].isNull { anyValue = true }
        }
        guard anyValue else { return nil }
        if size > scratchCapacity {
            scratch.deallocate()
            scratchCapacity = max(size, scratchCapacity * 2)
            scratch = .allocate(capacity: scratchCapacity)
        }
        var offset = 0
        for i in 0..<columnCount {
            let v = values[i]
            // A length prefix keeps ("ab", "c") apart from ("a", "bc"); all-ones marks NULL.
            let length: UInt32 = v.isNull ? .max : UInt32(truncatingIfNeeded: v.count)
            withUnsafeBytes(of: length.littleEndian) { (scratch + offset).update(from: $0.bindMemory(to: UInt8.self).baseAddress!, count: 4) }
            offset += 4
            if let base = v.base, v.count > 0 {
                (scratch + offset).update(from: base, count: v.count)
                offset += v.count
            }
        }
        let hash = Hash128(UnsafeRawBufferPointer(start: scratch, count: offset))
        if let known = cache[hash] { return known }
        let key = try resolve(hash, values, db)
        if cache.count >= maxCacheEntries { cache.removeAll(keepingCapacity: true) }
        cache[hash] = key
        return key
    }

    private func resolve(_ hash: Hash128, _ values: UnsafePointer<ByteSlice>, _ db: Database) throws -> Int64 {
        let high = Int64(bitPattern: hash.high)
        let low = Int64(bitPattern: hash.low)
        select.bind(1, int: high)
        select.bind(2, int: low)
        if let existing = try select.queryInt(db) { return existing }
        if validatesJSON {
            for i in 0..<columnCount {
                if let base = values[i].base, !JSONText.isObject(UnsafeBufferPointer(start: base, count: values[i].count)) {
                    return DimensionWriter.invalid
                }
            }
        }
        insert.bind(1, int: high)
        insert.bind(2, int: low)
        for i in 0..<columnCount {
            insert.bind(Int32(i + 3), text: values[i].base, count: values[i].count)
        }
        try insert.execute(db)
        inserted += 1
        return db.lastInsertedRowID
    }
}
