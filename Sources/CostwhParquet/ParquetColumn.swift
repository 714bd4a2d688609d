import Foundation

/// A leaf column (one column chunk): its name, types, whether it may be null, and its
/// maximum definition and repetition levels (both 0 or 1 for a flat column).
struct LeafColumn {
    let name: String
    let type: PhysicalType
    let typeLength: Int
    let optional: Bool
    let kind: LogicalKind
    var maxDef: Int = 0
    var maxRep: Int = 0
}

/// Reads one column chunk page by page (one page in memory at a time) and hands out its
/// values in row order, as text for the CSV the rest of costwh reads.
struct ColumnCursor {
    let column: LeafColumn
    let chunk: ColumnChunk
    let file: ParquetFileReader
    private var offset: Int
    private let end: Int
    private var hasDictionary = false
    /// Each dictionary entry's text, made when the dictionary page is read: a dictionary-encoded
    /// column formats each distinct value once, not once per row. One buffer for all entries,
    /// and each entry's start and length in it, to keep memory small.
    private(set) var dictionaryText: [UInt8] = []
    private(set) var dictionarySpans: [(start: Int32, count: Int32)] = []
    /// Bumped each time a dictionary page is read: copies and caches of its entries made
    /// before are stale.
    private(set) var dictionaryGeneration = 0
    /// The dictionary's entries (kept when its text is handed over).
    private(set) var dictionaryEntries = 0
    /// Whether values are strings, kept as they are (quoted only on the CSV path).
    let isText: Bool
    private var values: ColumnValues?
    /// The page's dictionary indices, definition and repetition levels, read one at a time.
    private var indices: HybridDecoder?
    private var levels: HybridDecoder?
    private var repetitions: HybridDecoder?
    /// Level entries read from the chunk so far, against its announced value count.
    private var consumed = 0
    private var levelIndex = 0
    private var valueIndex = 0
    private var pageValues = 0
    /// The page's values that are not null.
    private var present = 0
    /// The typed path (`decodeFlat`): levels and dictionary indices decoded a batch at a
    /// time, and how many of the page's were decoded.
    private var levelBatch: [UInt32] = []
    private var levelAt = 0
    private var levelsDecoded = 0
    private var indexBatch: [UInt32] = []
    private var indexAt = 0
    private var indicesDecoded = 0
    static let batch = 1024

    init(column: LeafColumn, chunk: ColumnChunk, file: ParquetFileReader) throws(ParquetError) {
        self.column = column
        self.chunk = chunk
        self.file = file
        isText = ColumnCursor.isText(column)
        offset = chunk.start
        // The chunk's pages lie within the file, before its footer.
        let (sum, overflow) = chunk.start.addingReportingOverflow(chunk.compressedSize)
        let claimed = chunk.compressedSize > 0 && !overflow ? sum : file.dataEnd
        guard chunk.start >= 4, chunk.start < file.dataEnd else {
            throw ParquetError("the column's pages start at \(chunk.start), outside the file's data (4..<\(file.dataEnd))")
        }
        end = min(claimed, file.dataEnd)
        guard chunk.type == column.type else {
            throw ParquetError("the column chunk's type differs from the schema's")
        }
    }

    /// Whether the chunk holds more level entries (values and nulls) than were read.
    var hasMore: Bool { consumed < chunk.valueCount }

    /// Appends the next value as CSV field text (nothing for a null).
    mutating func next(into out: inout [UInt8]) throws(ParquetError) {
        _ = try triplet(into: &out)
    }

    /// Reads the next level entry: its repetition and definition levels, and the value's
    /// text appended when it is defined at the leaf (the definition level is the maximum).
    mutating func triplet(into out: inout [UInt8]) throws(ParquetError) -> (rep: Int, def: Int) {
        while levelIndex >= pageValues { try nextPage() }
        levelIndex += 1
        consumed += 1
        var rep = 0
        if repetitions != nil {
            rep = Int(try repetitions!.next())
            guard rep <= column.maxRep else {
                throw ParquetError("a repetition level is above the column's maximum (\(column.maxRep))")
            }
        }
        var def = column.maxDef
        if levels != nil {
            def = Int(try levels!.next())
            guard def <= column.maxDef else {
                throw ParquetError("a definition level is above the column's maximum (\(column.maxDef))")
            }
            if def < column.maxDef { return (rep, def) }
        }
        if indices != nil {
            guard valueIndex < present, hasDictionary else { throw ParquetError("a page has fewer values than levels say") }
            let i = Int(try indices!.next())
            guard i < dictionarySpans.count else {
                throw ParquetError("a dictionary index \(i) is out of range (the dictionary holds \(dictionarySpans.count) values)")
            }
            valueIndex += 1
            let span = dictionarySpans[i]
            let range = Int(span.start)..<Int(span.start + span.count)
            if isText {
                ParquetValueText.quoted(dictionaryText[range], &out)
            } else {
                out.append(contentsOf: dictionaryText[range])
            }
            return (rep, def)
        }
        guard let values, valueIndex < values.count else { throw ParquetError("a page has fewer values than levels say") }
        let index = valueIndex
        valueIndex += 1
        try ParquetValueText.append(values, index, column: column, to: &out)
        return (rep, def)
    }

