import CostwhBytes

/// Errors that stop a whole file. A bad row is not one of them: it is quarantined.
package enum TransformError: Error, Equatable, CustomStringConvertible {
    case source(BytesError)
    case recordTooLong(file: String, line: Int, limit: Int)
    case emptyFile(file: String)
    case unrecognisedHeader(file: String, line: Int, missing: [String], found: [String])
    case malformedJSON(file: String, reason: String)
    /// A file whose structure cannot be decoded (a Parquet page header, a length or an offset
    /// out of bounds): bad data, exit 65, wherever in the file it is found; `.source` is for
    /// bytes that could not be had.
    case damaged(file: String, reason: String)
    /// A file of a dataset other than cost details whose columns are not that dataset's.
    case unrecognisedDataset(file: String, dataset: String, found: [String], expected: [String])

    package var description: String {
        switch self {
        case .source(let error): return error.description
        case .recordTooLong(let file, let line, let limit):
            return "\(file):\(line): a record is longer than \(limit / (1 << 20)) MiB; is the file CSV?"
        case .emptyFile(let file):
            return "\(file): the file is empty; expected a cost-details CSV header"
        case .malformedJSON(let file, let reason):
            return "\(file): \(reason)"
        case .damaged(let file, let reason):
            return "cannot read \(file): \(reason)"
        case .unrecognisedDataset(let file, let dataset, let found, let expected):
            let shown = TransformError.shown(found)
            return
                "\(file): not a \(dataset) file: none of its columns is one of \(expected.prefix(8).joined(separator: ", ")), …. "
                + "Found: \(shown.isEmpty ? "nothing" : shown). Accepted: the API's JSON answer or CSV download of that dataset"
        case .unrecognisedHeader(let file, let line, let missing, let found):
            let shown = TransformError.shown(found)
            return
                "\(file):\(line): the header is not a cost-details header: missing \(missing.joined(separator: "; ")). "
                + "Found columns: \(shown). Accepted: cost-details or FOCUS CSV (comma, semicolon, tab or pipe; UTF-8, "
                + "UTF-16 or Windows-1252; plain or gzip), usageDetails or EA Reporting JSON pages, an Exports folder or its manifest.json"
        }
    }
}

extension TransformError {
    /// Header cells as a message may show them: a binary file's first "line" is no header,
    /// so what is not printable text is escaped, each cell is cut at 40 characters, and at most
    /// twelve are shown; a message never carries a screenful of a file's bytes.
    static func shown(_ cells: [String]) -> String {
        let escaped = cells.prefix(12).map { cell -> String in
            var out = ""
            for scalar in cell.unicodeScalars.prefix(40) {
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                    || scalar == "\u{FFFD}"
                {
                    out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
            return cell.unicodeScalars.count > 40 ? out + "…" : out
        }
        return escaped.joined(separator: ", ") + (cells.count > 12 ? ", …" : "")
    }
}
