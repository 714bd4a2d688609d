import CostwhBytes
import CostwhModel
import CostwhTransform

/// Errors of the load stage. Each says what was being done and what to check, and keeps the
/// error it comes from so the CLI can tell bad data from a missing file.
package enum LoadError: Error, CustomStringConvertible {
    /// The store failed with `error` (kept, with its result code).
    package static func database(_ error: any Error) -> LoadError { .database(DatabaseFailure(error)) }

    case cannotOpenDatabase(path: String, reason: String)
    case migrationFailed(reason: String)
    case tooManyRejected(rejected: Int, read: Int, limit: Double)
    case sourceFailed(part: String, reason: String)
    /// An input file or blob that does not exist or cannot be opened.
    case missingInput(part: String, error: BytesError)
    /// An input whose content is not a cost file costwh can read (no header, a record too long…).
    case unreadableInput(part: String, error: TransformError)
    /// The store failed; the engine's error is kept whole.
    case database(DatabaseFailure)
    case interrupted
    /// A server store could not be reached, refused the credentials, or dropped the connection.
    case connection(ConnectionProblem, location: String, reason: String)
    /// A file given for one billing period holds rows of others (nothing was loaded).
    case otherPeriods(expected: BillingPeriod, found: [String: Int])
    /// A file without billing periods whose rows are mostly dated outside the one given.
    case datesOutsidePeriod(expected: BillingPeriod, outside: Int, of: Int)
    /// Opened for reading, the location holds no warehouse, or one that needs migrating.
    case notReadable(location: String, problem: ReadOpenProblem)
    /// Another extracting job holds the store's job lock (`holder` says who, as far as known).
    case busy(holder: String, location: String)
    /// The job lock's file cannot be used: unsafe or not writable by this user (`permission`),
    /// or it cannot be created (the folder does not exist…).
    case lockFile(path: String, reason: String, permission: Bool)

    package enum ConnectionProblem: Sendable {
        case unreachable, authentication, lost
    }

    package var description: String {
        switch self {
        case .cannotOpenDatabase(let path, let reason):
            return "cannot open the database \(path): \(reason)"
        case .migrationFailed(let reason):
            return "cannot migrate the database: \(reason)"
        case .tooManyRejected(let rejected, let read, let limit):
            let percent = read == 0 ? 100 : Double(rejected) * 100 / Double(read)
            return "\(rejected) of \(read) rows were rejected (\(formatPercent(percent)) %), more than the limit of "
                + "\(formatPercent(limit * 100)) %; the partition keeps its previous data. See rejected_rows for the reasons"
        case .sourceFailed(let part, let reason):
            return part.isEmpty ? reason : "\(part): \(reason)"
        case .missingInput(_, let error):
            return error.description
        case .unreadableInput(_, let error):
            return error.description
        case .database(let failure):
            return "database error: \(failure.message)"
        case .interrupted:
            return "the load was interrupted; the partition keeps its previous data"
        case .connection(.lost, _, let reason):
            return "\(reason); the partition being loaded keeps its previous data"
        case .connection(_, _, let reason):
            return reason
        case .otherPeriods(let expected, let found):
            let list = found.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value) rows)" }.joined(separator: ", ")
            return
                "the file holds rows of other billing periods than \(expected): \(list); nothing was loaded. Load it without --period to replace each period it names, or give the period its rows name"
        case .datesOutsidePeriod(let expected, let outside, let all):
            return
                "\(outside) of \(all) rows are dated outside \(expected), and the file names no billing period; nothing was loaded. Check --period"
        case .busy(let holder, let location):
            return "another costwh job (\(holder)) is extracting into \(location); this run stops without doing anything"
        case .lockFile(let path, let reason, _):
            return "the lock file \(path) \(reason)"
        case .notReadable(let location, .missing):
            return "no warehouse at \(location) (run costwh ingest, load or demo first)"
        case .notReadable(let location, .behind(let pending)):
            return
                "the warehouse at \(location) was written by an older costwh and needs \(pending.count) migration(s) (\(pending.joined(separator: ", "))): run costwh migrate"
        }
    }
}

func formatPercent(_ value: Double) -> String {
    let rounded = (value * 100).rounded() / 100
    return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
}