    // MARK: the typed path

    /// Whether a column's values are strings (or unannotated byte arrays), passed on as they are.
    static func isText(_ column: LeafColumn) -> Bool {
        guard column.type == .byteArray else { return false }
        switch column.kind {
        case .string, .json, .none: return true
        default: return false
        }
    }

    /// Hands over the dictionary's text and spans, leaving the cursor without them: the
    /// typed path keeps its own copy and reads no entry through the cursor.
    mutating func takeDictionary() -> (text: [UInt8], spans: [(start: Int32, count: Int32)]) {
        defer {
            dictionaryText = []
            dictionarySpans = []
        }
        return (dictionaryText, dictionarySpans)
    }

    /// Rows left in the current page of a flat column (one level entry per row).
    var rowsLeftInPage: Int { pageValues - levelIndex }

    /// Reads pages until the current one has rows left.
    mutating func ensurePage() throws(ParquetError) {
        while levelIndex >= pageValues { try nextPage() }
    }

    /// The next `count` rows of a flat column, all within the current page, each as a
    /// dictionary entry (≥ 0), `-1` for a null, or `-3 - i` for the page's plain value `i`
    /// (`-2` is left for the caller's own use).
    /// Every level and index is checked against the column and the dictionary.
    mutating func decodeFlat(_ count: Int, into slots: UnsafeMutablePointer<Int32>) throws(ParquetError) {
        guard count >= 0, count <= pageValues - levelIndex else {
            throw ParquetError("the column's page ends before the rows asked for")
        }
        let maxDef = UInt32(column.maxDef)
        let entries = dictionaryEntries
        let plainCount = values?.count ?? 0
        var hasLevels = levels != nil
        // A batch inside one run of present values (a column without nulls) reads no level.
        if hasLevels && levelAt == levelBatch.count, try levels!.skip(count, ifAll: maxDef) {
            levelsDecoded += count
            hasLevels = false
        }
        let dictionaryEncoded = indices != nil
        if !hasLevels && dictionaryEncoded && indexAt == indexBatch.count && count > 0 {
            // Every row holds a value and none is buffered: the indices are decoded straight
            // into the slots, then checked against the dictionary.
            guard hasDictionary, present - indicesDecoded >= count, valueIndex + count <= present else {
                throw ParquetError("a page has fewer values than levels say")
            }
            try slots.withMemoryRebound(to: UInt32.self, capacity: count) { (raw) throws(ParquetError) in
                try indices!.next(into: UnsafeMutableBufferPointer(start: raw, count: count))
            }
            for r in 0..<count where UInt32(bitPattern: slots[r]) >= UInt32(entries) {
                throw ParquetError(
                    "a dictionary index \(UInt32(bitPattern: slots[r])) is out of range (the dictionary holds \(entries) values)")
            }
            indicesDecoded += count
            valueIndex += count
            levelIndex += count
            consumed += count
            return
        }
        for r in 0..<count {
            if hasLevels {
                if levelAt == levelBatch.count { try decodeLevels() }
                let def = levelBatch[levelAt]
                levelAt += 1
                if def < maxDef {
                    slots[r] = -1
                    continue
                }
            }
            if dictionaryEncoded {
                guard valueIndex < present, hasDictionary else { throw ParquetError("a page has fewer values than levels say") }
                if indexAt == indexBatch.count { try decodeIndices() }
                let i = Int(indexBatch[indexAt])
                indexAt += 1
                guard i < entries else {
                    throw ParquetError("a dictionary index \(i) is out of range (the dictionary holds \(entries) values)")
                }
                slots[r] = Int32(i)
            } else {
                guard valueIndex < plainCount else { throw ParquetError("a page has fewer values than levels say") }
                slots[r] = -3 - Int32(valueIndex)
            }
            valueIndex += 1
        }
        levelIndex += count
        consumed += count
    }

