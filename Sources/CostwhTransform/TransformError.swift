import CostwhBytes

/// Errors that stop a whole file. A bad row is not one of them: it is quarantined.
package enum TransformError: Error, Equatable, CustomStringConvertible {
    case source(BytesError)
    case recordTooLong(file: String, line: Int, limit: Int)
    case emptyFile(file: String)
    case unrecognisedHeader(file: String, line: Int, missing: [String], found: [String])
    case malformedJSON(file: String, reason: String)
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
        case .unrecognisedDataset(let file, let dataset, let found, let expected):
            let shown = found.prefix(12).joined(separator: ", ") + (found.count > 12 ? ", …" : "")
            return
                "\(file): not a \(dataset) file: none of its columns is one of \(expected.prefix(8).joined(separator: ", ")), …. "
                + "Found: \(shown.isEmpty ? "nothing" : shown). Accepted: the API's JSON answer or CSV download of that dataset"
        case .unrecognisedHeader(let file, let line, let missing, let found):
            let shown = found.prefix(12).joined(separator: ", ") + (found.count > 12 ? ", …" : "")
            return
                "\(file):\(line): the header is not a cost-details header: missing \(missing.joined(separator: "; ")). "
                + "Found columns: \(shown). Accepted: cost-details or FOCUS CSV (comma, semicolon, tab or pipe; UTF-8, "
                + "UTF-16 or Windows-1252; plain or gzip), usageDetails or EA Reporting JSON pages, an Exports folder or its manifest.json"
        }
    }
}
