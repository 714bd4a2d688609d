import CostwhLoad
import CostwhModel
import CostwhQuery

/// Errors the pipeline reports to the CLI. `usage` errors are the operator's input.
public enum PipelineError: Error, CustomStringConvertible {
    case usage(String)
    case load(LoadError)
    case query(QueryError)
    /// Another job holds the database.
    case busy(String)

    public var description: String {
        switch self {
        case .usage(let message): return message
        case .load(let error): return error.description
        case .query(let error): return error.description
        case .busy(let message): return message
        }
    }

    public var isUsage: Bool {
        if case .usage = self { return true }
        return false
    }

    public var isBusy: Bool {
        if case .busy = self { return true }
        return false
    }

    public var isInterrupted: Bool {
        if case .load(.interrupted) = self { return true }
        return false
    }
}

extension Scope {
    static func parse(_ text: String) throws(PipelineError) -> Scope {
        do { return try Scope(parsing: text) } catch { throw .usage(error.description) }
    }
}

extension BillingPeriod {
    static func parse(_ text: String) throws(PipelineError) -> BillingPeriod {
        do { return try BillingPeriod(parsing: text) } catch { throw .usage(error.description) }
    }
}

extension Metric {
    static func parse(_ text: String) throws(PipelineError) -> Metric {
        do { return try Metric(parsing: text) } catch { throw .usage(error.description) }
    }
}
