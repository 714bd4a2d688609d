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
    /// The dictionary entry the field holds, or -1: a field with an entry has the same text,
    /// and so the same normalised value, as every other row with that entry while
    /// `dictionaryGeneration` is unchanged.
    func dictionaryEntry(_ field: Int) -> Int
    func dictionaryGeneration(_ field: Int) -> Int
    /// Changes whenever any field's `dictionaryGeneration` may have.
    var dictionaryEpoch: Int { get }
    /// The double the field's text reads as, when the source knows it without the text.
    func number(_ field: Int) -> Double?
}

extension CSVReader: RecordFields {
    @inline(__always)
    package func hasEscapes(_ field: Int) -> Bool { self.field(field).hasEscapes }
    @inline(__always)
    package func dictionaryEntry(_ field: Int) -> Int { -1 }
    @inline(__always)
    package func dictionaryGeneration(_ field: Int) -> Int { 0 }
    @inline(__always)
    package func number(_ field: Int) -> Double? { nil }
    package var dictionaryEpoch: Int { 0 }
}

extension ParquetRows: RecordFields {
    package var malformedReason: String? { nil }
    package var recordByteCount: Int { rowByteBound }
    @inline(__always)
    package func hasEscapes(_ field: Int) -> Bool { false }
}
