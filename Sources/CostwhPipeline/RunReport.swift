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
    /// The partitions' own times added up; above the run's wall time when they overlapped.
    package var partitionSeconds: Double = 0

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

    /// Rows loaded by the run's cost-details loads, and their cost per billing currency.
    package var rowsLoaded: Int {
        results.reduce(0) { total, result in
            if case .loaded(let s) = result.outcome, s.dataset == .costDetails { return total + s.rowsLoaded }
            return total
        }
    }

    package var costByCurrency: [(currency: String, cost: Double)] {
        var sums: [String: Double] = [:]
        for (_, outcome) in results {
            guard case .loaded(let s) = outcome, s.dataset == .costDetails else { continue }
            // A load of one currency (the usual case) is all in it; a mixed one is listed as such.
            sums[s.currencies.count == 1 ? s.currencies[0] : s.currencies.joined(separator: "/"), default: 0] +=
                s.costTotal
        }
        return sums.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The one line a run ends with: what happened to its partitions, rows, cost and time.
    package func summaryLine(title: String, seconds: Double) -> String {
        let cost = costByCurrency.map { String(format: "%.2f", $0.cost) + " " + $0.currency }.joined(separator: ", ")
        return "\(title): \(counts); \(rowsLoaded) rows; cost \(cost.isEmpty ? "0" : cost); "
            + String(format: "%.1f s", seconds) + overlap(seconds)
    }

    /// How much the partitions overlapped, when they did.
    func overlap(_ seconds: Double) -> String {
        guard partitionSeconds > seconds * 1.05, seconds > 0 else { return "" }
        return String(
            format: " (partitions %.1f s together, %.1f× overlapped)", partitionSeconds, partitionSeconds / seconds)
    }

    /// The same as one JSON object, for log collectors, with one entry per partition.
    package func summaryJSON(title: String, seconds: Double) -> String {
        var loaded = 0, unchanged = 0, skipped = 0, failed = 0
        var partitions: [String] = []
        for (key, outcome) in results {
            var fields: [(String, String)] = [
                ("scope", JSONOutput.quoted(key.scope.id)),
                ("billingPeriod", JSONOutput.quoted(key.period.description)),
                ("dataset", JSONOutput.quoted(key.dataset.rawValue)),
                ("metric", key.dataset == .costDetails ? JSONOutput.quoted(key.metric.rawValue) : "null"),
            ]
            switch outcome {
            case .loaded(let s):
                loaded += 1
                fields += [
                    ("outcome", "\"loaded\""), ("loadId", String(s.loadId)), ("rows", String(s.rowsLoaded)),
                    ("rejected", String(s.rowsRejected)),
                ]
                if s.dataset == .costDetails { fields.append(("cost", JSONOutput.number(s.costTotal))) }
            case .unchanged(let id):
                unchanged += 1
                fields += [("outcome", "\"unchanged\""), ("loadId", String(id))]
            case .skipped(let reason):
                skipped += 1
                fields += [("outcome", "\"skipped\""), ("reason", JSONOutput.quoted(reason))]
            case .failed(let error, let id):
                failed += 1
                fields += [
                    ("outcome", "\"failed\""), ("loadId", id.map(String.init) ?? "null"),
                    ("error", JSONOutput.quoted(error)),
                ]
            }
            partitions.append("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
        }
        let cost = costByCurrency.map { "\(JSONOutput.quoted($0.currency)): \(JSONOutput.number($0.cost))" }
        let restated = restatements.map { c in
            "{\"scope\": \(JSONOutput.quoted(c.scope)), \"billingPeriod\": \(JSONOutput.quoted(c.period)), "
                + "\"metric\": \(JSONOutput.quoted(c.metric)), \"delta\": \(JSONOutput.number(Double(c.deltaUnits) / CostUnits.perUnit)), "
                + "\"deltaPercent\": \(c.deltaPercent.map(JSONOutput.number) ?? "null")}"
        }
        let fields: [(String, String)] = [
            ("command", JSONOutput.quoted(title)), ("loaded", String(loaded)), ("unchanged", String(unchanged)),
            ("skipped", String(skipped)), ("failed", String(failed)), ("rows", String(rowsLoaded)),
            ("cost", "{" + cost.joined(separator: ", ") + "}"),
            ("seconds", JSONOutput.number((seconds * 1000).rounded() / 1000)),
            ("partitionSeconds", JSONOutput.number((partitionSeconds * 1000).rounded() / 1000)),
            ("restated", "[" + restated.joined(separator: ", ") + "]"),
            ("partitions", "[" + partitions.joined(separator: ", ") + "]"),
        ]
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}\n"
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
