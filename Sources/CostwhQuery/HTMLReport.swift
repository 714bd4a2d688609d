import CostwhLoad
import CostwhModel
import Foundation

/// `costwh report --html`: one self-contained page (inline CSS and SVG, no scripts, fonts
/// or network) with the daily and monthly charts, the totals with their causes, the
/// utilisation tables and the top beneficiaries. The markup is well-formed XML (XHTML
/// syntax) so it can be checked mechanically.
package struct HTMLReport: Sendable {
    let store: any CostStore

    package init(database: CostDatabase) {
        self.init(store: database)
    }

    package init(store: any CostStore) {
        self.store = store
    }

    package func render(
        scope: String?, from: String, to: String, top: Int = 10, generatedAt: Date = Date()
    ) throws(QueryError) -> String {
        let runner = QueryRunner(store: store)
        let parameters: [String: StoreValue] = [
            "scope": StoreValue(scope), "from": .text(from), "to": .text(to), "top": StoreValue(top),
        ]
        let totals = try runner.run("totals", parameters: parameters)
        let daily = try runner.run("daily", parameters: parameters)
        let reservations = try runner.run("reservations", parameters: parameters)
        let savingsPlans = try runner.run("savings-plans", parameters: parameters)
        let topBenefit = try runner.run("top-benefit", parameters: parameters)

        var body = ""
        body += "<h1>Azure cost: actual versus amortized</h1>\n"
        body +=
            "<p class=\"meta\">\(HTMLReport.escape(scope ?? "All scopes")) · \(HTMLReport.escape(from == PeriodRange.all.lowerBound ? "all months" : "\(from) to \(to)")) · generated \(HTMLReport.escape(ISO8601DateFormatter().string(from: generatedAt))) by costwh</p>\n"
        if totals.rows.isEmpty {
            body +=
                "<p class=\"empty\">No month in this range has both metrics loaded, so there is nothing to compare.</p>\n"
        }
        // One chart pair per scope and currency: currencies are never mixed.
        var series: [String: [(date: String, actual: Double, amortized: Double)]] = [:]
        var order: [String] = []
        for row in daily.rows {
            let key = "\(HTMLReport.text(row[0])) (\(HTMLReport.text(row[2])))"
            if series[key] == nil { order.append(key) }
            series[key, default: []].append(
                (HTMLReport.text(row[1]), HTMLReport.number(row[3]), HTMLReport.number(row[4])))
        }
        for key in order {
            body += "<section>\n<h2>Daily cost: \(HTMLReport.escape(key))</h2>\n"
            body += SVGChart.lines(
                series[key]!.map { ($0.date, $0.actual, $0.amortized) }, title: "Daily actual and amortized cost")
            body += "</section>\n"
        }
        var monthly: [String: [(String, Double, Double)]] = [:]
        var monthlyOrder: [String] = []
        for row in totals.rows {
            let key = "\(HTMLReport.text(row[0])) (\(HTMLReport.text(row[2])))"
            if monthly[key] == nil { monthlyOrder.append(key) }
            monthly[key, default: []].append(
                (HTMLReport.text(row[1]), HTMLReport.number(row[3]), HTMLReport.number(row[4])))
        }
        for key in monthlyOrder {
            body += "<section>\n<h2>Monthly cost: \(HTMLReport.escape(key))</h2>\n"
            body += SVGChart.bars(monthly[key]!, title: "Monthly actual and amortized cost")
            body += "</section>\n"
        }
        body += HTMLReport.section(
            "Totals and why they differ", totals,
            note:
                "Difference = −CommitmentPurchases + AmortizedCommitmentUsage + UnusedReservation + UnusedSavingsPlan + Other. Other should be 0."
        )
        body += HTMLReport.section("Reservation utilisation", reservations, note: nil)
        body += HTMLReport.section("Savings plan utilisation", savingsPlans, note: nil)
        body += HTMLReport.section(
            "Top \(top) resources benefiting from commitments", topBenefit,
            note: "Amortized minus actual cost of each resource's usage.")
        body += try HTMLReport.savings(runner: runner, parameters: parameters)
        body += try HTMLReport.restatements(store: store, scope: scope, from: from, to: to)
        return """
            <!DOCTYPE html>
            <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
            <head>
            <meta charset="utf-8" />
            <meta name="viewport" content="width=device-width, initial-scale=1" />
            <title>costwh report</title>
            <style>
            body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1100px; color: #1f2933; padding: 0 1rem; }
            h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
            h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #d9e2ec; padding-bottom: 0.3rem; }
            .meta, .note { color: #52606d; font-size: 0.9rem; }
            .empty { padding: 1rem; background: #fff8e1; border: 1px solid #f0c36d; }
            table { border-collapse: collapse; width: 100%; font-size: 0.82rem; margin-top: 0.5rem; }
            th, td { padding: 0.3rem 0.5rem; border-bottom: 1px solid #e4e7eb; text-align: left; vertical-align: top; }
            th { background: #f5f7fa; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            td.id { word-break: break-all; }
            svg { width: 100%; height: auto; background: #fff; }
            .axis { stroke: #9aa5b1; stroke-width: 1; }
            .grid { stroke: #e4e7eb; stroke-width: 1; }
            .label { font-size: 11px; fill: #52606d; }
            .title { font-size: 13px; fill: #1f2933; font-weight: 600; }
            .actual { stroke: #2f80ed; fill: #2f80ed; }
            .amortized { stroke: #f2994a; fill: #f2994a; }
            polyline.actual, polyline.amortized { fill: none; }
            td.id { min-width: 12rem; }
            .scroll { overflow-x: auto; }
            </style>
            </head>
            <body>
            \(body)</body>
            </html>

            """
    }

    /// Savings by month (negotiated against commitment) and each commitment's utilisation.
    static func savings(runner: QueryRunner, parameters: [String: StoreValue]) throws(QueryError) -> String {
        var withoutGroup = parameters
        withoutGroup["by"] = .null
        withoutGroup["tag"] = .null
        let full = try runner.run("savings", parameters: withoutGroup)
        let group = full.columns.firstIndex(of: "Group")
        let savings = ResultTable(
            columns: full.columns.enumerated().filter { $0.offset != group }.map(\.element),
            rows: full.rows.map { row in row.enumerated().filter { $0.offset != group }.map(\.element) })
        let commitments = try runner.run("commitments", parameters: parameters)
        var out = ""
        var byKey: [String: [(String, Double, Double)]] = [:]
        var order: [String] = []
        for i in savings.rows.indices {
            let key = "\(text(savings.value(i, "Scope"))) (\(text(savings.value(i, "Currency"))))"
            if byKey[key] == nil { order.append(key) }
            byKey[key, default: []].append(
                (
                    text(savings.value(i, "BillingPeriod")), number(savings.value(i, "NegotiatedSavings")),
                    number(savings.value(i, "CommitmentSavings"))
                ))
        }
        for key in order {
            out += "<section>\n<h2>Savings: \(escape(key))</h2>\n"
            out += SVGChart.bars(
                byKey[key]!, title: "Savings by month: negotiated prices against commitments",
                series: ("Negotiated savings", "Commitment savings"))
            out += "</section>\n"
        }
        out += section(
            "Savings against list prices", savings,
            note:
                "FinOps toolkit definitions, from the amortized cost: NegotiatedSavings = ListCost − ContractedCost, CommitmentSavings = ContractedCost − EffectiveCost (unused commitments lower it), TotalSavings = their sum, EffectiveSavingsRate = TotalSavings / ListCost. Rows without a list price count their contracted cost as list; they are counted in RowsWithoutListPrice."
        )
        out += section(
            "Commitment utilisation and savings", commitments,
            note:
                "Per reservation or savings plan order: utilisation from Azure's reservation details where loaded, else from used against unused cost; Savings = ContractedCost − EffectiveCost of its rows."
        )
        return out
    }

    /// The changes between successive loads of the range's months, and where the largest
    /// of them happened (by subscription).
    static func restatements(
        store: any CostStore, scope: String?, from: String, to: String
    ) throws(QueryError)
        -> String
    {
        let periods = PeriodRange(from: try? BillingPeriod(parsing: from), to: try? BillingPeriod(parsing: to))
        let changes: [PartitionChange]
        let breakdowns: [(PartitionChange, [GroupChange])]
        do {
            (changes, breakdowns) = try store.reading { reader in
                let changes = try PartitionChanges.list(reader, ChangeFilter(scope: scope, periods: periods))
                let largest = changes.sorted { $0.deltaUnits.magnitude > $1.deltaUnits.magnitude }.prefix(5)
                return (
                    changes,
                    try largest.map { ($0, try PartitionChanges.breakdown(reader, $0, by: .subscription, top: 5)) }
                )
            }
        } catch {
            throw .database(String(describing: error))
        }
        let all = PartitionChanges.table(changes)
        let shown = [
            "Scope", "BillingPeriod", "Metric", "Currency", "FinishedAt", "PreviousCost", "Cost", "Delta",
            "DeltaPercent",
            "PreviousRows", "Rows", "Closed",
        ]
        let indices = shown.compactMap { all.columns.firstIndex(of: $0) }
        let table = ResultTable(columns: shown, rows: all.rows.map { row in indices.map { row[$0] } })
        var out = section(
            "Changes to months already loaded", table,
            note:
                "Each row is a month whose new load differs from the one before it (Azure restates months after the fact). Closed: the month had settled before the earlier load."
        )
        if !breakdowns.isEmpty {
            let byGroup = PartitionChanges.table(breakdowns, by: .subscription)
            let keep = ["BillingPeriod", "Metric", "Currency", "Group", "PreviousCost", "Cost", "Delta"]
            let at = keep.compactMap { byGroup.columns.firstIndex(of: $0) }
            out += section(
                "Where the largest changes happened",
                ResultTable(
                    columns: keep.map { $0 == "Group" ? "Subscription" : $0 },
                    rows: byGroup.rows.map { row in at.map { row[$0] } }),
                note: "The subscriptions whose cost changed most in the five largest changes.")
        }
        return out
    }

    static func section(_ title: String, _ full: ResultTable, note: String?) -> String {
        var out = "<section>\n<h2>\(escape(title))</h2>\n"
        // One scope throughout: it is in the page's heading, so the column only takes room.
        var table = full
        if let i = full.columns.firstIndex(of: "Scope"), Set(full.rows.map { TableFormatter.text($0[i]) }).count <= 1 {
            table = ResultTable(
                columns: full.columns.enumerated().filter { $0.offset != i }.map(\.element),
                rows: full.rows.map { row in row.enumerated().filter { $0.offset != i }.map(\.element) })
        }
        if let note { out += "<p class=\"note\">\(escape(note))</p>\n" }
        guard !table.rows.isEmpty else { return out + "<p class=\"note\">Nothing to show.</p>\n</section>\n" }
        let numeric = TableFormatter.numericColumns(table)
        out +=
            "<div class=\"scroll\">\n<table>\n<thead><tr>" + table.columns.map { "<th>\(escape($0))</th>" }.joined()
            + "</tr></thead>\n<tbody>\n"
        for row in table.rows {
            out +=
                "<tr>"
                + row.enumerated().map { i, value in
                    let cls =
                        numeric[i]
                        ? " class=\"num\""
                        : (table.columns[i].hasSuffix("Id") || table.columns[i] == "Scope" ? " class=\"id\"" : "")
                    return "<td\(cls)>\(escape(TableFormatter.text(value)))</td>"
                }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table>\n</div>\n</section>\n"
    }

    static func text(_ value: StoreValue) -> String { TableFormatter.text(value) }

    static func number(_ value: StoreValue) -> Double { value.double ?? 0 }

    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}

/// Inline SVG charts with axes, labels and a legend.
enum SVGChart {
    static let width = 1000.0
    static let height = 320.0
    static let left = 80.0, right = 20.0, top = 36.0, bottom = 50.0

    static func niceMax(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for step in [1.0, 2.0, 2.5, 5.0, 10.0] where step * magnitude >= value { return step * magnitude }
        return 10 * magnitude
    }

    static func label(_ value: Double) -> String {
        if abs(value) >= 1_000_000 { return String(format: "%.1fM", value / 1_000_000) }
        if abs(value) >= 1_000 { return String(format: "%.1fk", value / 1_000) }
        return String(format: "%.0f", value)
    }

    static func frame(
        _ maxValue: Double, title: String, series: (String, String) = ("ActualCost", "AmortizedCost")
    ) -> String {
        var out = "<text class=\"title\" x=\"\(left)\" y=\"20\">\(HTMLReport.escape(title))</text>\n"
        let plotHeight = height - top - bottom
        for i in 0...4 {
            let v = maxValue * Double(i) / 4
            let y = top + plotHeight * (1 - Double(i) / 4)
            out += "<line class=\"grid\" x1=\"\(left)\" y1=\"\(f(y))\" x2=\"\(width - right)\" y2=\"\(f(y))\" />\n"
            out += "<text class=\"label\" x=\"\(left - 8)\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(label(v))</text>\n"
        }
        out += "<line class=\"axis\" x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" />\n"
        out +=
            "<line class=\"axis\" x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" />\n"
        // Legend.
        let lx = width - right - 230
        out += "<rect class=\"actual\" x=\"\(lx)\" y=\"10\" width=\"12\" height=\"12\" />"
        out += "<text class=\"label\" x=\"\(lx + 18)\" y=\"20\">\(HTMLReport.escape(series.0))</text>\n"
        out += "<rect class=\"amortized\" x=\"\(lx + 110)\" y=\"10\" width=\"12\" height=\"12\" />"
        out += "<text class=\"label\" x=\"\(lx + 128)\" y=\"20\">\(HTMLReport.escape(series.1))</text>\n"
        return out
    }

    static func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func lines(_ points: [(String, Double, Double)], title: String) -> String {
        let maxValue = niceMax(points.map { max($0.1, $0.2) }.max() ?? 0)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        func x(_ i: Int) -> Double {
            left + (points.count <= 1 ? plotWidth / 2 : plotWidth * Double(i) / Double(points.count - 1))
        }
        func y(_ v: Double) -> Double { top + plotHeight * (1 - max(0, v) / maxValue) }
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLReport.escape(title))\">\n"
        out += frame(maxValue, title: title)
        let every = max(1, points.count / 10)
        for (i, p) in points.enumerated() where i % every == 0 || i == points.count - 1 {
            out +=
                "<text class=\"label\" x=\"\(f(x(i)))\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\">\(HTMLReport.escape(String(p.0.suffix(5))))</text>\n"
        }
        out +=
            "<text class=\"label\" x=\"\(f(left + plotWidth / 2))\" y=\"\(height - 8)\" text-anchor=\"middle\">Date (MM-DD)</text>\n"
        for (cls, value) in [
            ("actual", { (p: (String, Double, Double)) in p.1 }),
            ("amortized", { (p: (String, Double, Double)) in p.2 }),
        ] {
            let path = points.enumerated().map { "\(f(x($0.offset))),\(f(y(value($0.element))))" }.joined(
                separator: " ")
            out += "<polyline class=\"\(cls)\" fill=\"none\" stroke-width=\"2\" points=\"\(path)\" />\n"
            for (i, p) in points.enumerated() {
                out +=
                    "<circle class=\"\(cls)\" cx=\"\(f(x(i)))\" cy=\"\(f(y(value(p))))\" r=\"2.5\"><title>\(HTMLReport.escape(p.0)) \(cls): \(TableFormatter.formatNumber(value(p)))</title></circle>\n"
            }
        }
        return out + "</svg>\n"
    }

    static func bars(
        _ months: [(String, Double, Double)], title: String,
        series: (String, String) = ("ActualCost", "AmortizedCost")
    ) -> String {
        let maxValue = niceMax(months.map { max($0.1, $0.2) }.max() ?? 0)
        let plotWidth = width - left - right
        let plotHeight = height - top - bottom
        let slot = plotWidth / Double(max(months.count, 1))
        let bar = min(60, slot * 0.35)
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLReport.escape(title))\">\n"
        out += frame(maxValue, title: title, series: series)
        for (i, m) in months.enumerated() {
            let center = left + slot * (Double(i) + 0.5)
            for (j, (cls, v)) in [("actual", m.1), ("amortized", m.2)].enumerated() {
                let h = plotHeight * max(0, v) / maxValue
                let x = center - bar + Double(j) * bar
                out +=
                    "<rect class=\"\(cls)\" x=\"\(f(x))\" y=\"\(f(top + plotHeight - h))\" width=\"\(f(bar - 2))\" height=\"\(f(h))\"><title>\(HTMLReport.escape(m.0)) \(HTMLReport.escape(j == 0 ? series.0 : series.1)): \(TableFormatter.formatNumber(v))</title></rect>\n"
            }
            out +=
                "<text class=\"label\" x=\"\(f(center))\" y=\"\(height - bottom + 18)\" text-anchor=\"middle\">\(HTMLReport.escape(m.0))</text>\n"
        }
        out +=
            "<text class=\"label\" x=\"\(f(left + plotWidth / 2))\" y=\"\(height - 8)\" text-anchor=\"middle\">Billing period</text>\n"
        return out + "</svg>\n"
    }
}
