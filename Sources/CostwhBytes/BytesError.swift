/// What can go wrong reading bytes: opening, reading or decompressing a source. Messages
/// name the file or blob and never hold a secret (blob names are redacted before they get here).
package enum BytesError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case readFailed(name: String, reason: String)
    case decompressionFailed(name: String, reason: String)

    package var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .readFailed(let name, let reason): return "cannot read \(name): \(reason)"
        case .decompressionFailed(let name, let reason): return "cannot decompress \(name): \(reason)"
        }
    }
}
