import CostwhLoad
import CostwhModel
import CostwhQuery

/// Errors the pipeline reports to the CLI. `usage` errors are the operator's input.
package enum PipelineError: Error, CustomStringConvertible {
    /// The operator's command line or configuration is wrong.
    case usage(String)
    /// An input is not data costwh can read (sysexits' EX_DATAERR).
    case badData(String)
    /// An input does not exist or cannot be read (sysexits' EX_NOINPUT).
    case noInput(String)
    case load(LoadError)
    case query(QueryError)
    /// Another job holds the database.
    case busy(String)
    /// A file costwh must write cannot be written by this user, or is not safe to write
    /// (sysexits' EX_NOPERM).
    case permission(String)
    /// A lake could not be written (`costwh export`): a file, a folder, a value.
    case export(String)

    package var description: String {
        switch self {
        case .usage(let message), .badData(let message), .noInput(let message): return message
        case .load(let error): return error.description
        case .query(let error): return error.description
        case .busy(let message), .permission(let message), .export(let message): return message
        }
    }

    /// Kinds of failure the CLI gives their own exit codes.
    package enum Kind: Sendable {
        case usage, badData, noInput, busy, permission, interrupted, failure
        /// A database server that cannot be reached, refuses the credentials, or drops the connection.
        case storeUnreachable, storeAuthentication, storeConnectionLost
    }

    package var kind: Kind {
        switch self {
        case .usage: return .usage
        case .badData, .load(.tooManyRejected), .load(.unreadableInput), .load(.otherPeriods),
            .load(.datesOutsidePeriod):
            return .badData
        case .noInput, .load(.missingInput), .load(.notReadable(_, .missing)): return .noInput
        case .busy, .load(.busy): return .busy
        case .permission, .load(.lockFile(_, _, true)): return .permission
        case .load(.lockFile(_, _, false)): return .usage
        case .load(.interrupted): return .interrupted
        case .load(.connection(.unreachable, _, _)): return .storeUnreachable
        case .load(.connection(.authentication, _, _)): return .storeAuthentication
        case .load(.connection(.lost, _, _)): return .storeConnectionLost
        default: return .failure
        }
    }

    package var isUsage: Bool {
        if case .usage = self { return true }
        return false
    }

    package var isBusy: Bool { kind == .busy }

    package var isInterrupted: Bool {
        if case .load(.interrupted) = self { return true }
        return false
    }
}

// The configuration file is the one text input the pipeline parses itself (the CLI parses
// flags into typed values before they get here).
extension Scope {
    static func parse(_ text: String) throws(PipelineError) -> Scope {
        do { return try Scope(parsing: text) } catch { throw .usage(error.description) }
    }
}

extension Metric {
    static func parse(_ text: String) throws(PipelineError) -> Metric {
        do { return try Metric(parsing: text) } catch { throw .usage(error.description) }
    }
}
