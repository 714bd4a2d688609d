import CostwhBytes
import CostwhModel
import CostwhTransform
import Foundation

/// A block of normalised rows handed from the parsing thread to the writing thread.
///
/// The parser copies each row's values into the batch's own arena, so the batch outlives
/// the reader's buffer; once handed over, only the writer touches it.
///
/// Public, with its per-cell accessors `@inlinable public`: Swift 6.3 does not inline an
/// `@inlinable` method of a `package` class into another module, and the stores' writers call
/// these per cell from their own modules (as calls they cost about 6 % of a load's writing
/// thread). No library product exports the type.
public final class RowBatch: @unchecked Sendable {
    static let capacity = 1_024
    static let columnCount = Catalog.columns.count
    static let factReals = Catalog.factColumns.filter { Catalog.columns[$0].type == .real }
    static let hashedDimensions = HashedDimension.allCases.count

    @usableFromInline let columns = RowBatch.columnCount
    @usableFromInline let realCount = RowBatch.factReals.count
    @usableFromInline let dimensions = RowBatch.hashedDimensions
    private let factRealColumns = RowBatch.factReals

    // The per-row buffers are `let`: each access to a class's `var` is an exclusivity check at
    // run time, and a row's append made fifteen of them (callgrind: 3 % of the parsing thread).
    /// Per row and canonical column: offset into the arena, or -1 for NULL; then length.
    @usableFromInline let offsets: UnsafeMutablePointer<Int32>
    @usableFromInline let lengths: UnsafeMutablePointer<Int32>
    /// Per row: the fact REAL values (NaN with `realPresent` false for NULL).
    @usableFromInline let reals: UnsafeMutablePointer<Double>
    @usableFromInline let realPresent: UnsafeMutablePointer<Bool>
    /// Per row: cost, part, line, and the hashes of its six dimensions.
    package let costs: UnsafeMutablePointer<Double>
    package let parts: UnsafeMutablePointer<Int32>
    package let lines: UnsafeMutablePointer<Int>
    @usableFromInline let hashes: UnsafeMutablePointer<Hash128>
    @usableFromInline let hashPresent: UnsafeMutablePointer<Bool>
    @usableFromInline let extraOffsets: UnsafeMutablePointer<Int32>
    @usableFromInline let extraLengths: UnsafeMutablePointer<Int32>
    @usableFromInline private(set) var arena: UnsafeMutablePointer<UInt8>
    private var arenaCapacity: Int
    private var arenaUsed = 0
    package private(set) var count = 0
    /// Source bytes consumed when the batch was sent, for progress.
    var bytesConsumed = 0
    /// Rows the normaliser refused, in order, with where they stood among the loaded ones.
    var rejected: [(part: Int, line: Int, raw: String, reason: String)] = []

    package init() {
        let n = RowBatch.capacity
        offsets = .allocate(capacity: n * RowBatch.columnCount)
        lengths = .allocate(capacity: n * RowBatch.columnCount)
        reals = .allocate(capacity: n * RowBatch.factReals.count)
        realPresent = .allocate(capacity: n * RowBatch.factReals.count)
        costs = .allocate(capacity: n)
        parts = .allocate(capacity: n)
        lines = .allocate(capacity: n)
        hashes = .allocate(capacity: n * RowBatch.hashedDimensions)
        hashPresent = .allocate(capacity: n * RowBatch.hashedDimensions)
        extraOffsets = .allocate(capacity: n)
        extraLengths = .allocate(capacity: n)
        arenaCapacity = 2 << 20
        arena = .allocate(capacity: arenaCapacity)
    }

    deinit {
        offsets.deallocate()
        lengths.deallocate()
        reals.deallocate()
        realPresent.deallocate()
        costs.deallocate()
        parts.deallocate()
        lines.deallocate()
        hashes.deallocate()
        hashPresent.deallocate()
        extraOffsets.deallocate()
        extraLengths.deallocate()
        arena.deallocate()
    }

    package var isFull: Bool { count == RowBatch.capacity }

    package func reset() {
        count = 0
        arenaUsed = 0
        rejected.removeAll(keepingCapacity: true)
    }

