import CostwhParquet

/// A batch's fixed-size values for one `ValueConverter`: a flag per row and the values of its
/// column's kind, in memory allocated once for a batch's rows (`ParquetFileWriter.batchRows`).
/// The converter writes row `r`'s slots in place and keeps the count itself: an
/// `Array.append` per cell tested the array's uniqueness and capacity (2 % of an export's
/// samples, on the reading thread that bounds it).
///
/// Everything here is a `let`: a `var` of a class is checked for exclusive access at every
/// change, which would cost more than the appends did. One converter owns the slots; a copy
/// of the converter shares them, so a converter is never copied while it holds rows (a
/// `FactBatch.Payload` is moved between the reading and the gathering thread whole).
final class BatchSlots: @unchecked Sendable {
    let capacity: Int
    let defined: UnsafeMutablePointer<UInt8>
    /// A DOUBLE column's values (room for one value in other columns, never used).
    let doubles: UnsafeMutablePointer<Double>
    /// An INT64 column's values, or a TIMESTAMP column's microseconds.
    let numbers: UnsafeMutablePointer<Int64>
    /// A DATE column's days since 1970-01-01.
    let days: UnsafeMutablePointer<Int32>
    /// A text column's: where each row's bytes end in the converter's text.
    let ends: UnsafeMutablePointer<Int>

    init(kind: ParquetColumnSpec.Kind, capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        func room(_ used: Bool) -> Int { used ? capacity : 1 }
        defined = .allocate(capacity: capacity)
        doubles = .allocate(capacity: room(kind == .double))
        numbers = .allocate(capacity: room(kind == .int64 || kind == .timestamp))
        days = .allocate(capacity: room(kind == .date))
        ends = .allocate(capacity: room(kind == .string))
    }

    deinit {
        defined.deallocate()
        doubles.deallocate()
        numbers.deallocate()
        days.deallocate()
        ends.deallocate()
    }
}
