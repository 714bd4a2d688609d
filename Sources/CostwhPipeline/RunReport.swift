import CostwhLoad
import Foundation

/// What a run did to each partition, for the summary on stderr and the exit code.
package struct RunReport: Sendable {
    package var results: [(key: PartitionKey, outcome: PartitionOutcome)] = []

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
            case .loaded(let s):
                return
                    "loaded     \(key): \(s.rowsLoaded) rows, \(s.rowsRejected) rejected, cost \(String(format: "%.2f", s.costTotal)) \(s.currencies.joined(separator: "/")) (load \(s.loadId))"
            case .unchanged(let id): return "unchanged  \(key): same content as the last load (load \(id))"
            case .skipped(let reason): return "skipped    \(key): \(reason)"
            case .failed(let error, _): return "FAILED     \(key): \(error)"
            }
        }
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
