import CostwhLoad

package enum QueryError: Error, CustomStringConvertible {
    case unknownQuery(String, known: [String])
    case database(String)
    /// A parameter the query cannot take (a grouping it does not know, a top of 0).
    case invalidArgument(String)

    package var description: String {
        switch self {
        case .unknownQuery(let name, let known):
            return "no canned query named `\(name)`; known queries: \(known.joined(separator: ", "))"
        case .database(let reason): return "query failed: \(reason)"
        case .invalidArgument(let reason): return reason
        }
    }
}
