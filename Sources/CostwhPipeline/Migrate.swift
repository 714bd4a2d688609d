import CostwhLoad

/// `costwh migrate`: applies pending migrations and reports the schema version.
package enum Migrate {
    package struct Outcome: Sendable {
        package let applied: [String]
        package let all: [String]
    }

    package static func run(databasePath: String) throws(PipelineError) -> Outcome {
        let database = try DatabaseLocation.open(databasePath, migrate: false)
        do {
            let applied = try database.migrate(upTo: nil)
            return Outcome(applied: applied, all: try database.appliedMigrations())
        } catch {
            throw .load(error)
        }
    }
}
