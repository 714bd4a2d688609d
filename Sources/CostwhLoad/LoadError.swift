/// Errors of the load stage. Each says what was being done and what to check.
public enum LoadError: Error, CustomStringConvertible {
    case cannotOpenDatabase(path: String, reason: String)
    case migrationFailed(reason: String)
    case tooManyRejected(rejected: Int, read: Int, limit: Double)
    case sourceFailed(part: String, reason: String)
    case database(reason: String)
    case interrupted

    public var description: String {
        switch self {
        case .cannotOpenDatabase(let path, let reason):
            return "cannot open the database \(path): \(reason)"
        case .migrationFailed(let reason):
            return "cannot migrate the database: \(reason)"
        case .tooManyRejected(let rejected, let read, let limit):
            let percent = read == 0 ? 100 : Double(rejected) * 100 / Double(read)
            return "\(rejected) of \(read) rows were rejected (\(formatPercent(percent)) %), more than the limit of "
                + "\(formatPercent(limit * 100)) %; the partition keeps its previous data. See rejected_rows for the reasons, "
                + "or raise --max-rejected"
        case .sourceFailed(let part, let reason):
            return part.isEmpty ? reason : "\(part): \(reason)"
        case .database(let reason):
            return "database error: \(reason)"
        case .interrupted:
            return "the load was interrupted; the partition keeps its previous data"
        }
    }
}

func formatPercent(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}
