import ArgumentParser
import CostwhPipeline

struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations (the writing commands also do this when they open the database; the read commands ask for it).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        global.warnIfExposed(global.makeLogger())
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
