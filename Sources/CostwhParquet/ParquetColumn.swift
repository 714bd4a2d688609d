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
    private var dictionaryText: [UInt8] = []
    private var dictionarySpans: [(start: Int32, count: Int32)] = []
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

    init(column: LeafColumn, chunk: ColumnChunk, file: ParquetFileReader) throws(ParquetError) {
        self.column = column
        self.chunk = chunk
        self.file = file
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
            dictionaryText.withUnsafeBufferPointer { all in
                out.append(contentsOf: UnsafeBufferPointer(rebasing: all[Int(span.start)..<Int(span.start + span.count)]))
            }
            return (rep, def)
        }
        guard let values, valueIndex < values.count else { throw ParquetError("a page has fewer values than levels say") }
        let index = valueIndex
        valueIndex += 1
        try ParquetValueText.append(values, index, column: column, to: &out)
        return (rep, def)
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
                    try ParquetValueText.append(entries, i, column: column, to: &dictionaryText)
                    guard dictionaryText.count <= Int(Int32.max) else {
                        throw ParquetError("a dictionary's values make more than 2 GiB of text")
                    }
                    dictionarySpans.append((Int32(start), Int32(dictionaryText.count - start)))
                }
                hasDictionary = true
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
                    repetitions = try HybridDecoder(
                        PageBytes(page.bytes, from: r.lowerBound, to: r.upperBound),
                        bitWidth: ParquetEncodings.bitWidth(column.maxRep))
                }
                if column.maxDef > 0 {
                    guard header.definitionEncoding == .rle else {
                        throw ParquetError("definition levels in encoding \(header.definitionEncoding) are not supported")
                    }
                    let length = Int(try page.uint32LE("the definition levels' length"))
                    let r = try page.take(length, "the definition levels")
                    levels = try HybridDecoder(
                        PageBytes(page.bytes, from: r.lowerBound, to: r.upperBound),
                        bitWidth: ParquetEncodings.bitWidth(column.maxDef))
                } else {
                    levels = nil
                }
                try countPresent(header.valueCount)
                try decodeValues(&page, header: header)
            case .dataV2:
                // A flat column's repetition levels are all 0 whatever their bytes: skipped.
                let levelBytes = header.repetitionBytes + header.definitionBytes
                repetitions =
                    column.maxRep > 0
                    ? try HybridDecoder(
                        PageBytes(body, from: 0, to: header.repetitionBytes),
                        bitWidth: ParquetEncodings.bitWidth(column.maxRep)) : nil
                if column.maxDef > 0 {
                    levels = try HybridDecoder(
                        PageBytes(body, from: header.repetitionBytes, to: levelBytes),
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
        var n = 0
        for _ in 0..<count {
            let level = Int(try ahead.next())
            guard level <= column.maxDef else {
                throw ParquetError("a definition level is above the column's maximum (\(column.maxDef))")
            }
            if level == column.maxDef { n += 1 }
        }
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
            let entries = dictionarySpans.count
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
