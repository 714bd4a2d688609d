/// Turns a nested column's level entries, one row at a time, into JSON text: a MAP into an
/// object, a LIST into an array, a STRUCT into an object (Dremel's record assembly, for those
/// three shapes). Strings and dates become JSON strings, numbers stay numbers, booleans become
/// `true`/`false`; a null list or map is an empty field.
struct NestedAssembler {
    /// A level entry read ahead of its row (to see where the row's repetitions end), per leaf.
    private var ahead: [Int: (rep: Int, def: Int, text: [UInt8])] = [:]
    private var json: [UInt8] = []

    mutating func reset() { ahead = [:] }

    /// Appends the field's value for the next row: JSON text, as a CSV field when `quoted`.
    mutating func json(
        _ field: ReadField, _ cursors: inout [ColumnCursor], into out: inout [UInt8], quoted: Bool = true
    ) throws(ParquetError) {
        json.removeAll(keepingCapacity: true)
        switch field.shape {
        case .flat(let leaf):
            try cursors[leaf].next(into: &out)
            return
        case .structure(let children, let presentDef):
            var entries: [(String, (rep: Int, def: Int, text: [UInt8]), LeafColumn)] = []
            for child in children {
                entries.append((child.name, try next(child.leaf, &cursors), cursors[child.leaf].column))
            }
            guard let first = entries.first, first.1.def >= presentDef else { return }
            json.append(0x7B)
            for (i, entry) in entries.enumerated() {
                if i > 0 { json.append(0x2C) }
                NestedAssembler.string(Array(entry.0.utf8), &json)
                json.append(0x3A)
                value(entry.1, entry.2, &json)
            }
            json.append(0x7D)
        case .list(let element, let presentDef, let entriesDef):
            var entry = try first(element, &cursors)
            guard entry.def >= presentDef else { return }
            json.append(0x5B)
            if entry.def >= entriesDef {
                var first = true
                while true {
                    if !first { json.append(0x2C) }
                    first = false
                    value(entry, cursors[element].column, &json)
                    guard try continues(element, &cursors) else { break }
                    entry = try next(element, &cursors)
                }
            }
            json.append(0x5D)
        case .map(let key, let valueLeaf, let presentDef, let entriesDef):
            var k = try first(key, &cursors)
            var v = try first(valueLeaf, &cursors)
            guard k.def >= presentDef else { return }
            json.append(0x7B)
            if k.def >= entriesDef {
                var first = true
                while true {
                    guard k.def == cursors[key].column.maxDef else {
                        throw ParquetError("a map entry has no key")
                    }
                    if !first { json.append(0x2C) }
                    first = false
                    NestedAssembler.string(NestedAssembler.unquoted(k.text), &json)
                    json.append(0x3A)
                    value(v, cursors[valueLeaf].column, &json)
                    let more = try continues(key, &cursors)
                    guard try continues(valueLeaf, &cursors) == more else {
                        throw ParquetError("a map's keys and values disagree on where a row ends")
                    }
                    guard more else { break }
                    k = try next(key, &cursors)
                    v = try next(valueLeaf, &cursors)
                }
            }
            json.append(0x7D)
        }
        if quoted { ParquetValueText.quoted(json[...], &out) } else { out.append(contentsOf: json) }
    }

    /// The first level entry of a row, which must start it (repetition level 0).
    private mutating func first(_ leaf: Int, _ cursors: inout [ColumnCursor]) throws(ParquetError) -> (rep: Int, def: Int, text: [UInt8]) {
        let entry = try next(leaf, &cursors)
        guard entry.rep == 0 else {
            throw ParquetError("a row starts with repetition level \(entry.rep); a row must start at level 0")
        }
        return entry
    }

    /// The leaf's next level entry: the one read ahead, else a new one.
    private mutating func next(_ leaf: Int, _ cursors: inout [ColumnCursor]) throws(ParquetError) -> (rep: Int, def: Int, text: [UInt8]) {
        if let entry = ahead.removeValue(forKey: leaf) { return entry }
        var text: [UInt8] = []
        let (rep, def) = try cursors[leaf].triplet(into: &text)
        return (rep, def, text)
    }

    /// Whether the leaf's next entry belongs to the same row (repetition level above 0).
    private mutating func continues(_ leaf: Int, _ cursors: inout [ColumnCursor]) throws(ParquetError) -> Bool {
        if ahead[leaf] == nil {
            guard cursors[leaf].hasMore else { return false }
            var text: [UInt8] = []
            let (rep, def) = try cursors[leaf].triplet(into: &text)
            ahead[leaf] = (rep, def, text)
        }
        return ahead[leaf]!.rep > 0
    }

    /// A leaf's value as JSON: null when not defined at the leaf.
    private func value(_ entry: (rep: Int, def: Int, text: [UInt8]), _ column: LeafColumn, _ json: inout [UInt8]) {
        guard entry.def == column.maxDef else {
            json.append(contentsOf: Array("null".utf8))
            return
        }
        let text = NestedAssembler.unquoted(entry.text)
        if column.type == .boolean {
            json.append(contentsOf: Array((text == Array("True".utf8) ? "true" : "false").utf8))
            return
        }
        let numeric: Bool
        switch column.kind {
        case .decimal, .integer: numeric = true
        case .none: numeric = [.int32, .int64, .float, .double].contains(column.type)
        default: numeric = false
        }
        if numeric && !text.isEmpty {
            json.append(contentsOf: text)
        } else if numeric {
            json.append(contentsOf: Array("null".utf8))
        } else {
            NestedAssembler.string(text, &json)
        }
    }

    /// A CSV field's text without its quotes.
    static func unquoted(_ text: [UInt8]) -> [UInt8] {
        guard text.count >= 2, text.first == 0x22, text.last == 0x22 else { return text }
        var out: [UInt8] = []
        var i = 1
        while i < text.count - 1 {
            out.append(text[i])
            if text[i] == 0x22 { i += 1 }
            i += 1
        }
        return out
    }

    /// A JSON string of UTF-8 bytes, escaped.
    static func string(_ bytes: [UInt8], _ json: inout [UInt8]) {
        json.append(0x22)
        for b in bytes {
            switch b {
            case 0x22: json.append(contentsOf: [0x5C, 0x22])
            case 0x5C: json.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: json.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: json.append(contentsOf: [0x5C, 0x72])
            case 0x09: json.append(contentsOf: [0x5C, 0x74])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                json.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: json.append(b)
            }
        }
        json.append(0x22)
    }
}
