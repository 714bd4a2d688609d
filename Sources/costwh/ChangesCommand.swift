import ArgumentParser
import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhQuery
import Foundation

struct ChangesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "changes",
        abstract: "What changed in months already loaded: restatements between successive loads.",
        discussion: """
            One row per partition (and currency) whose successive successful loads differ, with the previous and \
            new cost, the delta and whether the month was closed (it had ended more than settleDays before the \
            earlier load). With --by, each change is broken down into the groups whose cost changed; their \
            deltas add up to the partition's. Example: costwh changes --closed-only --by subscription
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this scope.", transform: Parse.scope)
    var scope: Scope?

    @OptionGroup var periods: PeriodOptions

    @Option(help: "Only loads finished since this date (YYYY-MM-DD, or an ISO 8601 date-time, UTC).")
    var since: String?

    @Flag(help: "Only changes to closed months.")
    var closedOnly = false

    @Flag(help: "Also list partitions loaded for the first time.")
    var withNew = false

    @Option(help: "day, charge-type, subscription, resource-group or meter-category.")
    var by: LoadHistory.Breakdown?

    @Option(help: "With --by, the groups shown per change (the rest are added up); else the largest changes.")
    var top: Int?

    @Option(help: "Days after a month ends until it counts as closed (default: the warehouse's setting, 10).")
    var settleDays: Int?

    @OptionGroup var display: DisplayOptions

    func validate() throws {
        if let since, ChangesCommand.sinceBound(since) == nil {
            throw ValidationError("--since takes a date (YYYY-MM-DD) or an ISO 8601 date-time, not `\(since)`")
        }
    }

    static func sinceBound(_ text: String) -> String? { ChangeListing.sinceBound(text) }

    func run() throws {
        global.warnIfExposed(global.makeLogger())
        do {
            let filter = ChangeFilter(
                scope: scope?.id, periods: periods.range, since: since.flatMap(ChangesCommand.sinceBound),
                closedOnly: closedOnly, withNew: withNew, settleDays: settleDays)
            let table = try Changes.run(
                ChangesOptions(databasePath: global.databasePath, filter: filter, by: by, top: top))
            print(try display.render(table), terminator: "")
        } catch {
            throw error.reported()
        }
    }
}

extension LoadHistory.Breakdown: ExpressibleByArgument {
    public init?(argument: String) {
        guard let value = LoadHistory.Breakdown(rawValue: argument), value != .total else { return nil }
        self = value
    }

    public static var allValueStrings: [String] { groupings.map(\.rawValue) }
}
