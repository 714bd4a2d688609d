/// Everything that can go wrong while getting cost-data bytes. Messages never hold a
/// secret: URLs are redacted before they are stored here.
package enum ExtractError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case readFailed(name: String, reason: String)
    case decompressionFailed(name: String, reason: String)
    /// A request the caller must fix before anything is sent.
    case invalidRequest(String)
    /// Azure answered with an error that retrying will not fix.
    case azure(status: Int, code: String, message: String, hint: String)
    /// Retries were exhausted on throttling or transient failures.
    case gaveUp(what: String, attempts: Int, lastProblem: String)
    case transport(what: String, reason: String)
    case reportFailed(code: String, message: String)
    case timedOut(what: String, seconds: Int)
    case sizeMismatch(blob: String, expected: Int, actual: Int)
    case signIn(String)
    case malformedResponse(what: String, reason: String)
    case cancelled

    package var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .readFailed(let name, let reason): return "cannot read \(name): \(reason)"
        case .decompressionFailed(let name, let reason): return "cannot decompress \(name): \(reason)"
        case .invalidRequest(let why): return why
        case .azure(let status, let code, let message, let hint):
            return
                "Azure answered \(status)\(code.isEmpty ? "" : " \(code)"): \(message)\(hint.isEmpty ? "" : ". \(hint)")"
        case .gaveUp(let what, let attempts, let last):
            return "\(what): gave up after \(attempts) attempts; last problem: \(last)"
        case .transport(let what, let reason): return "\(what): \(reason)"
        case .reportFailed(let code, let message): return "the cost report failed in Azure: \(code): \(message)"
        case .timedOut(let what, let seconds): return "\(what) did not finish within \(seconds) s"
        case .sizeMismatch(let blob, let expected, let actual):
            return "blob \(blob) has \(actual) bytes, the manifest says \(expected)"
        case .signIn(let why): return "cannot sign in to Azure: \(why)"
        case .malformedResponse(let what, let reason): return "\(what): unexpected response: \(reason)"
        case .cancelled: return "cancelled"
        }
    }

    /// Errors a new request of the same report might fix: expired links, storage refusals.
    package var isExpiredLink: Bool {
        if case .azure(let status, let code, _, _) = self { return status == 403 && code == "blob" }
        return false
    }
}
