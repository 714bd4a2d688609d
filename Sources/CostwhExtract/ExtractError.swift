/// Everything that can go wrong while getting cost-data bytes.
public enum ExtractError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case readFailed(name: String, reason: String)
    case decompressionFailed(name: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path, let reason): return "cannot open \(path): \(reason)"
        case .readFailed(let name, let reason): return "cannot read \(name): \(reason)"
        case .decompressionFailed(let name, let reason): return "cannot decompress \(name): \(reason)"
        }
    }
}
