import CostwhModel
import CostwhTransform

/// Rows belong to the billing period they name (docs/INPUT.md, "Which period a row belongs
/// to"). A local file's rows of another period are never loaded into the one being loaded;
/// with `--period` they are an error that names the periods found, so an operator's typo
/// cannot count a month's money twice. A file without a billing-period column is judged by
/// its dates: mostly outside the period, it was given the wrong one.
package enum PeriodCheck {
    /// The ledger warning that counts rows set aside, by billing period.
    package static let otherPeriods = "rows of other billing periods (not loaded here)"
    /// Rows without a billing period: how many carry a Date, and how many lie outside.
    package static let dated = "rows without a billing period, by Date"

    /// The periods of rows set aside, with their counts.
    package static func others(_ warnings: Warnings) -> [String: Int] {
        warnings.counts[otherPeriods] ?? [:]
    }

    /// Throws when the load must not go on: rows of other periods, or rows mostly dated
    /// outside a period they do not name.
    static func check(_ summary: LoadSummary, _ request: LoadRequest) throws(LoadError) {
        guard request.refuseRowsOfOtherPeriods else { return }
        let others = others(summary.warnings)
        if !others.isEmpty {
            throw .otherPeriods(expected: request.period, found: others)
        }
        let dated = summary.warnings.counts[dated] ?? [:]
        if let all = dated["all"], let outside = dated["outside"], all > 0, outside * 2 > all {
            throw .datesOutsidePeriod(expected: request.period, outside: outside, of: all)
        }
    }
}
