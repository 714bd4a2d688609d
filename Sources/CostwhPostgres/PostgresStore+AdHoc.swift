import CostwhLoad
import Foundation
import Logging
import PostgresNIO

/// Untrusted SQL on PostgreSQL, guarded by the server:
/// - the statement is sent alone through the extended protocol, which refuses a second one;
/// - it runs in a `READ ONLY` transaction, in a session whose default is read-only too, so
///   DML anywhere (a CTE included) and DDL fail with SQLSTATE 25006;
/// - `statement_timeout` stops it at the time limit;
/// - the role may hold nothing but SELECT on the warehouse's schema (docs/MCP.md), and then
///   even a mistake in costwh could not write.
extension PostgresStore: AdHocReading {
    package func runAdHoc(_ sql: String, limits: AdHocLimits) throws(AdHocError) -> AdHocAnswer {
        let logger = driverLogger
        let milliseconds = max(1, Int((limits.timeout * 1000).rounded()))
        do {
            return try withConnection("running a query") { connection in
                try await PostgresSQL.run(connection, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                    try await PostgresSQL.run(
                        connection, "SET LOCAL statement_timeout = \(milliseconds)", logger: logger)
                    let answer = try await PostgresStore.adHoc(connection, sql, limits: limits, logger: logger)
                    try await PostgresSQL.run(connection, "ROLLBACK", logger: logger)
                    return answer
                } catch {
                    _ = try? await PostgresSQL.run(connection, "ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw PostgresStore.adHocError(error, limits: limits)
        }
    }

    private static func adHoc(
        _ connection: PostgresConnection, _ sql: String, limits: AdHocLimits, logger: Logger
    ) async throws -> AdHocAnswer {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        var names: [String] = []
        var kept: [[StoreValue]] = []
        var bytes = 0
        var cut: AdHocAnswer.Cut?
        for try await row in rows {
            if names.isEmpty { names = row.map(\.columnName) }
            if kept.count == limits.maxRows {
                cut = .rows(limit: limits.maxRows)
                break
            }
            var values: [StoreValue] = []
            var size = 0
            for cell in row {
                let value = try PostgresSQL.value(cell)
                size += AdHocAnswer.size(of: value)
                values.append(value)
            }
            if bytes + size > limits.maxBytes {
                cut = .bytes(limit: limits.maxBytes)
                break
            }
            bytes += size
            kept.append(values)
        }
        if names.isEmpty {
            // postgres-nio names columns only through rows: ask again for one row of NULLs,
            // inside the same READ ONLY transaction and time limit.
            var body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
            while body.hasSuffix(";") { body = String(body.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
            let named = try await connection.query(
                PostgresQuery(unsafeSQL: "SELECT q.* FROM (SELECT 1) AS costwh_one LEFT JOIN (\(body)\n) AS q ON true"),
                logger: logger)
            for try await row in named where names.isEmpty { names = row.map(\.columnName) }
        }
        let columns = names.indices.map { i in
            AdHocColumn(name: names[i], type: AdHocAnswer.kind(of: kept.lazy.map { $0[i] }))
        }
        return AdHocAnswer(columns: columns, rows: kept, cut: cut)
    }

    /// The server's refusal in words a model can act on; never the URL or its password.
    static func adHocError(_ error: any Error, limits: AdHocLimits) -> AdHocError {
        var inner: any Error = error
        if let transaction = error as? PostgresTransactionError {
            inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError ?? error
        }
        guard let psql = inner as? PSQLError, let server = psql.serverInfo else {
            if let load = inner as? LoadError { return .unavailable(load.description) }
            return .failed("the server gave no answer (\(String(describing: type(of: inner))))")
        }
        let state = server[.sqlState] ?? ""
        let message = server[.message] ?? "unknown error"
        switch state {
        case "57014": return .timedOut(seconds: limits.timeout)
        case "25006": return .refused("the statement would write (\(message)); \(AdHocError.onlySelect)")
        case "42501": return .refused("\(message): this role may only read; \(AdHocError.onlySelect)")
        default:
            if message.contains("multiple commands") {
                return .refused("the SQL holds more than one statement; \(AdHocError.onlySelect)")
            }
            let hint = server[.hint].map { " (\($0))" } ?? ""
            return .failed("\(message)\(hint) [SQLSTATE \(state)]")
        }
    }
}
