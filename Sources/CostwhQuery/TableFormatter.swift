import CostwhLoad
import CostwhModel
import Foundation

/// Renders a result as an aligned table, CSV, JSON or Markdown.
package enum OutputFormat: String, Sendable, CaseIterable {
    case table, csv, json, markdown
}

package enum TableFormatter {
    package static func render(_ table: ResultTable, as format: OutputFormat) -> String {
        let cells = table.rows.map { $0.map(text) }
        switch format {
        case .table:
            // Tables are for terminals: cells from cost files must not carry escape sequences.
            let shown = cells.map { $0.map { TerminalText.neutralised($0) } }
            return aligned(table.columns.map { TerminalText.neutralised($0) }, shown, numeric: numericColumns(table))
        case .markdown:
            let cells = cells.map { $0.map { TerminalText.neutralised($0) } }
            var out = "| " + table.columns.map { TerminalText.neutralised($0) }.joined(separator: " | ") + " |\n"
            out += "|" + numericColumns(table).map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
            for row in cells {
                out +=
                    "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
            }
            return out
        case .csv:
            var out = table.columns.map(csvField).joined(separator: ",") + "\n"
            out.reserveCapacity(cells.count * 64)
            for row in cells {
                for (i, cell) in row.enumerated() {
                    if i > 0 { out += "," }
                    out += csvField(cell)
                }
                out += "\n"
            }
            return out
        case .json:
            return JSONOutput.render(table)
        }
    }

    static func numericColumns(_ table: ResultTable) -> [Bool] {
        table.columns.indices.map { i in
            let values = table.rows.map { $0[i] }.filter { !$0.isNull }
            return !values.isEmpty
                && values.allSatisfy { $0.double != nil }
        }
    }

    static func text(_ value: StoreValue) -> String {
        switch value {
        case .null: return ""
        case .integer(let v): return String(v)
        case .real(let v): return formatNumber(v)
        case .text(let s): return s
        case .blob(let d): return "<\(d.count) bytes>"
        }
    }

    /// Money and ratios: at most 6 decimals, trailing zeros kept to 2 for readability.
    static func formatNumber(_ value: Double) -> String {
        // No "-0.00" for a difference that rounds away.
        let v = abs(value) < 0.000_000_5 ? 0 : value
        if v == v.rounded() && abs(v) < 1e15 { return String(format: "%.2f", v) }
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") && s.split(separator: ".").last!.count > 2 { s.removeLast() }
        return s
    }

    static func csvField(_ s: String) -> String { CSVEscaping.field(s) }

    static func aligned(_ header: [String], _ rows: [[String]], numeric: [Bool]) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                return numeric[i] ? pad + cell : cell + pad
            }.joined(separator: "  ").trimmingTrailingSpaces()
        }
        var out = line(header) + "\n"
        out += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in rows { out += line(row) + "\n" }
        if rows.isEmpty { out += "(no rows)\n" }
        return out
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var s = Substring(self)
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
