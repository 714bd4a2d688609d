import CostwhLoad

/// `costwh migrate`: applies pending migrations and reports the schema version.
package enum Migrate {
    package struct Outcome: Sendable {
        package let applied: [String]
        package let all: [String]
    }

    package static func run(databasePath: String) throws(PipelineError) -> Outcome {
        try DatabaseLocation.refusePostgres(databasePath)
        do {
            let database = try CostDatabase(path: databasePath, migrate: false)
            let applied = try database.migrate()
            return Outcome(applied: applied, all: try database.appliedMigrations())
        } catch {
            throw .load(error)
        }
    }
}
