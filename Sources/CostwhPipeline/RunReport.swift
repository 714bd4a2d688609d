import CostwhLoad
import CostwhQuery
import Foundation

/// What a run did to each partition, for the summary on stderr and the exit code.
package struct RunReport: Sendable {
    package var results: [(key: PartitionKey, outcome: PartitionOutcome)] = []
    /// Closed months this run's loads restated (changed after they had settled).
    package var restatements: [PartitionChange] = []
    /// Why the restatements could not be listed, if they could not.
    package var restatementError: String?

    package init() {}

    package var anyFailed: Bool { results.contains { $0.outcome.failed } }
    package var allFailed: Bool {
        !results.isEmpty && results.allSatisfy { $0.outcome.failed || isSkip($0.outcome) } && anyFailed
    }

    func isSkip(_ outcome: PartitionOutcome) -> Bool {
        if case .skipped = outcome { return true }
        return false
    }

    package func lines() -> [String] {
        results.map { key, outcome in
            switch outcome {
            case .loaded(let s) where s.dataset != .costDetails:
                return "loaded     \(key): \(s.rowsLoaded) rows, \(s.rowsRejected) rejected (load \(s.loadId))"
            case .loaded(let s):
                return
                    "loaded     \(key): \(s.rowsLoaded) rows, \(s.rowsRejected) rejected, cost \(String(format: "%.2f", s.costTotal)) \(s.currencies.joined(separator: "/")) (load \(s.loadId))"
            case .unchanged(let id): return "unchanged  \(key): same content as the last load (load \(id))"
            case .skipped(let reason): return "skipped    \(key): \(reason)"
            case .failed(let error, _): return "FAILED     \(key): \(error)"
            }
        }
    }

    /// One line per restated closed month.
    package func restatementLines() -> [String] {
        var lines = restatements.map { c in
            let currency = c.currency.map { " \($0)" } ?? ""
            let percent = c.deltaPercent.map { String(format: ", %+.1f %%", $0) } ?? ""
            return
                "RESTATED   \(c.scope) \(c.period) \(c.metric): \(RunReport.money(c.previousUnits ?? 0)) -> \(RunReport.money(c.units))\(currency) (\(RunReport.money(c.deltaUnits, signed: true))\(percent)), \(c.previousRows ?? 0) -> \(c.rows) rows, load \(c.previousLoadId.map(String.init) ?? "-") -> \(c.loadId)"
        }
        if let restatementError { lines.append("could not compare with earlier loads: \(restatementError)") }
        return lines
    }

    /// The restatements larger than `percent` of the month's previous cost.
    package func restatements(over percent: Double) -> [PartitionChange] {
        restatements.filter { $0.exceeds(percent: percent) }
    }

    static func money(_ units: Int64, signed: Bool = false) -> String {
        String(format: signed ? "%+.2f" : "%.2f", Double(units) / CostUnits.perUnit)
    }

    package var counts: String {
        var loaded = 0, unchanged = 0, skipped = 0, failed = 0
        for (_, outcome) in results {
            switch outcome {
            case .loaded: loaded += 1
            case .unchanged: unchanged += 1
            case .skipped: skipped += 1
            case .failed: failed += 1
            }
        }
        return "\(loaded) loaded, \(unchanged) unchanged, \(skipped) skipped, \(failed) failed"
    }
}
