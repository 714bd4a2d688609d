import CostwhLoad
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

    /// Opens the store at a location (creating and migrating it as needed). Only SQLite
    /// exists today; a PostgreSQL URL is refused with a clear message until its store lands.
    package static func open(_ location: String) throws(PipelineError) -> any CostStore {
        try refusePostgres(location)
        do { return try CostDatabase(path: location) } catch { throw .load(error) }
    }

    static func refusePostgres(_ location: String) throws(PipelineError) {
        let lower = location.lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            throw .usage("PostgreSQL stores are not available in this version of costwh; give a SQLite path")
        }
    }
}
