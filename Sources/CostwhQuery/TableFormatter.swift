import CostwhLoad
import CostwhModel
import Foundation

/// Renders a result as an aligned table, CSV, JSON or Markdown.
package enum OutputFormat: String, Sendable, CaseIterable {
    case table, csv, json, markdown
}

/// How a table is laid out for a person.
package struct TableLayout: Sendable {
    /// The terminal's width to fit into; nil never cuts (output that is not a terminal, `--wide`).
    package var width: Int?
    /// Short names of scopes (the configuration file's `name`s), by canonical scope id.
    package var scopeNames: [String: String]
    /// Columns that format others (a `Currency` whose code every amount shows) but are not shown.
    package var hidden: Set<String>

    package init(width: Int? = nil, scopeNames: [String: String] = [:], hidden: Set<String> = []) {
        self.width = width
        self.scopeNames = scopeNames
        self.hidden = hidden
    }

    /// Everything shown in full.
    package static let full = TableLayout()

    /// What a scope is called in a table that must fit: its configured name, else the last
    /// segment of its id (a billing account number, a profile or a subscription id).
    package func shortName(_ scope: String) -> String {
        if let name = scopeNames[scope] { return name }
        return scope.split(separator: "/").last.map(String.init) ?? scope
    }
}

package enum TableFormatter {
    package static func render(_ table: ResultTable, as format: OutputFormat, layout: TableLayout = .full) -> String {
        switch format {
        case .table:
            let (header, cells, numeric) = display(table, layout: layout)
            guard let width = layout.width else { return aligned(header, cells, numeric: numeric) }
            return fitted(header, cells, numeric: numeric, width: width)
        case .markdown:
            let (header, cells, numeric) = display(table, layout: .full)
            var out = "| " + header.joined(separator: " | ") + " |\n"
            out += "|" + numeric.map { $0 ? " ---: |" : " --- |" }.joined() + "\n"
            for row in cells {
                out +=
                    "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
            }
            return out
        case .csv:
            let cells = table.rows.map { $0.map(text) }
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

    /// The header and cells as people read them: formatted numbers, short scope names when the
    /// table must fit, and no control characters (cells from cost files must not carry escape
    /// sequences to a terminal).
    static func display(_ table: ResultTable, layout: TableLayout) -> ([String], [[String]], [Bool]) {
        let formats = CellFormat.of(table)
        let shortScopes = layout.width != nil
        let shown = table.columns.indices.filter { !layout.hidden.contains(table.columns[$0]) }
        let cells = table.rows.map { row in
            shown.map { i in
                if shortScopes, table.columns[i] == "Scope", case .text(let scope) = row[i] {
                    return TerminalText.neutralised(layout.shortName(scope))
                }
                return TerminalText.neutralised(formats[i].text(row[i], row: row))
            }
        }
        return (shown.map { TerminalText.neutralised(table.columns[$0]) }, cells, shown.map { formats[$0].isNumeric })
    }

    /// Fits an aligned table into `width` columns: first headers longer than their values are
    /// cut (the longest overhang first), then text cells with `…` (the widest first, to no
    /// less than 8); numbers are never cut. A table still too wide is shown one row at a
    /// time, a field per line, as `psql`'s expanded display does.
    static func fitted(_ header: [String], _ rows: [[String]], numeric: [Bool], width: Int) -> String {
        var widths = naturalWidths(header, rows)
        func total() -> Int { widths.reduce(0, +) + 2 * max(widths.count - 1, 0) }
        let valueWidths = header.indices.map { i in max(rows.map { $0[i].count }.max() ?? 0, 4) }
        while total() > width {
            let overhangs = widths.indices.filter { widths[$0] > valueWidths[$0] }
            guard let i = overhangs.max(by: { widths[$0] - valueWidths[$0] < widths[$1] - valueWidths[$1] }) else {
                break
            }
            widths[i] = max(valueWidths[i], widths[i] - (total() - width))
        }
        while total() > width {
            let candidates = widths.indices.filter { !numeric[$0] && widths[$0] > 8 }
            guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
            widths[widest] = max(8, widths[widest] - (total() - width))
        }
        guard total() <= width else { return expanded(header, rows, width: width) }
        return aligned(
            header.indices.map { cut(header[$0], to: widths[$0]) },
            rows.map { row in row.indices.map { cut(row[$0], to: widths[$0]) } }, numeric: numeric)
    }

    static func expanded(_ header: [String], _ rows: [[String]], width: Int) -> String {
        let nameWidth = min(header.map(\.count).max() ?? 0, max(width / 3, 8))
        var out = ""
        for (n, row) in rows.enumerated() {
            out += String(("-[ row \(n + 1) ]" + String(repeating: "-", count: width)).prefix(width)) + "\n"
            for (i, cell) in row.enumerated() {
                let name = cut(header[i], to: nameWidth)
                out += name + String(repeating: " ", count: nameWidth - name.count) + " | "
                out += cut(cell, to: max(width - nameWidth - 3, 1)) + "\n"
            }
        }
        if rows.isEmpty { out += "(no rows)\n" }
        return out
    }

    package static func cut(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(width - 1, 0))) + "…"
    }

    static func naturalWidths(_ header: [String], _ rows: [[String]]) -> [Int] {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) }
        }
        return widths
    }

    static func numericColumns(_ table: ResultTable) -> [Bool] { CellFormat.of(table).map(\.isNumeric) }

    /// A value as CSV holds it: numbers at full precision (the shortest text that reads back
    /// as the same double), never `-0`.
    static func text(_ value: StoreValue) -> String {
        switch value {
        case .null: return ""
        case .integer(let v): return String(v)
        case .real(let v): return v.isFinite ? JSONOutput.number(v) : String(v)
        case .text(let s): return s
        case .blob(let d): return "<\(d.count) bytes>"
        }
    }

    /// Money in a message, with 2 decimals: no `-0.00` for a difference that rounds away.
    static func formatNumber(_ value: Double) -> String { CellFormat.grouped(value, decimals: 2) }

    static func csvField(_ s: String) -> String { CSVEscaping.field(s) }

    static func aligned(_ header: [String], _ rows: [[String]], numeric: [Bool]) -> String {
        let widths = naturalWidths(header, rows)
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
