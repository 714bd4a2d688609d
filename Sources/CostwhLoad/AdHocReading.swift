import Foundation

/// One SQL statement written by someone costwh does not trust (an analyst's AI assistant),
/// run so that the database engine itself guarantees it only reads, within limits.
///
/// The guarantee never comes from reading the SQL text: SQLite opens the file read-only, sets
/// `query_only`, and an authorizer allows only reads (`SQLiteSandbox`); PostgreSQL runs the
/// statement alone (the extended protocol refuses a second one) in a READ ONLY transaction
/// with a `statement_timeout`, as a role that may hold SELECT alone.
package protocol AdHocReading: AnyObject, Sendable {
    func runAdHoc(_ sql: String, limits: AdHocLimits) throws(AdHocError) -> AdHocAnswer
}

/// What one answer may cost. The operator sets them; the answer says which one it hit.
package struct AdHocLimits: Sendable, Equatable {
    package var maxRows: Int
    /// The rows' values as text, summed: about the size of the JSON answer.
    package var maxBytes: Int
    /// Seconds; the engine stops the statement after this.
    package var timeout: Double

    package init(maxRows: Int = 1000, maxBytes: Int = 1_000_000, timeout: Double = 10) {
        self.maxRows = maxRows
        self.maxBytes = maxBytes
        self.timeout = timeout
    }

    package static let `default` = AdHocLimits()
}

/// A column of an answer: its name and the JSON kind of its values (`integer`, `number`,
/// `text`, `blob` or `null` when every value is NULL), or the engine's type when it has one.
package struct AdHocColumn: Sendable, Equatable {
    package let name: String
    package let type: String

    package init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// The rows of an ad-hoc statement, cut at a limit if one was hit.
package struct AdHocAnswer: Sendable {
    package enum Cut: Sendable, Equatable {
        /// More rows than the limit: these are the first `limit`.
        case rows(limit: Int)
        /// The values passed the byte limit: the rows kept fit under it.
        case bytes(limit: Int)
    }

    package let columns: [AdHocColumn]
    package let rows: [[StoreValue]]
    package let cut: Cut?

    package init(columns: [AdHocColumn], rows: [[StoreValue]], cut: Cut?) {
        self.columns = columns
        self.rows = rows
        self.cut = cut
    }

    /// The byte size a value counts for against `maxBytes`: its JSON text, near enough.
    package static func size(of value: StoreValue) -> Int {
        switch value {
        case .null: return 4
        case .integer: return 20
        case .real: return 24
        case .text(let text): return text.utf8.count + 2
        case .blob(let bytes): return bytes.count * 2 + 2
        }
    }

    /// The JSON kind of a column's values, from the values themselves.
    package static func kind(of values: some Sequence<StoreValue>) -> String {
        var kind = "null"
        for value in values {
            switch value {
            case .null: continue
            case .integer: if kind == "null" { kind = "integer" }
            case .real: if kind == "null" || kind == "integer" { kind = "number" }
            case .text: return "text"
            case .blob: return "blob"
            }
        }
        return kind
    }
}

/// Rows gathered under the limits, as each engine steps through an answer: the one place that
/// decides where an answer is cut (the SQLite sandbox, PostgreSQL and the MCP server's canned
/// answers all use it).
package struct AdHocCollector {
    package let limits: AdHocLimits
    package private(set) var rows: [[StoreValue]] = []
    package private(set) var cut: AdHocAnswer.Cut?
    private var bytes = 0

    package init(limits: AdHocLimits) {
        self.limits = limits
    }

    /// Whether more rows are wanted: false once a limit was hit.
    package var isOpen: Bool { cut == nil }

    /// Says one more row exists; true when it may be read and `add`ed, false when the row
    /// limit is reached (the answer is then cut).
    package mutating func admit() -> Bool {
        guard cut == nil else { return false }
        guard rows.count < limits.maxRows else {
            cut = .rows(limit: limits.maxRows)
            return false
        }
        return true
    }

    /// Keeps the row unless it would pass the byte limit (the answer is then cut before it).
    package mutating func add(_ row: [StoreValue]) {
        let size = row.reduce(0) { $0 + AdHocAnswer.size(of: $1) }
        guard bytes + size <= limits.maxBytes else {
            cut = .bytes(limit: limits.maxBytes)
            return
        }
        bytes += size
        rows.append(row)
    }

    /// The answer, each column typed from its values (else from `declared`, else `null`).
    package func answer(names: [String], declared: [String?] = []) -> AdHocAnswer {
        let columns = names.indices.map { i in
            let kind = AdHocAnswer.kind(of: rows.lazy.map { $0[i] })
            let fallback = i < declared.count ? declared[i]?.lowercased() : nil
            return AdHocColumn(name: names[i], type: kind == "null" ? (fallback ?? "null") : kind)
        }
        return AdHocAnswer(columns: columns, rows: rows, cut: cut)
    }
}

/// Why an ad-hoc statement gave no answer. Every message is written for the one who wrote
/// the SQL (often a model): what was wrong and what to do instead. None carries a secret.
package enum AdHocError: Error, CustomStringConvertible, Equatable {
    /// The engine refused it: a write, a schema change, a PRAGMA, ATTACH, a second statement.
    case refused(String)
    /// It ran past the time limit and was stopped.
    case timedOut(seconds: Double)
    /// The engine reported an error (a syntax error, an unknown column).
    case failed(String)
    /// The warehouse cannot be opened this way.
    case unavailable(String)

    package var description: String {
        switch self {
        case .refused(let why): return why
        case .timedOut(let seconds):
            return
                "the query was stopped after the time limit of \(AdHocError.seconds(seconds)); filter on BillingPeriod, or read a summary view (cost_summary, cost_daily_summary) instead of cost_details"
        case .failed(let why): return "the query failed: \(why)"
        case .unavailable(let why): return why
        }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }

    /// The hint every refusal ends with.
    package static let onlySelect =
        "only one read-only SELECT statement is allowed; use the views listed by describe_schema"
}
