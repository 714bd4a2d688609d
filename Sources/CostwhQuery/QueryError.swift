import CostwhLoad

package enum QueryError: Error, CustomStringConvertible {
    case unknownQuery(String, known: [String])
    case database(String)

    package var description: String {
        switch self {
        case .unknownQuery(let name, let known):
            return "no canned query named `\(name)`; known queries: \(known.joined(separator: ", "))"
        case .database(let reason): return "query failed: \(reason)"
        }
    }
}
