import CostwhLoad
import PostgresNIO

/// Problems with the URL itself (usage errors); everything from the server travels as a
/// `LoadError` like SQLite's, with the connection failures told apart.
package enum PostgresError: Error, CustomStringConvertible {
    case invalidURL(String)

    package var description: String {
        switch self {
        case .invalidURL(let reason): return "invalid PostgreSQL URL: \(reason)"
        }
    }
}

extension LoadError {
    /// Classifies a postgres-nio error for people and for exit codes. The message is built
    /// from the server's fields, never from the query or its values.
    static func postgres(_ error: any Error, location: PostgresLocation, doing what: String) -> LoadError {
        if let load = error as? LoadError { return load }
        if let transaction = error as? PostgresTransactionError {
            let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError
            if let inner { return postgres(inner, location: location, doing: what) }
        }
        if let old = error as? PostgresNIO.PostgresError, case .connectionClosed = old {
            return .connection(
                .lost, location: location.description, reason: "the connection was lost while \(what)")
        }
        guard let psql = error as? PSQLError else {
            return .database(DatabaseFailure(message: "\(what): \(error)", code: nil, underlying: error))
        }
        let server = psql.serverInfo
        let state = server?[.sqlState]
        let message = server?[.message] ?? psql.underlying.map { "\($0)" } ?? "\(psql.code)"
        switch psql.code {
        case .connectionError:
            return .connection(
                .unreachable, location: location.description,
                reason: "cannot connect to \(location.host):\(location.port): \(message)")
        case .sslUnsupported, .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest:
            return .connection(
                .unreachable, location: location.description,
                reason:
                    "TLS with \(location.host):\(location.port) failed (sslmode=\(location.sslMode.rawValue)): \(message)"
            )
        case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return .connection(
                .lost, location: location.description, reason: "the connection was lost while \(what): \(message)")
        case .authMechanismRequiresPassword, .unsupportedAuthMechanism, .saslError:
            return .connection(
                .authentication, location: location.description,
                reason: "PostgreSQL refused user \(location.user): \(message)")
        default:
            break
        }
        if let state {
            // 28xxx: invalid authorization; 57P01-03: the server is shutting down or restarting.
            if state.hasPrefix("28") {
                return .connection(
                    .authentication, location: location.description,
                    reason: "PostgreSQL refused user \(location.user): \(message)")
            }
            if ["57P01", "57P02", "57P03"].contains(state) {
                // Said as the other lost connections are: the server may send this error
                // before it closes the socket (pg_terminate_backend does), or only close it.
                return .connection(
                    .lost, location: location.description,
                    reason: "the connection was lost while \(what): \(message)")
            }
        }
        let detail = [server?[.detail], server?[.hint]].compactMap { $0 }.joined(separator: "; ")
        return .database(
            DatabaseFailure(
                message:
                    "\(what): \(message)\(state.map { " (SQLSTATE \($0))" } ?? "")\(detail.isEmpty ? "" : ": \(detail)")",
                code: nil, underlying: error))
    }
}
