import CostwhLoad

/// `costwh migrate`: applies pending migrations and reports the schema version.
public enum Migrate {
    public struct Outcome: Sendable {
        public let applied: [String]
        public let all: [String]
    }

    public static func run(databasePath: String) throws(PipelineError) -> Outcome {
        do {
            let database = try CostDatabase(path: databasePath, migrate: false)
            let applied = try database.migrate()
            return Outcome(applied: applied, all: try database.appliedMigrations())
        } catch {
            throw .load(error)
        }
    }
}
