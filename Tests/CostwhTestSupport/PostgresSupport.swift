import CostwhLoad
import CostwhPostgres
import Foundation

/// The PostgreSQL server the tests use: `COSTWH_TEST_POSTGRES_URL` (`.ci/run` starts one with
/// `scripts/postgres-throwaway`). Without it the PostgreSQL tests are skipped, with this
/// message, unless `COSTWH_REQUIRE_POSTGRES` is set (CI), where they fail instead.
package enum TestPostgres {
    package static let url: String? = {
        let value = ProcessInfo.processInfo.environment["COSTWH_TEST_POSTGRES_URL"]
        return value?.isEmpty == false ? value : nil
    }()

    package static let required = ProcessInfo.processInfo.environment["COSTWH_REQUIRE_POSTGRES"] != nil

    /// For `.enabled(if:)`: run when a server is given, or when CI requires one (then fail).
    package static var available: Bool { url != nil || required }

    package static let skipMessage =
        "no PostgreSQL server: set COSTWH_TEST_POSTGRES_URL (eval \"$(scripts/postgres-throwaway start)\")"

    /// A URL for a schema of its own, so tests running at once never meet.
    package static func freshURL() throws -> String {
        guard let url else { throw TestPostgresMissing() }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(12)
        return url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
    }

    /// Runs `body` with a fresh schema's URL and drops the schema afterwards.
    package static func withSchema<T>(_ body: (String) throws -> T) throws -> T {
        let url = try freshURL()
        defer { try? drop(url) }
        return try body(url)
    }

    package static func withSchema<T>(_ body: (String) async throws -> T) async throws -> T {
        let url = try freshURL()
        defer { try? drop(url) }
        return try await body(url)
    }

    package static func drop(_ url: String) throws {
        let location = try PostgresLocation(parsing: url)
        let store = try PostgresStore(location: location, migrate: false)
        try store.execute("DROP SCHEMA IF EXISTS \(location.schema) CASCADE")
    }

    /// Opens a store on a URL (migrating it).
    package static func store(_ url: String) throws -> PostgresStore {
        try PostgresStore(location: try PostgresLocation(parsing: url))
    }
}

package struct TestPostgresMissing: Error, CustomStringConvertible {
    package var description: String { "COSTWH_REQUIRE_POSTGRES is set but COSTWH_TEST_POSTGRES_URL is not" }
}
