import ArgumentParser
import CostwhModel
import CostwhPipeline
import CostwhQuery

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recent loads from the ledger.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only loads of this scope.", transform: Parse.scope)
    var scope: Scope?

    @Option(help: "How many loads to list, newest first.")
    var limit: Int = 20

    @OptionGroup var display: DisplayOptions

    func run() throws {
        global.warnIfExposed(global.makeLogger())
        do {
            let table = try Runs.list(databasePath: global.databasePath, limit: limit, scope: scope)
            print(try display.render(table), terminator: "")
        } catch {
            throw error.reported()
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}