    private mutating func decodeLevels() throws(ParquetError) {
        let n = min(ColumnCursor.batch, pageValues - levelsDecoded)
        guard n > 0 else { throw ParquetError("a page has more rows than levels") }
        if levelBatch.count != n { levelBatch = [UInt32](repeating: 0, count: n) }
        try levelBatch.withUnsafeMutableBufferPointer { (out) throws(ParquetError) in try levels!.next(into: out) }
        let maxDef = UInt32(column.maxDef)
        for level in levelBatch where level > maxDef {
            throw ParquetError("a definition level is above the column's maximum (\(column.maxDef))")
        }
        levelsDecoded += n
        levelAt = 0
    }

    private mutating func decodeIndices() throws(ParquetError) {
        let n = min(ColumnCursor.batch, present - indicesDecoded)
        guard n > 0 else { throw ParquetError("a page has fewer values than levels say") }
        if indexBatch.count != n { indexBatch = [UInt32](repeating: 0, count: n) }
        try indexBatch.withUnsafeMutableBufferPointer { (out) throws(ParquetError) in try indices!.next(into: out) }
        indicesDecoded += n
        indexAt = 0
    }

    /// Each plain value among the `count` slots `decodeFlat` wrote, of a string column: its
    /// bytes handed to `keep` with its row. Returns the longest `keep` returned. One call per
    /// batch: a call per value would copy the cursor (and retain its arrays) each time.
    func keepPlainBytes(
        _ slots: UnsafeMutablePointer<Int32>, _ count: Int, _ keep: (Int, UnsafeBufferPointer<UInt8>) -> Int
    ) -> Int {
        guard case .bytes(let storage, let offsets) = values else { return 0 }
        return storage.withUnsafeBufferPointer { all in
            var longest = 0
            for r in 0..<count where slots[r] <= -3 {
                let i = Int(-3 - slots[r])
                longest = max(longest, keep(r, UnsafeBufferPointer(rebasing: all[offsets[i]..<offsets[i + 1]])))
            }
            return longest
        }
    }

    /// Each plain value among the `count` slots of a column that is not a string: checked
    /// (`checkPlain`), then its exact double written to `numbers` when it has one
    /// (`ParquetNumbers`), else its text handed to `keep`. Returns the longest text kept or
    /// formattable. One call per batch, as for `keepPlainBytes`.
    func keepPlainValues(
        _ slots: UnsafeMutablePointer<Int32>, _ count: Int, numbers: UnsafeMutablePointer<Double>,
        formattedBound: Int, _ keep: (Int, UnsafeBufferPointer<UInt8>) -> Int
    ) throws(ParquetError) -> Int {
        guard let values else { return 0 }
        let check = plainNeedsCheck
        var text: [UInt8] = []
        var longest = 0
        for r in 0..<count where slots[r] <= -3 {
            let i = Int(-3 - slots[r])
            if check { try checkPlain(i) }
            if let number = ParquetNumbers.exactDouble(values, i, column: column) {
                numbers[r] = number
                longest = max(longest, formattedBound)
            } else {
                text.removeAll(keepingCapacity: true)
                try ParquetValueText.append(values, i, column: column, to: &text, quoted: false)
                longest = max(longest, text.withUnsafeBufferPointer { keep(r, $0) })
            }
        }
        return longest
    }

    /// Whether the current page's plain value `i` has a text: what formatting it could
    /// refuse is checked when it is decoded, so that the text can be made later without failing.
    func checkPlain(_ i: Int) throws(ParquetError) {
        switch values {
        case .int96(let v):
            guard (0..<86_400_000_000_000).contains(Int64(bitPattern: v[i].nanos)) else {
                throw ParquetError("an INT96 timestamp has \(Int64(bitPattern: v[i].nanos)) nanoseconds in its day")
            }
        case .bytes(_, let offsets):
            if case .decimal = column.kind, offsets[i + 1] - offsets[i] > 16 {
                throw ParquetError(
                    "a DECIMAL value is \(offsets[i + 1] - offsets[i]) bytes wide; Parquet's DECIMAL(38) needs 16 at most")
            }
        default:
            break
        }
    }

