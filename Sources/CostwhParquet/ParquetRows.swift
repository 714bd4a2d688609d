/// A Parquet file's rows as the loader reads them: each field of the current row as a
/// dictionary entry, a text or a number, with no CSV text in between (`ParquetCSVSource` is
/// that detour, kept for the datasets' readers).
///
/// Rows are decoded a batch at a time, column by column (levels and dictionary indices a
/// thousand at a time), and a batch never crosses a page of any flat column, so the values
/// it points at stay in memory until the next batch. A dictionary-encoded field says which
/// entry a row holds, so a reader can normalise each entry once (`dictionaryEntry`,
/// `dictionaryGeneration`). A plain number is given as the double its text reads as when that
/// is exact (`number`), and its text is made only when asked for (`bytes(of:)`). Strings are
/// copied out of their page as they are; nested fields are JSON text.
///
/// Memory: a page of each column, the dictionaries, and one batch of field slots and texts.
package final class ParquetRows {
    package let name: String
    /// The top-level field names, in the file's order.
    package let fieldNames: [String]
    package let fieldCount: Int
    private let file: ParquetFileReader
    private let fields: [ReadField]
    /// The leaf of each flat field; -1 for a nested one.
    private let flatLeaf: [Int]
    private var cursors: [ColumnCursor] = []
    private var assembler = NestedAssembler()

    private var nextGroup = 0
    private var group = -1
    private var active = false
    private var rowInGroup = 0
    private var groupRows = 0

    /// Rows per batch at most.
    static let batch = ColumnCursor.batch
    /// Per field and batch row (`field * batch + row`): a dictionary entry (≥ 0), -1 null,
    /// -2 a text in `batchText`, ≤ -3 the page's plain value `-3 - slot`.
    @usableFromInline let slots: UnsafeMutablePointer<Int32>
    /// Per cell with a plain number slot: the double its text reads as (`ParquetNumbers`).
    @usableFromInline let numbers: UnsafeMutablePointer<Double>
    @usableFromInline let textStart: UnsafeMutablePointer<Int>
    @usableFromInline let textCount: UnsafeMutablePointer<Int>
    private var batchText: UnsafeMutablePointer<UInt8>
    private var batchTextCapacity = 1 << 16
    private var batchTextUsed = 0
    private var rowsInBatch: Int {
        get { current.pointee.rows }
        set { current.pointee.rows = newValue }
    }
    /// The current row in the batch, and where the batch's texts are: kept behind a pointer,
    /// so that the accessors inlined into the normaliser read them without the dynamic
    /// exclusivity checks a class's stored `var` gets across modules.
    @usableFromInline let current: UnsafeMutablePointer<Current>
    private var batchRow: Int {
        get { current.pointee.row }
        set { current.pointee.row = newValue }
    }

    /// Each field's dictionary, copied when its column reads a new one.
    @usableFromInline let dictionaries: UnsafeMutablePointer<DictionaryCopy>
    /// Each field's plain non-text value of the current row, formatted when first asked for.
    private let formatted: UnsafeMutablePointer<Formatted>
    private var formatScratch: [UInt8] = []

    /// The current row's 1-based number in the file.
    package private(set) var rowNumber = 0
    /// The row group of the current row.
    package var rowGroup: Int { max(group, 0) }

    @usableFromInline struct Current {
        @usableFromInline var row = 0
        @usableFromInline var text: UnsafeMutablePointer<UInt8>
        @usableFromInline var rows = 0
        @usableFromInline var serial = 0
    }

    @usableFromInline struct DictionaryCopy {
        @usableFromInline var text: UnsafeMutablePointer<UInt8>?
        @usableFromInline var spans: UnsafeMutablePointer<(start: Int32, count: Int32)>?
        var count = 0
        /// The longest entry's length.
        var longest = 0
        /// Bumped at each copy: caches of normalised entries are keyed by it.
        @usableFromInline var generation = 0
        /// The row group and the column's own generation the copy was made from.
        var sourceGroup = -1
        var source = -1
    }

    struct Formatted {
        var base: UnsafeMutablePointer<UInt8>?
        var capacity = 0
        var count = 0
        /// The row (`rowNumber`) the text is of.
        var row = 0
    }

    package init(path: String, name: String? = nil) throws(ParquetError) {
        self.name = name ?? path
        file = try ParquetFileReader(path: path)
        fields = file.fields
        fieldNames = fields.map(\.name)
        fieldCount = fields.count
        flatLeaf = fields.map { field in
            if case .flat(let leaf) = field.shape { return leaf }
            return -1
        }
        let cells = max(1, fieldCount) * ParquetRows.batch
        slots = .allocate(capacity: cells)
        slots.initialize(repeating: -1, count: cells)
        numbers = .allocate(capacity: cells)
        numbers.initialize(repeating: 0, count: cells)
        textStart = .allocate(capacity: cells)
        textStart.initialize(repeating: 0, count: cells)
        textCount = .allocate(capacity: cells)
        textCount.initialize(repeating: 0, count: cells)
        batchText = .allocate(capacity: batchTextCapacity)
        current = .allocate(capacity: 1)
        current.initialize(to: Current(text: batchText))
        dictionaries = .allocate(capacity: max(1, fieldCount))
        dictionaries.initialize(repeating: DictionaryCopy(), count: max(1, fieldCount))
        formatted = .allocate(capacity: max(1, fieldCount))
        formatted.initialize(repeating: Formatted(), count: max(1, fieldCount))
    }

    /// Whether field `f`'s values reach a reader as text written in the file: a string (or an
    /// unannotated byte array), or a nested field as JSON. Numbers, dates and timestamps of a
    /// physical or logical type are formatted one way whatever wrote them (a decimal point,
    /// ISO dates), so reading them needs no dialect.
    package func holdsText(_ f: Int) -> Bool {
        guard f >= 0 && f < fieldCount else { return false }
        guard case .flat(let leaf) = fields[f].shape else { return true }
        return ColumnCursor.isText(file.columns[leaf])
    }

    deinit {
        for f in 0..<max(1, fieldCount) {
            dictionaries[f].text?.deallocate()
            dictionaries[f].spans?.deallocate()
            formatted[f].base?.deallocate()
        }
        slots.deallocate()
        numbers.deallocate()
        textStart.deallocate()
        textCount.deallocate()
        batchText.deallocate()
        current.deallocate()
        dictionaries.deallocate()
        formatted.deallocate()
    }

    /// The rows the file's footer announces.
    package var totalRows: Int {
        var total = 0
        for group in file.metadata.rowGroups {
            let (sum, overflow) = total.addingReportingOverflow(max(0, group.rows))
            total = overflow ? Int.max : sum
        }
        return total
    }

    /// What the ledger records of the file: its codecs and row groups.
    package var summary: String {
        let codecs = Set(file.metadata.rowGroups.flatMap { $0.columns.map(\.codec.name) }).sorted()
        return "parquet: \(file.metadata.rowGroups.count) row group(s), \(codecs.joined(separator: "+"))"
    }

    /// Moves to the next row; false at the end of the file. An error names the row group
    /// and the column.
    package func next() throws(ParquetError) -> Bool {
        batchRow += 1
        if batchRow >= rowsInBatch {
            guard try fillBatch() else { return false }
            batchRow = 0
        }
        rowNumber += 1
        return true
    }

    // MARK: the current row's fields

    /// The dictionary entry field `f` holds in this row, or -1 when it holds no entry.
    @inlinable
    package func dictionaryEntry(_ f: Int) -> Int { dictionaryEntry(f, row: current.pointee.row) }

    /// The dictionary entry field `f` holds in row `row` of the batch, or -1.
    @inlinable
    package func dictionaryEntry(_ f: Int, row: Int) -> Int {
        let slot = Int(slots[f * ParquetRows.batch + row])
        return slot >= 0 ? slot : -1
    }

    /// Field `f`'s slots for the batch's rows: ≥ 0 a dictionary entry, anything else not.
    @inlinable
    package func entrySlots(_ f: Int) -> UnsafePointer<Int32>? { UnsafePointer(slots + f * ParquetRows.batch) }

    /// The text of field `f`'s dictionary entry `entry` (one `dictionaryEntry` gave).
    package func entryBytes(_ f: Int, entry: Int) -> UnsafeBufferPointer<UInt8> {
        let d = dictionaries[f]
        precondition(entry >= 0 && entry < d.count, "a dictionary entry out of its dictionary")
        let span = d.spans![entry]
        return UnsafeBufferPointer(start: d.text! + Int(span.start), count: Int(span.count))
    }

    /// Changes with each batch of rows.
    @inlinable
    package var batchSerial: Int { current.pointee.serial }
    /// The rows of the current batch.
    @inlinable
    package var batchRows: Int { current.pointee.rows }
    /// The current row's place in its batch.
    @inlinable
    package var rowInBatch: Int { current.pointee.row }

    /// Changes whenever field `f`'s dictionary does: an entry's number means the same value
    /// for as long as this does not change.
    @inlinable
    package func dictionaryGeneration(_ f: Int) -> Int { dictionaries[f].generation }

    /// Changes whenever any field's dictionary may have: a reader checks the generations
    /// only then.
    package private(set) var dictionaryEpoch = 0

    /// Field `f`'s text in this row (empty for a null): valid until the next row. Strings as
    /// they are; numbers, dates and timestamps as `ParquetValueText` writes them.
    @inlinable
    package func bytes(of f: Int) -> UnsafeBufferPointer<UInt8> {
        let cell = f * ParquetRows.batch + current.pointee.row
        let slot = Int(slots[cell])
        if slot >= 0 {
            let d = dictionaries[f]
            let span = d.spans![slot]
            return UnsafeBufferPointer(start: d.text! + Int(span.start), count: Int(span.count))
        }
        switch slot {
        case -1: return UnsafeBufferPointer(start: nil, count: 0)
        case -2: return UnsafeBufferPointer(start: current.pointee.text + textStart[cell], count: textCount[cell])
        default: return format(f, plain: -3 - slot)
        }
    }

    /// Field `f` as the double its text reads as, when it is a plain number that converts
    /// exactly (`ParquetNumbers`); nil otherwise.
    @inlinable
    package func number(_ f: Int) -> Double? {
        let cell = f * ParquetRows.batch + current.pointee.row
        return slots[cell] <= -3 ? numbers[cell] : nil
    }

    /// At least as many bytes as any row of the batch holds in its fields' texts.
    package private(set) var rowByteBound = 0

    /// The longest text a plain non-string value is formatted to: a DECIMAL(38) with its
    /// sign, point and leading zeros, a timestamp, a UUID, the hex of 16 bytes.
    static let formattedBound = 96

    /// The row as a CSV line, for a rejected row's raw text.
    package func recordText(limit: Int = 65_536) -> String {
        var line: [UInt8] = []
        for f in 0..<fieldCount {
            if f > 0 { line.append(0x2C) }
            ParquetValueText.quoted(ArraySlice(bytes(of: f)), &line)
            if line.count >= limit { break }
        }
        return String(decoding: line.prefix(limit), as: UTF8.self)
    }

    @usableFromInline
    func format(_ f: Int, plain i: Int) -> UnsafeBufferPointer<UInt8> {
        if formatted[f].row != rowNumber {
            formatScratch.removeAll(keepingCapacity: true)
            // `checkPlain` ran when the value was decoded: formatting it cannot fail. The
            // cursor is used in place (a copy would retain each of its arrays).
            let leaf = flatLeaf[f]
            var text = formatScratch
            formatScratch = []
            cursors.withUnsafeBufferPointer { open in try? open[leaf].plainText(i, into: &text) }
            formatScratch = text
            var slot = formatted[f]
            if slot.capacity < formatScratch.count {
                slot.base?.deallocate()
                slot.capacity = max(formatScratch.count, 64)
                slot.base = .allocate(capacity: slot.capacity)
            }
            formatScratch.withUnsafeBufferPointer { slot.base!.update(from: $0.baseAddress!, count: $0.count) }
            slot.count = formatScratch.count
            slot.row = rowNumber
            formatted[f] = slot
        }
        return UnsafeBufferPointer(start: formatted[f].base, count: formatted[f].count)
    }

    // MARK: batches

    private func fillBatch() throws(ParquetError) -> Bool {
        while true {
            if !active {
                guard nextGroup < file.metadata.rowGroups.count else { return false }
                group = nextGroup
                nextGroup += 1
                rowInGroup = 0
                groupRows = file.metadata.rowGroups[group].rows
                // An empty row group may point its chunks anywhere: nothing is read of it.
                if groupRows == 0 { continue }
                assembler.reset()
                cursors = try file.cursors(group: group)
                active = true
            }
            if rowInGroup >= groupRows {
                active = false
                continue
            }
            // The cursors as a local while the batch is decoded: a stored property would be
            // checked for exclusive access at every use.
            var open = cursors
            cursors = []
            defer { cursors = open }
            var rows = min(ParquetRows.batch, groupRows - rowInGroup)
            for (f, leaf) in flatLeaf.enumerated() where leaf >= 0 {
                do {
                    try open[leaf].ensurePage()
                } catch {
                    throw error.at(file: "", rowGroup: group, column: fields[f].name)
                }
                rows = min(rows, open[leaf].rowsLeftInPage)
            }
            batchTextUsed = 0
            var bound = 0
            for (f, leaf) in flatLeaf.enumerated() {
                let base = f * ParquetRows.batch
                var longest = 0
                do {
                    if leaf < 0 {
                        for r in 0..<rows {
                            formatScratch.removeAll(keepingCapacity: true)
                            try assembler.json(fields[f], &open, into: &formatScratch, quoted: false)
                            longest = max(longest, formatScratch.withUnsafeBufferPointer { keepText(cell: base + r, $0) })
                        }
                        bound += longest
                        continue
                    }
                    if open[leaf].dictionaryGeneration != dictionaries[f].source || group != dictionaries[f].sourceGroup {
                        let (text, spans) = open[leaf].takeDictionary()
                        keepDictionary(f, text: text, spans: spans, generation: open[leaf].dictionaryGeneration)
                    }
                    longest = dictionaries[f].longest
                    try open[leaf].decodeFlat(rows, into: slots + base)
                    if open[leaf].isText {
                        longest = max(
                            longest, open[leaf].keepPlainBytes(slots + base, rows) { keepText(cell: base + $0, $1) })
                    } else {
                        // A plain number that converts exactly is kept as its double, its text
                        // made only if asked for; any other value's text is made now.
                        longest = max(
                            longest,
                            try open[leaf].keepPlainValues(
                                slots + base, rows, numbers: numbers + base, formattedBound: ParquetRows.formattedBound
                            ) { keepText(cell: base + $0, $1) })
                    }
                } catch {
                    throw error.at(file: "", rowGroup: group, column: fields[f].name)
                }
                bound += longest
            }
            rowByteBound = bound
            rowInGroup += rows
            rowsInBatch = rows
            current.pointee.serial += 1
            return true
        }
    }

    /// Keeps `text` as the text of a batch cell; returns its length.
    private func keepText(cell: Int, _ text: UnsafeBufferPointer<UInt8>) -> Int {
        let n = text.count
        if batchTextUsed + n > batchTextCapacity {
            var capacity = batchTextCapacity * 2
            while capacity < batchTextUsed + n { capacity *= 2 }
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            bigger.update(from: batchText, count: batchTextUsed)
            batchText.deallocate()
            batchText = bigger
            current.pointee.text = bigger
            batchTextCapacity = capacity
        }
        if n > 0 { (batchText + batchTextUsed).update(from: text.baseAddress!, count: n) }
        slots[cell] = -2
        textStart[cell] = batchTextUsed
        textCount[cell] = n
        batchTextUsed += n
        return n
    }

    /// Keeps a column's dictionary, taken from its cursor, where the row accessors read it.
    private func keepDictionary(_ f: Int, text: [UInt8], spans: [(start: Int32, count: Int32)], generation: Int) {
        var copy = dictionaries[f]
        copy.text?.deallocate()
        copy.spans?.deallocate()
        copy.text = .allocate(capacity: max(1, text.count))
        text.withUnsafeBufferPointer { if $0.count > 0 { copy.text!.update(from: $0.baseAddress!, count: $0.count) } }
        copy.spans = .allocate(capacity: max(1, spans.count))
        spans.withUnsafeBufferPointer { if $0.count > 0 { copy.spans!.update(from: $0.baseAddress!, count: $0.count) } }
        copy.count = spans.count
        copy.longest = Int(spans.map(\.count).max() ?? 0)
        copy.generation += 1
        dictionaryEpoch += 1
        copy.source = generation
        copy.sourceGroup = group
        dictionaries[f] = copy
    }
}
