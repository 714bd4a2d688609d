import Foundation

/// A tiny RFC 4180 reader and writer for building test variants (not the product's reader).
package enum CSVText {
    package static func parse(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(text)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        field.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                quoted = true
            } else if c == "," {
                record.append(field)
                field = ""
            } else if c == "\n" || c == "\r\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else if c != "\r" {
                field.append(c)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }

    package static func write(_ records: [[String]], delimiter: String, quoteAll: Bool) -> String {
        records.map { record in
            record.map { f in
                quoteAll || f.contains(delimiter) || f.contains("\"") || f.contains("\n")
                    ? "\"" + f.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : f
            }.joined(separator: delimiter)
        }.joined(separator: "\r\n") + "\r\n"
    }
}
