import CostwhLoad
import CostwhPostgres
import CostwhSQLite
import Foundation

/// Where the warehouse lives: `--db`, else `COSTWH_DB`, else `./costwh.sqlite`.
package enum DatabaseLocation {
    package static let defaultPath = "costwh.sqlite"

    package static func resolve(
        _ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let env = environment["COSTWH_DB"], !env.isEmpty { return env }
        return defaultPath
    }

    /// Opens the store at a location, creating and migrating it as needed: a
    /// `postgres://` or `postgresql://` URL is a PostgreSQL store, anything else a SQLite file.
    package static func open(_ location: String, migrate: Bool = true) throws(PipelineError) -> any CostStore {
        if PostgresLocation.matches(location) {
            let place: PostgresLocation
            do { place = try PostgresLocation(parsing: location) } catch { throw .usage(error.description) }
            do { return try PostgresStore(location: place, migrate: migrate) } catch { throw .load(error) }
        }
        do { return try CostDatabase(path: location, migrate: migrate) } catch { throw .load(error) }
    }

    /// Opens the warehouse at a location for reading only: it must exist and be migrated;
    /// nothing is created, migrated or written (`StoreReading`).
    package static func openForReading(_ location: String) throws(PipelineError) -> any StoreReading {
        if PostgresLocation.matches(location) {
            let place: PostgresLocation
            do { place = try PostgresLocation(parsing: location) } catch { throw .usage(error.description) }
            do { return try PostgresStore(readingAt: place) } catch { throw .load(error) }
        }
        do { return try CostDatabase(readingAt: location) } catch { throw .load(error) }
    }

    /// Opens the warehouse for a server of untrusted queries (the MCP server): the read side
    /// for costwh's own queries, and an `AdHocReading` for the model's SQL, both read-only by
    /// the engine. On SQLite the sandbox is opened first: it refuses a warehouse without its
    /// WAL files, which a read-only open would otherwise create beside it.
    package static func openForServing(_ location: String) throws(PipelineError) -> (
        any StoreReading, any AdHocReading
    ) {
        if PostgresLocation.matches(location) {
            let place: PostgresLocation
            do { place = try PostgresLocation(parsing: location) } catch { throw .usage(error.description) }
            do {
                let store = try PostgresStore(readingAt: place)
                return (store, store)
            } catch {
                throw .load(error)
            }
        }
        var info = stat()
        guard stat(location, &info) == 0 else { throw .load(.notReadable(location: location, problem: .missing)) }
        let sandbox: SQLiteSandbox
        do { sandbox = try SQLiteSandbox(path: location) } catch {
            throw .load(.cannotOpenDatabase(path: location, reason: error.description))
        }
        return (try openForReading(location), sandbox)
    }

    /// The location as messages may show it: a URL loses its password.
    package static func printable(_ location: String) -> String {
        guard PostgresLocation.matches(location) else { return location }
        return (try? PostgresLocation(parsing: location, environment: [:]).description) ?? "postgres://…"
    }
}
