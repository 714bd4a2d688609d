import CostwhLoad
import CostwhModel
import Foundation

/// `costwh report --html`: one self-contained page a FinOps practitioner can send on, after
/// the FinOps toolkit's "Cost summary" and "Rate optimization" reports. Headline figures per
/// currency, charts whose series stay apart when they coincide, a section per month, and
/// tables with formatted money that wrap rather than overflow. Inline CSS and SVG only: a
/// content security policy forbids scripts and every fetch. The markup is well-formed XML
/// (XHTML syntax) so it can be checked mechanically.
package struct HTMLReport: Sendable {
    let store: any StoreReading

    package init(store: any StoreReading) {
        self.store = store
    }

    /// What the report is made of, read in one pass of canned queries.
    struct Data {
        var totals: ResultTable
        var daily: ResultTable
        var savings: ResultTable
        var commitments: ResultTable
        var topBenefit: ResultTable
        var changes: [PartitionChange]
        var largestChanges: [(PartitionChange, [GroupChange])]
    }

    package func render(
        scope: String?, from: String, to: String, top: Int = 10, generatedAt: Date = Date()
    ) throws(QueryError) -> String {
        let runner = QueryRunner(store: store)
        let parameters: [String: StoreValue] = [
            "scope": StoreValue(scope), "from": .text(from), "to": .text(to), "top": StoreValue(top), "by": .null,
            "tag": .null,
        ]
        let full = try runner.run("savings", parameters: parameters)
        let (changes, largest) = try HTMLReport.changes(store: store, scope: scope, from: from, to: to)
        let data = Data(
            totals: try runner.run("totals", parameters: parameters),
            daily: try runner.run("daily", parameters: parameters),
            savings: full.dropping(["Group"]),
            commitments: try runner.run("commitments", parameters: parameters),
            topBenefit: try runner.run("top-benefit", parameters: parameters),
            changes: changes, largestChanges: largest)

        let range = from == PeriodRange.all.lowerBound ? "all months" : from == to ? from : "\(from) to \(to)"
        var body = "<header>\n<h1>Azure cost: actual versus amortized</h1>\n"
        body +=
            "<p class=\"meta\">\(HTMLPage.escape(scope ?? "All scopes")) · \(HTMLPage.escape(range)) · generated \(HTMLPage.escape(ISO8601DateFormatter().string(from: generatedAt))) by costwh</p>\n</header>\n"
        guard !data.totals.rows.isEmpty else {
            body +=
                "<p class=\"empty\">No month in this range has both metrics loaded, so there is nothing to compare.</p>\n"
            return HTMLPage.wrap(body + HTMLReport.restatements(data))
        }
        var charts = ChartIDs()
        body += HTMLHeadline.section(data)
        body += HTMLReport.monthNavigation(data.totals)
        body += HTMLReport.trends(data, charts: &charts)
        body += HTMLReport.months(data)
        body += HTMLReport.rateOptimization(data, top: top, charts: &charts)
        body += HTMLReport.restatements(data)
        return HTMLPage.wrap(body)
    }

    // MARK: sections

    static func monthNavigation(_ totals: ResultTable) -> String {
        let months = totals.distinct("BillingPeriod")
        guard months.count > 1 else { return "" }
        return "<nav aria-label=\"Months\"><span>Months:</span> "
            + months.map { "<a href=\"#month-\(escape($0))\">\(escape($0))</a>" }.joined(separator: " ") + "</nav>\n"
    }

    /// Per scope and currency (currencies are never added up): the months as bars of actual
    /// cost against a line of amortized cost, the difference with its sign, and the days.
    static func trends(_ data: Data, charts: inout ChartIDs) -> String {
        var out = ""
        for key in data.totals.groups() {
            let rows = data.totals.rows(of: key)
            let label = "\(key.scopeName) (\(key.currency))"
            out += "<section>\n<h2>Monthly trend: \(escape(label))</h2>\n"
            let months = rows.map { data.totals.text($0, "BillingPeriod") }
            out += SVGChart.barsAndLine(
                labels: months, bars: rows.map { data.totals.number($0, "ActualCost") },
                line: rows.map { data.totals.number($0, "AmortizedCost") },
                names: ("Actual cost", "Amortized cost"), currency: key.currency, axis: "Billing period",
                title: "Actual and amortized cost by month, \(label)", id: charts.next())
            out += SVGChart.signedBars(
                labels: months, values: rows.map { data.totals.number($0, "Difference") }, currency: key.currency,
                axis: "Billing period",
                title: "Amortized minus actual cost by month, \(label)",
                note: "Below zero: commitments bought that month. Above zero: commitments bought earlier, in use.",
                id: charts.next())
            let days = data.daily.rows(of: key)
            if !days.isEmpty {
                out += SVGChart.barsAndLine(
                    labels: days.map { String(data.daily.text($0, "Date").suffix(5)) },
                    bars: days.map { data.daily.number($0, "AmortizedCost") },
                    line: days.map { data.daily.number($0, "ActualCost") }, names: ("Amortized cost", "Actual cost"),
                    currency: key.currency, axis: "Date (MM-DD)", title: "Daily amortized and actual cost, \(label)",
                    id: charts.next())
            }
            out += "</section>\n"
        }
        return out
    }

    /// A section per month: each scope's actual against amortized, the causes of the
    /// difference, and the month's commitments.
    static func months(_ data: Data) -> String {
        var out = ""
        let summary = DifferenceSummary.table(fromTotals: data.totals)
        for month in data.totals.distinct("BillingPeriod") {
            out += "<section id=\"month-\(escape(month))\" class=\"month\">\n<h2>\(escape(month))</h2>\n"
            out += HTMLTable.render(
                summary.filtered("Month", month).dropping(["Month"]),
                caption: "Actual against amortized cost: the largest cause of the difference and commitment utilisation"
            )
            out += HTMLTable.render(
                data.totals.filtered("BillingPeriod", month).dropping(
                    ["BillingPeriod", "ActualCost", "AmortizedCost"]),
                caption:
                    "Why they differ: Difference = −CommitmentPurchases + AmortizedCommitmentUsage + UnusedReservation + UnusedSavingsPlan + Other (Other should be 0)"
            )
            let commitments = data.commitments.filtered("BillingPeriod", month).keeping([
                "Scope", "Kind", "CommitmentName", "Term", "Currency", "PurchaseCost", "UsedCost", "UnusedCost",
                "UtilizationPercent", "Savings",
            ])
            if !commitments.rows.isEmpty {
                out += HTMLTable.render(
                    commitments,
                    caption:
                        "Commitments: purchases and refunds, used and unused cost, utilisation, and the savings against contracted prices"
                )
            }
            out += "</section>\n"
        }
        return out
    }

    /// Savings against list prices (negotiated and commitment) and who benefits.
    static func rateOptimization(_ data: Data, top: Int, charts: inout ChartIDs) -> String {
        var out = "<section>\n<h2>Rate optimization</h2>\n"
        for key in data.savings.groups() {
            let rows = data.savings.rows(of: key)
            let label = "\(key.scopeName) (\(key.currency))"
            out += SVGChart.groupedBars(
                labels: rows.map { data.savings.text($0, "BillingPeriod") },
                series: [
                    ("Negotiated savings", rows.map { data.savings.number($0, "NegotiatedSavings") }),
                    ("Commitment savings", rows.map { data.savings.number($0, "CommitmentSavings") }),
                ], currency: key.currency, axis: "Billing period", title: "Savings by month, \(label)",
                id: charts.next())
        }
        out += HTMLTable.render(
            data.savings.keeping([
                "Scope", "BillingPeriod", "Currency", "ListCost", "EffectiveCost", "NegotiatedSavings",
                "CommitmentSavings", "TotalSavings", "EffectiveSavingsRate", "RowsWithoutListPrice",
            ]),
            caption:
                "Savings against list prices (FinOps toolkit definitions, from the amortized cost): NegotiatedSavings = ListCost − ContractedCost, CommitmentSavings = ContractedCost − EffectiveCost (unused commitments lower it), EffectiveSavingsRate = TotalSavings / ListCost. Rows without a list price count their contracted cost as list."
        )
        out += HTMLTable.render(
            data.topBenefit.keeping([
                "Scope", "ResourceId", "ResourceGroup", "Currency", "ActualCost", "AmortizedCost",
                "Benefit",
            ]),
            caption: "Top \(top) resources benefiting from commitments: amortized minus actual cost of their usage")
        return out + "</section>\n"
    }

    /// Months already loaded whose new load differs (Azure restates months after the fact).
    static func restatements(_ data: Data) -> String {
        var out = "<section>\n<h2>Changes to months already loaded</h2>\n"
        let table = PartitionChanges.table(data.changes).keeping([
            "Scope", "BillingPeriod", "Metric", "Currency", "FinishedAt", "PreviousCost", "Cost", "Delta",
            "DeltaPercent", "Rows", "Closed",
        ])
        out += HTMLTable.render(
            table,
            caption:
                "Each row is a month whose new load differs from the one before it. Closed: the month had settled before the earlier load."
        )
        if !data.largestChanges.isEmpty {
            let byGroup = PartitionChanges.table(data.largestChanges, by: .subscription).keeping([
                "BillingPeriod", "Metric", "Currency", "Group", "PreviousCost", "Cost", "Delta",
            ])
            out += HTMLTable.render(
                ResultTable(
                    columns: byGroup.columns.map { $0 == "Group" ? "Subscription" : $0 }, rows: byGroup.rows),
                caption: "Where the largest changes happened: the subscriptions whose cost changed most")
        }
        return out + "</section>\n"
    }

    static func changes(
        store: any StoreReading, scope: String?, from: String, to: String
    ) throws(QueryError) -> ([PartitionChange], [(PartitionChange, [GroupChange])]) {
        let periods = PeriodRange(from: try? BillingPeriod(parsing: from), to: try? BillingPeriod(parsing: to))
        do {
            return try store.reading { reader in
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
    }

    static func escape(_ text: String) -> String { HTMLPage.escape(text) }
}

/// Unique ids for the charts' titles and descriptions on one page.
struct ChartIDs {
    private var count = 0
    mutating func next() -> String {
        count += 1
        return "chart\(count)"
    }
}

/// A scope and currency: the unit of every chart (currencies are never added up).
struct SeriesKey: Hashable {
    let scope: String
    let currency: String
    var scopeName: String { TableLayout().shortName(scope) }
}

extension ResultTable {
    func text(_ row: [StoreValue], _ column: String) -> String {
        guard let i = columns.firstIndex(of: column) else { return "" }
        return TableFormatter.text(row[i])
    }

    func number(_ row: [StoreValue], _ column: String) -> Double {
        guard let i = columns.firstIndex(of: column) else { return 0 }
        return row[i].double ?? 0
    }

    /// The (scope, currency) pairs in order of first appearance.
    func groups() -> [SeriesKey] {
        var seen: [SeriesKey] = []
        for row in rows {
            let key = SeriesKey(scope: text(row, "Scope"), currency: text(row, "Currency"))
            if !seen.contains(key) { seen.append(key) }
        }
        return seen
    }

    func rows(of key: SeriesKey) -> [[StoreValue]] {
        rows.filter { text($0, "Scope") == key.scope && text($0, "Currency") == key.currency }
    }

    func distinct(_ column: String) -> [String] {
        var seen: [String] = []
        for row in rows where !seen.contains(text(row, column)) { seen.append(text(row, column)) }
        return seen.sorted()
    }

    func filtered(_ column: String, _ value: String) -> ResultTable {
        ResultTable(columns: columns, rows: rows.filter { text($0, column) == value })
    }

    func keeping(_ names: [String]) -> ResultTable {
        let kept = names.filter { columns.contains($0) }
        let indices = kept.map { columns.firstIndex(of: $0)! }
        return ResultTable(columns: kept, rows: rows.map { row in indices.map { row[$0] } })
    }

    func dropping(_ names: Set<String>) -> ResultTable {
        keeping(columns.filter { !names.contains($0) })
    }
}
