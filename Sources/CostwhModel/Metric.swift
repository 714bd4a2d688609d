/// Which cost view a partition holds.
public enum Metric: String, Sendable, CaseIterable, Hashable {
    case actualCost = "ActualCost"
    case amortizedCost = "AmortizedCost"

    /// Accepts the CLI spellings `actual` / `amortized` as well as Azure's names, in any case.
    public init(parsing text: String) throws(MetricError) {
        switch text.trimmingWhitespace().lowercased() {
        case "actual", "actualcost": self = .actualCost
        case "amortized", "amortised", "amortizedcost", "amortisedcost": self = .amortizedCost
        default: throw .invalid(text)
        }
    }
}

public enum MetricError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self {
        case .invalid(let text): return "invalid metric `\(text)`: expected actual or amortized"
        }
    }
}
