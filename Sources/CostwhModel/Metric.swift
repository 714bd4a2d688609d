/// Which cost view a partition holds.
package enum Metric: String, Sendable, CaseIterable, Hashable {
    case actualCost = "ActualCost"
    case amortizedCost = "AmortizedCost"

    /// Accepts the CLI spellings `actual` / `amortized` as well as Azure's names, in any case.
    package init(parsing text: String) throws(MetricError) {
        switch text.trimmingWhitespace().lowercased() {
        case "actual", "actualcost": self = .actualCost
        case "amortized", "amortised", "amortizedcost", "amortisedcost": self = .amortizedCost
        default: throw .invalid(text)
        }
    }
}

package enum MetricError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    package var description: String {
        switch self {
        case .invalid(let text): return "invalid metric `\(text)`: expected actual or amortized"
        }
    }
}