    /// Whether `checkPlain` has anything to check for this column.
    var plainNeedsCheck: Bool {
        if column.type == .int96 { return true }
        if case .decimal = column.kind, column.type == .byteArray || column.type == .fixedLenByteArray { return true }
        return false
    }

    /// The current page's plain value `i` as text, appended (strings unquoted).
    func plainText(_ i: Int, into out: inout [UInt8]) throws(ParquetError) {
        guard let values, i >= 0, i < values.count else { throw ParquetError("a value index is out of its page") }
        try ParquetValueText.append(values, i, column: column, to: &out, quoted: false)
    }


    private mutating func nextPage() throws(ParquetError) {
        while true {
            guard offset < end else { throw ParquetError("the column ends before the row group's rows do") }
            let (header, headerLength) = try file.pageHeader(at: offset, limit: end)
            let bodyStart = offset + headerLength
            guard header.compressedSize <= end - bodyStart else {
                throw ParquetError("a page claims \(header.compressedSize) bytes, past the end of its column chunk")
            }
            let body = try file.read(at: bodyStart, count: header.compressedSize)
            offset = bodyStart + header.compressedSize
            switch header.kind {
            case .index:
                continue
            case .dictionary:
                guard !hasDictionary else { throw ParquetError("a column chunk has two dictionary pages") }
                let plain = try body.parquetBytes { (raw) throws(ParquetError) in
                    try ParquetCodecs.decompress(raw, codec: chunk.codec, into: header.uncompressedSize)
                }
                guard header.encoding == .plain || header.encoding == .plainDictionary else {
                    throw ParquetError("a dictionary page is not PLAIN")
                }
                var page = PageBytes(plain)
                // Each entry's text, made now; the decoded values are not kept beside it.
                let entries = try ParquetEncodings.plain(
                    &page, type: column.type, typeLength: column.typeLength, count: header.valueCount)
                dictionaryText = []
                dictionarySpans = []
                dictionarySpans.reserveCapacity(entries.count)
                for i in 0..<entries.count {
                    let start = dictionaryText.count
                    try ParquetValueText.append(entries, i, column: column, to: &dictionaryText, quoted: false)
                    guard dictionaryText.count <= Int(Int32.max) else {
                        throw ParquetError("a dictionary's values make more than 2 GiB of text")
                    }
                    dictionarySpans.append((Int32(start), Int32(dictionaryText.count - start)))
                }
                hasDictionary = true
                dictionaryEntries = dictionarySpans.count
                dictionaryGeneration += 1
                continue
            case .data:
                let plain = try body.parquetBytes { (raw) throws(ParquetError) in
                    try ParquetCodecs.decompress(raw, codec: chunk.codec, into: header.uncompressedSize)
                }
                var page = PageBytes(plain)
                repetitions = nil
                if column.maxRep > 0 {
                    let length = Int(try page.uint32LE("the repetition levels' length"))
                    let r = try page.take(length, "the repetition levels")
                    // The levels' own bytes: a decoder holding the page would keep all of it
                    // in memory beside the values decoded from it, for every column.
                    repetitions = try HybridDecoder(
                        PageBytes(Array(page.bytes[r])), bitWidth: ParquetEncodings.bitWidth(column.maxRep))
                }
                if column.maxDef > 0 {
                    guard header.definitionEncoding == .rle else {
                        throw ParquetError("definition levels in encoding \(header.definitionEncoding) are not supported")
                    }
                    let length = Int(try page.uint32LE("the definition levels' length"))
                    let r = try page.take(length, "the definition levels")
                    levels = try HybridDecoder(
                        PageBytes(Array(page.bytes[r])), bitWidth: ParquetEncodings.bitWidth(column.maxDef))
                } else {
                    levels = nil
                }
                try countPresent(header.valueCount)
                try decodeValues(&page, header: header)
            case .dataV2:
                // A flat column's repetition levels are all 0 whatever their bytes: skipped.
                let levelBytes = header.repetitionBytes + header.definitionBytes
                guard header.repetitionBytes >= 0, levelBytes <= body.count, levelBytes >= header.repetitionBytes else {
                    throw ParquetError("a page's levels claim more bytes than the page has")
                }
                repetitions =
                    column.maxRep > 0
                    ? try HybridDecoder(
                        PageBytes(Array(body[0..<header.repetitionBytes])),
                        bitWidth: ParquetEncodings.bitWidth(column.maxRep)) : nil
                if column.maxDef > 0 {
                    levels = try HybridDecoder(
                        PageBytes(Array(body[header.repetitionBytes..<levelBytes])),
                        bitWidth: ParquetEncodings.bitWidth(column.maxDef))
                } else {
                    levels = nil
                }
                try countPresent(header.valueCount)
                let valuesBody = Array(body[levelBytes...])
                let plain: [UInt8]
                if header.isCompressed {
                    plain = try valuesBody.parquetBytes { (raw) throws(ParquetError) in
                        try ParquetCodecs.decompress(
                            raw, codec: chunk.codec, into: header.uncompressedSize - levelBytes)
                    }
                } else {
                    plain = valuesBody
                }
                var page = PageBytes(plain)
                try decodeValues(&page, header: header)
            }
            pageValues = header.valueCount
            levelIndex = 0
            valueIndex = 0
            levelAt = levelBatch.count
            levelsDecoded = 0
            indexAt = indexBatch.count
            indicesDecoded = 0
            if pageValues > 0 { return }
        }
    }