    /// The arena as `append` uses it: its state in locals for one row, written back once.
    struct ArenaCursor {
        var arena: UnsafeMutablePointer<UInt8>
        var capacity: Int
        var used: Int

        @inline(__always)
        mutating func copy(_ slice: ByteSlice) -> (Int32, Int32) {
            guard let base = slice.base else { return (-1, 0) }
            if used + slice.count > capacity {
                // Rows are addressed by offset, so growing the arena moves nothing that matters.
                var bigger = capacity * 2
                while bigger < used + slice.count { bigger *= 2 }
                let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: bigger)
                fresh.update(from: arena, count: used)
                arena.deallocate()
                arena = fresh
                capacity = bigger
            }
            (arena + used).update(from: base, count: slice.count)
            let offset = Int32(used)
            used += slice.count
            return (offset, Int32(slice.count))
        }
    }

    /// Appends the normaliser's current row with its dimension hashes.
    @inline(__always)
    func append(_ row: RowNormaliser, part: Int, line: Int, hashes rowHashes: UnsafePointer<Hash128?>) {
        append(
            values: UnsafePointer(row.values), reals: UnsafePointer(row.reals), extra: row.extra, cost: row.cost,
            part: part, line: line, hashes: rowHashes)
    }

    /// Appends a row given as canonical values (one per catalog column), the fact REAL
    /// values by catalog column, and its dimension hashes: from a normaliser, or read back
    /// from a store (`costwh copy`).
    @inline(__always)
    package func append(
        values: UnsafePointer<ByteSlice>, reals rowReals: UnsafePointer<Double?>, extra: ByteSlice, cost: Double,
        part: Int, line: Int, hashes rowHashes: UnsafePointer<Hash128?>
    ) {
        let i = count
        let base = i * columns
        var cursor = ArenaCursor(arena: arena, capacity: arenaCapacity, used: arenaUsed)
        defer {
            arena = cursor.arena
            arenaCapacity = cursor.capacity
            arenaUsed = cursor.used
        }
        for c in 0..<columns {
            let (offset, length) = cursor.copy(values[c])
            offsets[base + c] = offset
            lengths[base + c] = length
        }
        let realBase = i * realCount
        for (k, column) in factRealColumns.enumerated() {
            if let value = rowReals[column] {
                reals[realBase + k] = value
                realPresent[realBase + k] = true
            } else {
                realPresent[realBase + k] = false
            }
        }
        let (eo, el) = cursor.copy(extra)
        extraOffsets[i] = eo
        extraLengths[i] = el
        costs[i] = cost
        parts[i] = Int32(part)
        lines[i] = line
        for d in 0..<dimensions {
            if let h = rowHashes[d] {
                hashes[i * dimensions + d] = h
                hashPresent[i * dimensions + d] = true
            } else {
                hashPresent[i * dimensions + d] = false
            }
        }
        count += 1
    }

    /// Row `i`'s value of canonical column `c`, as a slice of the arena.
    @inlinable @inline(__always)
    public func value(_ i: Int, _ c: Int) -> ByteSlice {
        let j = i * columns + c
        let offset = offsets[j]
        return offset < 0 ? .null : ByteSlice(base: UnsafePointer(arena + Int(offset)), count: Int(lengths[j]))
    }

    /// Writes row `i`'s values of columns `first..<first+count` into `values`.
    @inlinable @inline(__always)
    public func materialise(_ i: Int, first: Int, count: Int, into values: UnsafeMutablePointer<ByteSlice>) {
        for k in 0..<count { values[k] = value(i, first + k) }
    }

    @inlinable @inline(__always)
    public func extra(_ i: Int) -> ByteSlice {
        let eo = extraOffsets[i]
        return eo < 0 ? .null : ByteSlice(base: UnsafePointer(arena + Int(eo)), count: Int(extraLengths[i]))
    }

    @inlinable @inline(__always)
    public func real(_ i: Int, _ k: Int) -> Double? {
        let j = i * realCount + k
        return realPresent[j] ? reals[j] : nil
    }

    @inlinable @inline(__always)
    public func hash(_ i: Int, _ d: Int) -> Hash128? {
        let j = i * dimensions + d
        return hashPresent[j] ? hashes[j] : nil
    }
}
