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

    @Option(help: "table, csv, json or markdown.")
    var format: OutputFormat = .table

    func run() throws {
        _ = global.makeLogger()
        do {
            let table = try Runs.list(databasePath: global.databasePath, limit: limit, scope: scope)
            print(TableFormatter.render(table, as: format), terminator: "")
        } catch {
            throw error.reported()
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}