    /// How many of the page's values are not null: the levels read once ahead, on a copy
    /// of their decoder (a few bytes of state, not an array).
    private mutating func countPresent(_ count: Int) throws(ParquetError) {
        guard var ahead = levels else {
            present = count
            return
        }
        let maxDef = UInt32(column.maxDef)
        let n = try ahead.count(count, equalTo: maxDef, limit: maxDef)
        present = n
    }

    private mutating func decodeValues(_ page: inout PageBytes, header: PageHeader) throws(ParquetError) {
        indices = nil
        values = nil
        switch header.encoding {
        case .plain:
            values = try ParquetEncodings.plain(&page, type: column.type, typeLength: column.typeLength, count: present)
        case .plainDictionary, .rleDictionary:
            guard hasDictionary else { throw ParquetError("a dictionary-encoded page comes without a dictionary") }
            let r = try page.take(1, "the index bit width")
            let width = Int(page.bytes[r.lowerBound])
            // Width 0 says every index is 0: right only for a dictionary of one value.
            let entries = dictionaryEntries
            if width == 0 && present > 0 && entries != 1 {
                throw ParquetError("dictionary indices of bit width 0 for a dictionary of \(entries) values")
            }
            guard width <= 32, entries <= 1 || width >= ParquetEncodings.bitWidth(entries - 1) || width > 0 else {
                throw ParquetError("a dictionary index bit width of \(width) is not valid")
            }
            indices = try HybridDecoder(page, bitWidth: width)
        case .deltaBinaryPacked:
            let decoded = try ParquetEncodings.deltaBinaryPacked(&page, count: present)
            guard decoded.count >= present else { throw ParquetError("a DELTA_BINARY_PACKED page has too few values") }
            switch column.type {
            case .int32: values = .int32(decoded.prefix(present).map { Int32(truncatingIfNeeded: $0) })
            case .int64: values = .int64(Array(decoded.prefix(present)))
            default: throw ParquetError("DELTA_BINARY_PACKED is for INT32 and INT64 columns")
            }
        case .deltaLengthByteArray:
            guard column.type == .byteArray else { throw ParquetError("DELTA_LENGTH_BYTE_ARRAY is for BYTE_ARRAY columns") }
            values = try ParquetEncodings.deltaLengthByteArray(&page, count: present)
        case .deltaByteArray:
            guard column.type == .byteArray || column.type == .fixedLenByteArray else {
                throw ParquetError("DELTA_BYTE_ARRAY is for byte array columns")
            }
            values = try ParquetEncodings.deltaByteArray(&page, count: present)
        case .byteStreamSplit:
            values = try ParquetEncodings.byteStreamSplit(
                &page, type: column.type, typeLength: column.typeLength, count: present)
        case .rle where column.type == .boolean:
            let length = Int(try page.uint32LE("the booleans' length"))
            let r = try page.take(length, "the booleans")
            var bits = PageBytes(page.bytes, from: r.lowerBound, to: r.upperBound)
            values = .bools(try ParquetEncodings.hybrid(&bits, bitWidth: 1, count: present).map { $0 == 1 })
        default:
            throw ParquetError("encoding \(header.encoding) is not supported for a \(column.type) column")
        }
        if let values, values.count < present { throw ParquetError("a page holds fewer values than it claims") }
    }
}
