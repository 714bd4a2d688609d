import Foundation

/// One column of a Parquet file being written: its name and what its values are.
package struct ParquetColumnSpec: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        /// UTF-8 text (BYTE_ARRAY, logical STRING): dictionary-encoded while its dictionary
        /// stays small, plain past that.
        case string
        /// DOUBLE.
        case double
        /// INT64.
        case int64
        /// A calendar day (INT32, logical DATE: days since 1970-01-01).
        case date
        /// An instant (INT64, logical TIMESTAMP in microseconds, adjusted to UTC).
        case timestamp
    }

    package let name: String
    package let kind: Kind

    package init(_ name: String, _ kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// The values of one column for the row group being written, with what the chunk's pages and
/// statistics need: the definition level of every row, the non-null values, and for text a
/// dictionary of the distinct values.
final class ParquetColumnBuffer {
    let spec: ParquetColumnSpec
    /// 1 where the row has a value, 0 where it is NULL.
    private(set) var defined: [UInt8] = []
    private(set) var nulls = 0

    // Text: every distinct value once, and each row's index into them.
    private(set) var dictionary = ByteDictionary()
    private(set) var indices: [UInt32] = []
    /// Or, while `dictionary` is empty, the registered values the chunk holds, by handle, and
    /// their bytes (see `ChunkEntries`).
    private var sharedHandles: [Int32] = []
    private var sharedBytes = 0
    var distinctBytes: Int { dictionary.byteCount + sharedBytes }

    // Numbers: the non-null values, as their physical type.
    private(set) var doubles: [Double] = []
    private(set) var int64s: [Int64] = []
    private(set) var int32s: [Int32] = []

    init(_ spec: ParquetColumnSpec) {
        self.spec = spec
    }

    var rows: Int { defined.count }

    /// Bytes held for this row group, to bound a row group's memory.
    var heldBytes: Int {
        // A dictionary entry costs its hash, offset and slots; a plain one its offset.
        defined.count + distinctBytes + (dictionary.count + sharedHandles.count) * (dictionary.isPlain ? 8 : 44) + indices.count * 4
            + doubles.count * 8
            + int64s.count * 8 + int32s.count * 4
    }

    func appendNull() {
        defined.append(0)
        nulls += 1
    }

    func appendNulls(_ count: Int) {
        precondition(count >= 0)
        defined.append(contentsOf: repeatElement(0, count: count))
        nulls += count
    }

    func append(string value: String) {
        var value = value
        value.withUTF8 { append(bytes: $0) }
    }

    /// The entry the last text value was: values repeat row after row (a partition's keys,
    /// charge types, currencies), and comparing with it costs less than hashing.
    private var lastIndex: UInt32?

    func append(bytes: UnsafeBufferPointer<UInt8>) {
        if !sharedHandles.isEmpty { copyShared() }
        ParquetColumnBuffer.append(bytes, &defined, &indices, &dictionary, &lastIndex)
    }

    /// Text appended by its bytes into a chunk that holds registered values by handle: the
    /// values are copied into the chunk's own dictionary first, in order (the same indices).
    private func copyShared() {
        for handle in sharedHandles { _ = registered.withEntry(Int(handle)) { dictionary.appendNew($0) } }
        sharedHandles.removeAll(keepingCapacity: true)
        sharedBytes = 0
    }

    /// One text value into the arrays given, which the callers hold for a whole batch (each
    /// access to a class's stored `var` is an exclusivity check at run time: four per cell
    /// were a third of an export's gathering thread).
    @inline(__always)
    private static func append(
        _ bytes: UnsafeBufferPointer<UInt8>, _ defined: inout [UInt8], _ indices: inout [UInt32],
        _ dictionary: inout ByteDictionary, _ lastIndex: inout UInt32?
    ) {
        defined.append(1)
        if let last = lastIndex, dictionary.equals(Int(last), bytes) {
            indices.append(last)
            return
        }
        let index = dictionary.index(of: bytes)
        lastIndex = index
        indices.append(index)
        // Past the limit the chunk is written PLAIN whatever follows (see the encoder).
        if !dictionary.isPlain && dictionary.byteCount > ParquetChunkEncoder.dictionaryLimit { dictionary.makePlain() }
    }

    func append(double value: Double) {
        defined.append(1)
        doubles.append(value)
    }

    func append(int64 value: Int64) {
        defined.append(1)
        int64s.append(value)
    }

    func append(int32 value: Int32) {
        defined.append(1)
        int32s.append(value)
    }

    // Registered text (a dimension's values): every distinct value of the file once, and for
    // each the index it has in this chunk's dictionary (-1 while it has none), so that a row
    // costs an array lookup instead of hashing its bytes.
    private var registered = ByteDictionary()
    private var chunkIndexOfRegistered: [Int32] = []
    private var registeredInChunk: [Int32] = []

    func register(bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let handle = Int(registered.index(of: bytes))
        if handle == chunkIndexOfRegistered.count { chunkIndexOfRegistered.append(-1) }
        return Int32(handle)
    }

    func reserveRegistered(count: Int, bytes: Int, hashed: Bool) {
        registered.reserve(count: count, bytes: bytes, hashed: hashed)
        chunkIndexOfRegistered.reserveCapacity(chunkIndexOfRegistered.count + count)
    }

    func registerDistinct(bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let handle = Int(registered.appendNew(bytes))
        chunkIndexOfRegistered.append(-1)
        return Int32(handle)
    }

    /// Appends a registered value per row: row `r` holds `table[rows[r] * width + field]`,
    /// or NULL where `rows[r]` is negative (a dimension's column, for a batch of fact rows).
    /// The arrays are taken out of the object for the loop, so that each append is a plain
    /// array append (no exclusivity check or uniqueness test per cell).
    func append(registered table: UnsafeBufferPointer<Int32>, width: Int, field: Int, rows: UnsafeBufferPointer<Int32>) {
        var defined = take(&self.defined)
        var indices = take(&self.indices)
        var chunkIndex = take(&chunkIndexOfRegistered)
        var added = take(&registeredInChunk)
        var shared = take(&sharedHandles)
        var sharedBytes = 0
        // The chunk names registered values by handle unless it holds text of its own.
        let sharing = dictionary.count == 0
        var nulls = 0
        // The batch's flags and indices are written into buffers of its size and appended
        // once: an append per cell tested each array's uniqueness and capacity (the largest
        // item of an export's reading thread).
        let n = rows.count
        let definedStart = defined.count
        defined.append(contentsOf: repeatElement(0, count: n))
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: max(1, n)) { batch in
            var k = 0
            defined.withUnsafeMutableBufferPointer { flags in
                chunkIndex.withUnsafeMutableBufferPointer { chunk in
                    for (r, row) in rows.enumerated() {
                        guard row >= 0 else {
                            nulls += 1
                            continue
                        }
                        let handle = table[Int(row) * width + field]
                        guard handle >= 0 else {
                            nulls += 1
                            continue
                        }
                        // Handles are the writer's own registrations, each with its slot.
                        precondition(Int(handle) < chunk.count, "a text handle that was never registered")
                        var index = chunk[Int(handle)]
                        if index < 0 {
                            if sharing {
                                index = Int32(shared.count)
                                shared.append(handle)
                                sharedBytes += registered.length(Int(handle))
                            } else {
                                // Registered values are distinct: the chunk's entry is added unhashed.
                                index = Int32(registered.withEntry(Int(handle)) { dictionary.appendNew($0) })
                            }
                            chunk[Int(handle)] = index
                            added.append(handle)
                        }
                        flags[definedStart + r] = 1
                        batch[k] = UInt32(index)
                        k += 1
                    }
                }
            }
            indices.append(contentsOf: UnsafeBufferPointer(rebasing: batch[0..<k]))
        }
        self.nulls += nulls
        self.defined = defined
        self.indices = indices
        chunkIndexOfRegistered = chunkIndex
        registeredInChunk = added
        sharedHandles = shared
        self.sharedBytes += sharedBytes
    }

    /// Appends a batch of fixed-width values: row `r` is `values[r]` where `defined[r]` is 1,
    /// NULL where it is 0 (one call per column and batch instead of one per cell).
    func append(doubles values: UnsafeBufferPointer<Double>, defined flags: UnsafeBufferPointer<UInt8>) {
        appendBatch(values, flags, into: &doubles)
    }

    func append(int64s values: UnsafeBufferPointer<Int64>, defined flags: UnsafeBufferPointer<UInt8>) {
        appendBatch(values, flags, into: &int64s)
    }

    func append(int32s values: UnsafeBufferPointer<Int32>, defined flags: UnsafeBufferPointer<UInt8>) {
        appendBatch(values, flags, into: &int32s)
    }

    private func appendBatch<T>(_ values: UnsafeBufferPointer<T>, _ flags: UnsafeBufferPointer<UInt8>, into target: inout [T]) {
        precondition(values.count == flags.count)
        var kept = take(&target)
        let before = kept.count
        defined.append(contentsOf: flags)
        for r in 0..<flags.count where flags[r] != 0 { kept.append(values[r]) }
        nulls += flags.count - (kept.count - before)
        target = kept
    }

    /// Appends a batch of text: row `r` is `bytes[ends[r - 1]..<ends[r]]` (from 0 for the
    /// first) where `defined[r]` is 1, NULL where it is 0.
    func append(texts bytes: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>, defined flags: UnsafeBufferPointer<UInt8>) {
        precondition(ends.count == flags.count && (ends.last ?? 0) <= bytes.count)
        if !sharedHandles.isEmpty { copyShared() }
        let added = ParquetColumnBuffer.append(bytes, ends, flags, &defined, &indices, &dictionary, &lastIndex)
        nulls += added
    }

    /// A batch of text into the arrays given, each accessed once for the batch; returns the
    /// NULLs it added.
    private static func append(
        _ bytes: UnsafeBufferPointer<UInt8>, _ ends: UnsafeBufferPointer<Int>, _ flags: UnsafeBufferPointer<UInt8>,
        _ defined: inout [UInt8], _ indices: inout [UInt32], _ dictionary: inout ByteDictionary, _ lastIndex: inout UInt32?
    ) -> Int {
        var start = 0
        var nulls = 0
        for r in 0..<flags.count {
            let end = ends[r]
            precondition(start <= end, "text ends go backwards")
            if flags[r] == 0 {
                defined.append(0)
                nulls += 1
            } else {
                append(UnsafeBufferPointer(rebasing: bytes[start..<end]), &defined, &indices, &dictionary, &lastIndex)
            }
            start = end
        }
        return nulls
    }

    private func take<T>(_ array: inout [T]) -> [T] {
        var out: [T] = []
        swap(&out, &array)
        return out
    }

    /// The row group's values, moved out (no copy) for encoding, the buffer left empty for the
    /// next row group. The next row group gathers into `spare`'s arrays where the encoder has
    /// handed a chunk back (their memory is already the process's: fresh buffers of a row
    /// group's size were mapped, faulted in page by page and unmapped again every row group).
    func take(recycling spare: inout ColumnChunkData?) -> ColumnChunkData {
        let isShared = !sharedHandles.isEmpty
        let chunk = ColumnChunkData(
            spec: spec, defined: take(&defined), nulls: nulls, dictionary: dictionary, indices: take(&indices),
            doubles: take(&doubles), int64s: take(&int64s), int32s: take(&int32s),
            registered: isShared ? registered : ParquetColumnBuffer.noEntries, sharedHandles: take(&sharedHandles),
            sharedBytes: sharedBytes)
        if var spare = spare.take() {
            swap(&defined, &spare.defined)
            swap(&indices, &spare.indices)
            swap(&sharedHandles, &spare.sharedHandles)
            swap(&doubles, &spare.doubles)
            swap(&int64s, &spare.int64s)
            swap(&int32s, &spare.int32s)
            swap(&dictionary, &spare.dictionary)
            reset()
            return chunk
        }
        dictionary = ByteDictionary()
        reset()
        // The next row group is likely the size of this one: allocate once rather than grow
        // by doubling (each growth copies what was gathered).
        defined.reserveCapacity(chunk.defined.count)
        indices.reserveCapacity(chunk.indices.count)
        doubles.reserveCapacity(chunk.doubles.count)
        int64s.reserveCapacity(chunk.int64s.count)
        int32s.reserveCapacity(chunk.int32s.count)
        return chunk
    }

    /// The registered values of a chunk that holds none (one empty dictionary, shared).
    private static let noEntries = ByteDictionary()

    func reset() {
        for handle in registeredInChunk { chunkIndexOfRegistered[Int(handle)] = -1 }
        registeredInChunk.removeAll(keepingCapacity: true)
        sharedHandles.removeAll(keepingCapacity: true)
        sharedBytes = 0
        lastIndex = nil
        defined.removeAll(keepingCapacity: true)
        nulls = 0
        dictionary.removeAll()
        indices.removeAll(keepingCapacity: true)
        doubles.removeAll(keepingCapacity: true)
        int64s.removeAll(keepingCapacity: true)
        int32s.removeAll(keepingCapacity: true)
    }
}

/// One column chunk's values, handed from the buffer that gathered them to the encoder (on
/// the writer's encoding thread): what `ParquetChunkEncoder` reads.
struct ColumnChunkData: Sendable {
    let spec: ParquetColumnSpec
    // `var`s so that the gathering buffer can take the arrays back (`take(recycling:)`).
    var defined: [UInt8]
    let nulls: Int
    var dictionary: ByteDictionary
    var indices: [UInt32]
    var doubles: [Double]
    var int64s: [Int64]
    var int32s: [Int32]
    /// The writer's registered values, where the chunk's entries are theirs by handle
    /// (`sharedHandles` not empty; `dictionary` is then empty).
    let registered: ByteDictionary
    var sharedHandles: [Int32]
    let sharedBytes: Int

    var rows: Int { defined.count }
    var distinctBytes: Int { dictionary.byteCount + sharedBytes }
    /// The chunk's distinct values, its own or registered ones.
    var entries: ChunkEntries {
        ChunkEntries(own: dictionary, registered: registered, handles: sharedHandles)
    }
}
