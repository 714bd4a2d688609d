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
                    try await PostgresSQL.run(connection, "SET LOCAL statement_timeout = \(milliseconds)", logger: logger)
                    try await PostgresSQL.run(connection, "SAVEPOINT costwh_adhoc", logger: logger)
                    let answer = try await PostgresStore.adHoc(connection, sql, limits: limits, logger: logger)
                    _ = try? await PostgresSQL.run(connection, "ROLLBACK", logger: logger)
                    return answer
                } catch {
                    _ = try? await PostgresSQL.run(connection, "ROLLBACK", logger: logger)
                    throw PostgresStore.adHocError(error, limits: limits)
                }
            }
        } catch {
            throw PostgresStore.adHocError(error, limits: limits)
        }
    }

    /// A SELECT runs as a cursor, fetched a page at a time until a limit is reached, so a
    /// huge answer is never sent whole. Anything a cursor cannot hold (DML, DDL, SHOW) runs
    /// as it is after the savepoint, so that the server gives its own verdict: a write is
    /// refused by the READ ONLY transaction.
    private static func adHoc(
        _ connection: PostgresConnection, _ sql: String, limits: AdHocLimits, logger: Logger
    ) async throws -> AdHocAnswer {
        do {
            _ = try await connection.query(
                PostgresQuery(unsafeSQL: "DECLARE costwh_adhoc NO SCROLL CURSOR FOR \(sql)"), logger: logger
            ).collect()
        } catch let error as PSQLError where ["42601", "0A000", "42P11"].contains(error.serverInfo?[.sqlState] ?? "") {
            try await PostgresSQL.run(connection, "ROLLBACK TO SAVEPOINT costwh_adhoc", logger: logger)
            return try await collect(
                connection, sql, limits: limits, logger: logger, pages: [PostgresQuery(unsafeSQL: sql)])
        }
        var pages: [PostgresQuery] = []
        let page = min(500, limits.maxRows + 1)
        for _ in 0..<((limits.maxRows + 1 + page - 1) / page) {
            pages.append(PostgresQuery(unsafeSQL: "FETCH FORWARD \(page) FROM costwh_adhoc"))
        }
        return try await collect(connection, sql, limits: limits, logger: logger, pages: pages)
    }

    private static func collect(
        _ connection: PostgresConnection, _ sql: String, limits: AdHocLimits, logger: Logger, pages: [PostgresQuery]
    ) async throws -> AdHocAnswer {
        var names: [String] = []
        var collector = AdHocCollector(limits: limits)
        pages: for query in pages {
            var fetched = 0
            for try await row in try await connection.query(query, logger: logger) {
                fetched += 1
                if names.isEmpty { names = row.map(\.columnName) }
                // The rest of a page is read (and dropped) once the answer is cut.
                guard collector.admit() else { continue }
                collector.add(try row.map(PostgresSQL.value))
            }
            if !collector.isOpen || fetched == 0 { break pages }
        }
        if names.isEmpty {
            // postgres-nio names columns only through rows: ask again for one row of NULLs,
            // inside the same READ ONLY transaction and time limit.
            var body = sql.trimmingCharacters(in: .whitespacesAndNewlines)
            while body.hasSuffix(";") { body = String(body.dropLast()).trimmingCharacters(in: .whitespacesAndNewlines) }
            try await PostgresSQL.run(connection, "ROLLBACK TO SAVEPOINT costwh_adhoc", logger: logger)
            if let named = try? await connection.query(
                PostgresQuery(unsafeSQL: "SELECT q.* FROM (SELECT 1) AS costwh_one LEFT JOIN (\(body)\n) AS q ON true"),
                logger: logger)
            {
                for try await row in named where names.isEmpty { names = row.map(\.columnName) }
            }
        }
        return collector.answer(names: names)
    }

    /// The server's refusal in words a model can act on; never the URL or its password.
    static func adHocError(_ error: any Error, limits: AdHocLimits) -> AdHocError {
        var inner: any Error = error
        while true {
            if let adHoc = inner as? AdHocError { return adHoc }
            if let transaction = inner as? PostgresTransactionError,
                let next = transaction.closureError ?? transaction.beginError ?? transaction.commitError
            {
                inner = next
                continue
            }
            if let load = inner as? LoadError {
                guard case .database(let failure) = load else { return .unavailable(load.description) }
                inner = failure.underlying
                continue
            }
            break
        }
        guard let psql = inner as? PSQLError, let server = psql.serverInfo else {
            return .failed("the server gave no answer (\(String(describing: type(of: inner))))")
        }
        let state = server[.sqlState] ?? ""
        let message = server[.message] ?? "unknown error"
        switch state {
        case "57014": return .timedOut(seconds: limits.timeout)
        case "25006", "25001": return .refused("the statement would write (\(message)); \(AdHocError.onlySelect)")
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
