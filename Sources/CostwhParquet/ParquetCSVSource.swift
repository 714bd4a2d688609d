import CostwhBytes

/// A Parquet file read as the CSV the rest of costwh reads: a header of the column names,
/// then one line per row, a row group at a time and one page per column in memory. So every
/// schema, repair and rule of the CSV path holds for Parquet too (docs/INPUT.md), and values
/// keep their exact text: decimals unscaled exactly, dates ISO, timestamps ISO UTC.
package final class ParquetCSVSource: ByteSource {
    package let name: String
    private let file: ParquetFileReader
    private var buffer: [UInt8] = []
    private var consumed = 0
    private var group = 0
    private var row = 0
    private var cursors: [ColumnCursor] = []
    private var assembler = NestedAssembler()
    private var headerWritten = false
    private var finished = false
    /// Whether `cursors` read row group `group`; the next to open is `nextGroup`.
    private var active = false
    private var nextGroup = 0

    package init(path: String, name: String? = nil) throws(ParquetError) {
        self.name = name ?? path
        file = try ParquetFileReader(path: path)
    }

    /// What the ledger records of the file: its codecs and row groups.
    package var inputForm: String? { summary }

    package var summary: String {
        let codecs = Set(file.metadata.rowGroups.flatMap { $0.columns.map(\.codec.name) }).sorted()
        return "parquet: \(file.metadata.rowGroups.count) row group(s), \(codecs.joined(separator: "+"))"
    }

    package func read(into target: UnsafeMutableRawBufferPointer) throws(BytesError) -> Int {
        do {
            while buffer.count - consumed < target.count, try fill() {}
        } catch {
            throw .readFailed(name: name, reason: error.reasonWithoutFile)
        }
        let n = min(target.count, buffer.count - consumed)
        guard n > 0 else { return 0 }
        buffer.withUnsafeBytes { source in
            target.baseAddress!.copyMemory(from: source.baseAddress! + consumed, byteCount: n)
        }
        consumed += n
        if consumed == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            consumed = 0
        }
        return n
    }

    /// Adds up to 256 rows of text to the buffer; false at the end of the file.
    private func fill() throws(ParquetError) -> Bool {
        if consumed > 0 {
            buffer.removeFirst(consumed)
            consumed = 0
        }
        if !headerWritten {
            for (i, field) in file.fields.enumerated() {
                if i > 0 { buffer.append(0x2C) }
                ParquetValueText.quoted(ArraySlice(field.name.utf8), &buffer)
            }
            buffer.append(0x0A)
            headerWritten = true
            return true
        }
        // The buffer and the cursors as locals (`text`, `open`) while rows are made: a class's stored properties
        // would be checked for exclusive access at every use in the loop.
        var text = self.buffer
        var open = self.cursors
        self.buffer = []
        self.cursors = []
        defer {
            self.buffer = text
            self.cursors = open
        }
        let fields = file.fields
        var produced = 0
        while produced < 256 {
            if finished { return produced > 0 }
            if !active {
                guard nextGroup < file.metadata.rowGroups.count else {
                    finished = true
                    return produced > 0
                }
                group = nextGroup
                nextGroup += 1
                row = 0
                // An empty row group may point its chunks anywhere: nothing is read of it.
                if file.metadata.rowGroups[group].rows == 0 { continue }
                assembler.reset()
                open = try file.cursors(group: group)
                active = true
            }
            if row >= file.metadata.rowGroups[group].rows {
                active = false
                continue
            }
            for (i, field) in fields.enumerated() {
                if i > 0 { text.append(0x2C) }
                do {
                    if case .flat(let leaf) = field.shape {
                        try open[leaf].next(into: &text)
                    } else {
                        try assembler.json(field, &open, into: &text)
                    }
                } catch {
                    throw error.at(file: "", rowGroup: group, column: field.name)
                }
            }
            text.append(0x0A)
            row += 1
            produced += 1
        }
        return true
    }

    /// Whether the first bytes are Parquet's magic.
    package static func isParquet(_ head: [UInt8]) -> Bool {
        head.count >= 4 && Array(head.prefix(4)) == ParquetFileReader.magic
    }
}
