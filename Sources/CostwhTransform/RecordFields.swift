import CostwhParquet

/// The current record's fields as `RowNormaliser` reads them: a CSV record's byte ranges,
/// or a Parquet row's values. The normaliser is specialised for each, so the CSV path pays
/// nothing for what only Parquet has (dictionary entries, typed numbers).
package protocol RecordFields: AnyObject {
    var fieldCount: Int { get }
    /// Why the record breaks its format's rules (it is refused), or nil.
    var malformedReason: String? { get }
    /// At least the bytes of the record's fields, for the normaliser's arena.
    var recordByteCount: Int { get }
    /// The field's text; for CSV still escaped when `hasEscapes`. Valid until the next record.
    func bytes(of field: Int) -> UnsafeBufferPointer<UInt8>
    func hasEscapes(_ field: Int) -> Bool
    /// Whether this kind of record can hold dictionary entries: a constant, so the CSV
    /// path's normaliser is compiled without them.
    static var hasDictionaries: Bool { get }
    /// Records come in batches (Parquet decodes a thousand rows at a time): this changes with
    /// each, and says how many rows it holds and which is the current one.
    var batchSerial: Int { get }
    var batchRows: Int { get }
    var rowInBatch: Int { get }
    /// Per row of the batch, the dictionary entry the field holds (≥ 0; anything else is not
    /// an entry): a field with an entry has the same text, and so the same normalised value,
    /// as every other row with that entry while `dictionaryGeneration` is unchanged.
    func entrySlots(_ field: Int) -> UnsafePointer<Int32>?
    /// The text of one of the field's dictionary entries.
    func entryBytes(_ field: Int, entry: Int) -> UnsafeBufferPointer<UInt8>
    func dictionaryGeneration(_ field: Int) -> Int
    /// Changes whenever any field's `dictionaryGeneration` may have.
    var dictionaryEpoch: Int { get }
    /// The double the field's text reads as, when the source knows it without the text.
    func number(_ field: Int) -> Double?
}

extension CSVReader: RecordFields {
    @inline(__always)
    package func hasEscapes(_ field: Int) -> Bool { self.field(field).hasEscapes }
    package static var hasDictionaries: Bool { false }
    package var batchSerial: Int { 0 }
    package var batchRows: Int { 1 }
    package var rowInBatch: Int { 0 }
    @inline(__always)
    package func entrySlots(_ field: Int) -> UnsafePointer<Int32>? { nil }
    package func entryBytes(_ field: Int, entry: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: nil, count: 0)
    }
    @inline(__always)
    package func dictionaryGeneration(_ field: Int) -> Int { 0 }
    @inline(__always)
    package func number(_ field: Int) -> Double? { nil }
    package var dictionaryEpoch: Int { 0 }
}

extension ParquetRows: RecordFields {
    package static var hasDictionaries: Bool { true }
    package var malformedReason: String? { nil }
    package var recordByteCount: Int { rowByteBound }
    @inline(__always)
    package func hasEscapes(_ field: Int) -> Bool { false }
}
