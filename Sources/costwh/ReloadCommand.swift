import ArgumentParser
import CostwhPipeline
import Foundation

struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Re-extract one billing period of a scope now.",
        discussion: "Example: costwh reload --scope /subscriptions/{id} --period 2026-10 --metric both")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var extract: ExtractOptions

    @Option(help: "The billing scope.") var scope: String
    @Option(help: "The billing period, YYYY-MM.") var period: String
    @Option(help: "actual, amortized or both.") var metric: String = "both"
    @Option(help: "cost-details, detailed-report, usage-details or ea-reporting.") var source: SourceKind = .costDetails
    @Option(help: "Percent of rows that may be rejected before a load fails.") var maxRejected: Double = 1

    func run() async throws {
        let logger = global.makeLogger()
        Interruption.install()
        do {
            let options = BackfillOptions(
                databasePath: global.databasePath, scope: scope, from: period, to: period, metrics: [metric], source: source,
                settings: try extract.settings(), force: true, maxRejectedPercent: maxRejected,
                isCancelled: { Interruption.isRequested }, progress: { Terminal.progress($0) })
            RunOutput.finish(try await Backfill.run(options, logger: logger), title: "reload")
        } catch {
            error.exit()
        }
    }
}
