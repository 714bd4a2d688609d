import CostwhLoad

/// Actual against amortized per scope, month and currency, reduced from the `totals` query to
/// what a person reads first: the difference, its largest cause and commitment utilisation.
package enum DifferenceSummary {
    /// The causes of `Difference` (amortized − actual), with the words a summary uses.
    static let causes: [(column: String, label: String, sign: Double)] = [
        ("CommitmentPurchases", "purchases", -1), ("AmortizedCommitmentUsage", "amortized use", 1),
        ("UnusedReservation", "unused RI", 1), ("UnusedSavingsPlan", "unused SP", 1), ("Other", "other", 1),
    ]

    package static let columns = [
        "Scope", "Month", "Currency", "Actual", "Amortized", "Difference", "LargestCause", "CauseCost", "UsedPercent",
    ]

    /// One row per row of `totals`: the cause that moves the difference most (purchases count
    /// against it), and used commitment cost against used plus unused.
    package static func table(fromTotals totals: ResultTable) -> ResultTable {
        var rows: [[StoreValue]] = []
        for i in totals.rows.indices {
            func number(_ column: String) -> Double { totals.value(i, column).double ?? 0 }
            let largest = causes.map { ($0.label, $0.sign * number($0.column)) }
                .max { abs($0.1) < abs($1.1) }!
            let used = number("AmortizedCommitmentUsage")
            let unused = number("UnusedReservation") + number("UnusedSavingsPlan")
            rows.append([
                totals.value(i, "Scope"), totals.value(i, "BillingPeriod"), totals.value(i, "Currency"),
                totals.value(i, "ActualCost"), totals.value(i, "AmortizedCost"), totals.value(i, "Difference"),
                abs(largest.1) < 0.005 ? .text("none") : .text(largest.0), .real(largest.1),
                used + unused > 0 ? .real(100 * used / (used + unused)) : .null,
            ])
        }
        return ResultTable(columns: columns, rows: rows)
    }
}
