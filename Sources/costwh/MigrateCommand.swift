import ArgumentParser
import CostwhPipeline

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (every command also does this when it opens the database).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        _ = global.makeLogger()
        do {
            let outcome = try Migrate.run(databasePath: global.databasePath)
            let applied =
                outcome.applied.isEmpty ? "none pending" : "applied " + outcome.applied.joined(separator: ", ")
            print(
                "\(DatabaseLocation.printable(global.databasePath)): \(applied); schema at \(outcome.all.last ?? "(empty)")"
            )
        } catch {
            throw error.reported()
        }
    }
}
