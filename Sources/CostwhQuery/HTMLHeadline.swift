import CostwhLoad
import CostwhModel

/// The report's first screen, per currency: actual, amortized, the difference and its
/// causes, savings and their rate, commitment utilisation, and changes to closed months.
enum HTMLHeadline {
    struct Figures {
        var actual = 0.0, amortized = 0.0
        var causes: [String: Double] = [:]
        var list = 0.0, savings = 0.0, negotiated = 0.0, commitment = 0.0
        var used = 0.0, unused = 0.0
        var closedChanges = 0, closedDelta = 0.0
    }

    static func figures(_ data: HTMLReport.Data) -> [(String, Figures)] {
        var byCurrency: [String: Figures] = [:]
        var order: [String] = []
        func update(_ currency: String, _ body: (inout Figures) -> Void) {
            if byCurrency[currency] == nil { order.append(currency) }
            body(&byCurrency[currency, default: Figures()])
        }
        let totals = data.totals
        for row in totals.rows {
            update(totals.text(row, "Currency")) { f in
                f.actual += totals.number(row, "ActualCost")
                f.amortized += totals.number(row, "AmortizedCost")
                for cause in DifferenceSummary.causes {
                    f.causes[cause.label, default: 0] += cause.sign * totals.number(row, cause.column)
                }
            }
        }
        let savings = data.savings
        for row in savings.rows where byCurrency[savings.text(row, "Currency")] != nil {
            update(savings.text(row, "Currency")) { f in
                f.list += savings.number(row, "ListCost")
                f.savings += savings.number(row, "TotalSavings")
                f.negotiated += savings.number(row, "NegotiatedSavings")
                f.commitment += savings.number(row, "CommitmentSavings")
            }
        }
        let commitments = data.commitments
        for row in commitments.rows where byCurrency[commitments.text(row, "Currency")] != nil {
            update(commitments.text(row, "Currency")) { f in
                f.used += commitments.number(row, "UsedCost")
                f.unused += commitments.number(row, "UnusedCost")
            }
        }
        for change in data.changes where change.closed {
            guard let currency = change.currency, byCurrency[currency] != nil else { continue }
            update(currency) { f in
                f.closedChanges += 1
                f.closedDelta += Double(change.deltaUnits) / CostUnits.perUnit
            }
        }
        return order.map { ($0, byCurrency[$0]!) }
    }

    static func section(_ data: HTMLReport.Data) -> String {
        var out = "<section class=\"headline\" aria-label=\"Headline figures\">\n"
        for (currency, f) in figures(data) {
            func money(_ v: Double) -> String {
                HTMLPage.escape(CellFormat.money(currency: 0).text(.real(v), row: [.text(currency)]))
            }
            let difference = f.amortized - f.actual
            let causes = DifferenceSummary.causes.map(\.label).compactMap { label -> String? in
                guard let v = f.causes[label], abs(v) >= 0.005 else { return nil }
                return "<li>\(HTMLPage.escape(label)): \(money(v))</li>"
            }
            let rate = f.list != 0 ? CellFormat.grouped(100 * f.savings / f.list, decimals: 1) + " %" : "—"
            let utilisation =
                f.used + f.unused > 0 ? CellFormat.grouped(100 * f.used / (f.used + f.unused), decimals: 1) + " %" : "—"
            out += "<h2>Headline figures (\(HTMLPage.escape(currency)))</h2>\n<div class=\"cards\">\n"
            out += card("Actual cost", money(f.actual), "what was billed, commitments in the month bought")
            out += card("Amortized cost", money(f.amortized), "commitments spread over their term")
            out += card(
                "Difference", money(difference), "amortized − actual",
                list: causes.isEmpty ? nil : "<ul>" + causes.joined() + "</ul>")
            out += card(
                "Savings", money(f.savings),
                "effective savings rate \(rate): negotiated \(money(f.negotiated)), commitments \(money(f.commitment))")
            out += card("Commitment utilisation", HTMLPage.escape(utilisation), "used against used and unused cost")
            out += card(
                "Changes to closed months", f.closedChanges == 0 ? "none" : money(f.closedDelta),
                f.closedChanges == 0
                    ? "no settled month moved" : "\(f.closedChanges) restatement(s) of settled months")
            out += "</div>\n"
        }
        return out + "</section>\n"
    }

    static func card(_ title: String, _ figure: String, _ note: String, list: String? = nil) -> String {
        "<div class=\"card\"><h3>\(HTMLPage.escape(title))</h3><p class=\"figure\">\(figure)</p>"
            + "<p class=\"note\">\(note.contains("<") ? note : HTMLPage.escape(note))</p>\(list ?? "")</div>\n"
    }
}
