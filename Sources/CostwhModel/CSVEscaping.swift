/// RFC 4180 quoting for the CSV costwh writes (the usageDetails conversion, `--format csv`,
/// the synthetic files): a field holding a comma, a quote or a line break is quoted, with
/// its quotes doubled. Written once, for every writer.
package enum CSVEscaping {
    @inline(__always)
    static func needsQuotes(_ field: String) -> Bool {
        // Bytes, not Characters: this runs for every cell of large outputs.
        field.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    }

    /// The field as it stands in a CSV line.
    package static func field(_ field: String) -> String {
        needsQuotes(field)
            ? "\"" + field.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
            : field
    }

    /// Appends the field as it stands in a CSV line.
    package static func append(_ field: String, to out: inout [UInt8]) {
        guard needsQuotes(field) else {
            out.append(contentsOf: field.utf8)
            return
        }
        out.append(0x22)
        for b in field.utf8 {
            if b == 0x22 { out.append(0x22) }
            out.append(b)
        }
        out.append(0x22)
    }
}
