import CostwhLoad
import CostwhQuery
import Foundation
import Testing

/// What people see in a terminal: money in its currency's minor units with the code,
/// percentages with one decimal, counts exact, and tables that fit the terminal.
@Suite struct TableLayoutTests {
    static let ea = "/providers/Microsoft.Billing/billingAccounts/8611537"
    static let mca =
        "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB"

    static let totals = ResultTable(
        columns: [
            "Scope", "BillingPeriod", "Currency", "ActualCost", "Difference", "UtilizationPercent", "Rows",
            "EffectiveSavingsRate", "UsedHours",
        ],
        rows: [
            [
                .text(ea), .text("2026-10"), .text("USD"), .real(436700.152294), .real(-0.0000001), .real(71.26),
                .integer(1_234_567), .real(0.10714), .real(1234.5),
            ],
            [
                .text(mca), .text("2026-10"), .text("JPY"), .real(1430.6), .real(-2232.049), .real(100), .integer(7),
                .real(0), .real(0.25),
            ],
            [.text(mca), .text("2026-11"), .text("KWD"), .real(12.3456), .null, .null, .integer(0), .null, .null],
        ])

    static func lines(_ text: String) -> [String] { text.split(separator: "\n").map(String.init) }

    @Test func moneyPercentagesAndCountsAreFormattedAndAligned() {
        let text = TableFormatter.render(TableLayoutTests.totals, as: .table)
        let rows = TableLayoutTests.lines(text)
        #expect(rows[2].contains("436,700.15 USD"), "\(text)")
        // A difference that rounds away has no sign.
        #expect(rows[2].contains("  0.00 USD") && !text.contains("-0.00"), "\(text)")
        #expect(rows[3].contains("1,431 JPY") && rows[3].contains("-2,232 JPY"), "yen have no minor unit: \(text)")
        #expect(rows[4].contains("12.346 KWD"), "dinars have three: \(text)")
        #expect(rows[2].contains("71.3 %") && rows[3].contains("100.0 %"), "\(text)")
        #expect(rows[2].contains("10.7 %") && rows[3].contains("0.0 %"), "a rate is a share: \(text)")
        #expect(rows[2].contains("1234567") && rows[2].contains("1,234.50"), "counts stay exact: \(text)")
        // Right-aligned: every money cell of a column ends in the same place.
        let ends = rows.dropFirst(2).map { line -> Int in
            let code = [" USD", " JPY", " KWD"].compactMap { line.range(of: $0) }.first
            return code.map { line.distance(from: line.startIndex, to: $0.upperBound) } ?? -1
        }
        #expect(Set(ends).count == 1, "\(text)")
        // Not a terminal: whole scope ids, nothing cut.
        #expect(text.contains(TableLayoutTests.mca) && !text.contains("…"))
    }

    @Test(arguments: [60, 80, 100, 132])
    func tablesFitTheTerminalWidth(width: Int) {
        let layout = TableLayout(width: width, scopeNames: [TableLayoutTests.ea: "Contoso EA"])
        let text = TableFormatter.render(TableLayoutTests.totals, as: .table, layout: layout)
        for line in TableLayoutTests.lines(text) { #expect(line.count <= width, "\(line.count) > \(width): \(line)") }
        // Configured names, else the id's last segment; money is never cut.
        #expect(text.contains("Contoso EA") && !text.contains(TableLayoutTests.ea), "\(text)")
        #expect(text.contains("AB12-CD34-BG7-TGB") || text.contains("AB12-CD…"), "\(text)")
        #expect(text.contains("436,700.15 USD") && text.contains("-2,232 JPY"), "\(text)")
    }

    @Test func wideTextIsCutWithAnEllipsisOnlyWhenItMustFit() {
        let long = String(repeating: "resource-group-", count: 8)
        let table = ResultTable(columns: ["ResourceGroup", "Cost"], rows: [[.text(long), .real(2)]])
        let fitted = TableFormatter.render(table, as: .table, layout: TableLayout(width: 50))
        #expect(TableLayoutTests.lines(fitted).allSatisfy { $0.count <= 50 } && fitted.contains("…"), "\(fitted)")
        #expect(fitted.contains("resource-group-resource"))
        let full = TableFormatter.render(table, as: .table)
        #expect(full.contains(long) && !full.contains("…"))
    }

    /// Too many numbers for the width: each row is shown as a field per line, still whole.
    @Test func aTableTooWideForAnyCutIsShownExpanded() {
        let columns = (1...12).map { "Amount\($0)" } + ["Currency"]
        let table = ResultTable(
            columns: columns, rows: [(1...12).map { .real(Double($0) * 1_000_000.5) } + [.text("EUR")]])
        let text = TableFormatter.render(table, as: .table, layout: TableLayout(width: 60))
        #expect(TableLayoutTests.lines(text).allSatisfy { $0.count <= 60 }, "\(text)")
        #expect(text.contains("-[ row 1 ]") && text.contains("Amount12") && text.contains("12,000,006.00 EUR"))
    }

    /// CSV and JSON are for programs: full precision, whatever the layout.
    @Test func csvAndJSONKeepFullPrecision() {
        let csv = TableFormatter.render(TableLayoutTests.totals, as: .csv, layout: TableLayout(width: 40))
        #expect(csv.contains("436700.152294") && csv.contains(TableLayoutTests.ea) && csv.contains("0.10714"))
        #expect(csv.contains(",-1e-07,"), "\(csv)")
        let json = TableFormatter.render(TableLayoutTests.totals, as: .json)
        #expect(json.contains("436700.152294") && json.contains("-2232.049"))
    }

    @Test func theDifferenceSummaryNamesTheLargestCauseAndUtilisation() {
        let totals = ResultTable(
            columns: [
                "Scope", "BillingPeriod", "Currency", "ActualCost", "AmortizedCost", "Difference",
                "CommitmentPurchases", "AmortizedCommitmentUsage", "UnusedReservation", "UnusedSavingsPlan",
                "Other",
            ],
            rows: [
                [
                    .text("s"), .text("2026-09"), .text("USD"), .real(130), .real(105), .real(-25), .real(60),
                    .real(30),
                    .real(4), .real(1), .real(0),
                ],
                [
                    .text("s"), .text("2026-10"), .text("USD"), .real(100), .real(140), .real(40), .real(0), .real(30),
                    .real(6), .real(4), .real(0),
                ],
            ])
        let summary = DifferenceSummary.table(fromTotals: totals)
        #expect(summary.value(0, "LargestCause") == .text("purchases"))
        #expect(summary.value(0, "CauseCost") == .real(-60))
        #expect(summary.value(1, "LargestCause") == .text("amortized use"))
        #expect(summary.value(1, "UsedPercent").double.map { abs($0 - 75) < 1e-9 } == true)
    }
}
