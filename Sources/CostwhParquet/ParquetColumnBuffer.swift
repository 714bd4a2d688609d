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
    var distinctBytes: Int { dictionary.byteCount }

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
        defined.count + distinctBytes + dictionary.count * 44 + indices.count * 4 + doubles.count * 8
            + int64s.count * 8 + int32s.count * 4
    }

    func appendNull() {
        defined.append(0)
        nulls += 1
    }

    func append(string value: String) {
        var value = value
        value.withUTF8 { append(bytes: $0) }
    }

    func append(bytes: UnsafeBufferPointer<UInt8>) {
        defined.append(1)
        indices.append(dictionary.index(of: bytes))
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

    /// Bytes held for registered values, for the whole file.
    var registeredBytes: Int { registered.byteCount + registered.count * 28 }

    func register(bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
        let handle = Int(registered.index(of: bytes))
        if handle == chunkIndexOfRegistered.count { chunkIndexOfRegistered.append(-1) }
        return Int32(handle)
    }

    /// Appends a registered value, or NULL for a negative handle.
    func append(registered handle: Int32) {
        guard handle >= 0 else { return appendNull() }
        var index = chunkIndexOfRegistered[Int(handle)]
        if index < 0 {
            index = Int32(registered.withEntry(Int(handle)) { dictionary.index(of: $0) })
            chunkIndexOfRegistered[Int(handle)] = index
            registeredInChunk.append(handle)
        }
        defined.append(1)
        indices.append(UInt32(index))
    }

    func reset() {
        for handle in registeredInChunk { chunkIndexOfRegistered[Int(handle)] = -1 }
        registeredInChunk.removeAll(keepingCapacity: true)
        defined.removeAll(keepingCapacity: true)
        nulls = 0
        dictionary.removeAll()
        indices.removeAll(keepingCapacity: true)
        doubles.removeAll(keepingCapacity: true)
        int64s.removeAll(keepingCapacity: true)
        int32s.removeAll(keepingCapacity: true)
    }
}
