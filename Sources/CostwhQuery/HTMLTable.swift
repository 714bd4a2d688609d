import CostwhLoad

/// A result table in the report: formatted money and percentages, readable column names,
/// short scope names with the whole id in a tooltip, and cells that wrap rather than widen
/// the page.
enum HTMLTable {
    static func render(_ full: ResultTable, caption: String) -> String {
        // One scope throughout: the headings name it, so the column only takes room.
        var table = full
        if let i = full.columns.firstIndex(of: "Scope"), Set(full.rows.map { TableFormatter.text($0[i]) }).count <= 1 {
            table = full.dropping(["Scope"])
        }
        var out = "<div class=\"table\">\n<table>\n<caption>\(HTMLPage.escape(caption))</caption>\n"
        guard !table.rows.isEmpty else {
            return out + "<tbody><tr><td class=\"none\">Nothing to show.</td></tr></tbody>\n</table>\n</div>\n"
        }
        let formats = CellFormat.of(table)
        let hidden = table.columns.count > 3 && formats.contains(where: { if case .money = $0 { true } else { false } })
        let shown = table.columns.indices.filter { !(hidden && table.columns[$0] == "Currency") }
        out +=
            "<thead><tr>"
            + shown.map { i in
                "<th scope=\"col\"\(formats[i].isNumeric ? " class=\"num\"" : "")>\(HTMLPage.escape(words(table.columns[i])))</th>"
            }.joined() + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            out += "<tr>"
            for i in shown {
                let name = table.columns[i]
                let text = formats[i].text(row[i], row: row)
                if name == "Scope" {
                    out +=
                        "<td title=\"\(HTMLPage.escape(text))\">\(HTMLPage.escape(TableLayout().shortName(text)))</td>"
                } else if formats[i].isNumeric {
                    out += "<td class=\"num\">\(HTMLPage.escape(text))</td>"
                } else {
                    out += "<td\(name.hasSuffix("Id") ? " class=\"id\"" : "")>\(HTMLPage.escape(text))</td>"
                }
            }
            out += "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</div>\n"
    }

    /// `AmortizedCommitmentUsage` as `Amortized commitment usage`, so headers can wrap.
    static func words(_ name: String) -> String {
        var out = ""
        var previous: Character = " "
        for ch in name {
            if ch.isUppercase && previous.isLowercase { out += " " + ch.lowercased() } else { out.append(ch) }
            previous = ch
        }
        return out
    }
}
