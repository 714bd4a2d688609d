import ArgumentParser
import CostwhModel
import CostwhPipeline
import CostwhQuery

struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Run a canned actual-versus-amortized query.",
        discussion: "costwh query --list names them all. Example: costwh query totals --period 2023-09")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The query to run.")
    var name: String?

    @Flag(help: "List the canned queries.")
    var list = false

    @Option(help: "Only this scope.", transform: Parse.scope)
    var scope: Scope?

    @OptionGroup var periods: PeriodOptions

    @Option(help: "For `by`: subscription, resource-group, meter-category, service-family, resource or tag.")
    var by: String?

    @Option(help: "For `by tag`: the tag key.")
    var tag: String?

    @Option(help: "For `top-benefit`: how many resources.")
    var top: Int = 20

    @OptionGroup var display: DisplayOptions

    func validate() throws {
        if !list && name == nil { throw ValidationError("name a query, or use --list") }
    }

    func run() throws {
        global.warnIfExposed(global.makeLogger())
        if list {
            print(try display.render(QueryCatalog.listing()), terminator: "")
            return
        }
        do {
            let table = try Query.run(
                QueryOptions(
                    databasePath: global.databasePath, name: name!, scope: scope, periods: periods.range, by: by,
                    tag: tag, top: top))
            print(try display.render(table), terminator: "")
        } catch {
            throw error.reported()
        }
    }
}
