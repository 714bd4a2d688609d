import CostwhLoad
import CostwhTransform

/// `--format json`: an array with one object per row, keys in the table's column order,
/// numbers as JSON numbers (never `-0`, never a string), and slashes left alone, so an ARM
/// scope reads as itself. Written by hand because JSONSerialization sorts keys (or keeps no
/// order) and escapes every `/`.
package enum JSONOutput {
    package static func render(_ table: ResultTable) -> String {
        var out = "["
        for (r, row) in table.rows.enumerated() {
            out += r == 0 ? "\n  {" : ",\n  {"
            for (c, column) in table.columns.enumerated() {
                out += c == 0 ? "\n    " : ",\n    "
                append(string: column, to: &out)
                out += ": "
                append(row[c], to: &out)
            }
            out += table.columns.isEmpty ? "}" : "\n  }"
        }
        out += table.rows.isEmpty ? "]\n" : "\n]\n"
        return out
    }

    static func append(_ value: StoreValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case .integer(let v): out += String(v)
        case .real(let v): out += number(v)
        case .text(let s): append(string: s, to: &out)
        case .blob(let b): append(string: String(decoding: b, as: UTF8.self), to: &out)
        }
    }

    /// The shortest text that reads back as the same double; `0` for -0; `null` for what JSON
    /// cannot hold (infinities, NaN).
    package static func number(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        if v == 0 { return "0" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.description
    }

    /// A JSON string literal of `string`.
    package static func quoted(_ string: String) -> String {
        var out = ""
        append(string: string, to: &out)
        return out
    }

    static func append(string: String, to out: inout String) { out += JSONText.quoted(string) }
}
