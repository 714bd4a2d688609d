import ArgumentParser
import CostwhModel
import CostwhPipeline
import Foundation

struct ReloadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reload",
        abstract: "Re-extract one billing period of a scope now.",
        discussion: "Example: costwh reload --scope /subscriptions/{id} --period 2026-10 --metric both")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var extract: ExtractOptions
    @OptionGroup var restatement: RestatementOptions

    @Option(help: "The billing scope.", transform: Parse.scope) var scope: Scope
    @Option(help: "The billing period, YYYY-MM.", transform: Parse.period) var period: BillingPeriod
    @Option(help: "actual, amortized or both.") var metric: MetricChoice = .both
    @Option(help: "cost-details, detailed-report, usage-details or ea-reporting.") var source: SourceKind = .costDetails
    @Option(
        name: .customLong("dataset"),
        help: ArgumentHelp(
            "What to load, repeatable: cost-details (default), price-sheet, reservation-transactions, reservation-details, balance-summary, marketplace, billing-periods.",
            valueName: "dataset"),
        transform: Parse.dataset)
    var datasets: [Dataset] = []
    @Option(help: "Percent of rows that may be rejected before a load fails.") var maxRejected: Double = 1

    func run() async throws {
        try await RunOutput.backfill(
            global: global, extract: extract, scope: scope, from: period, to: period, metric: metric,
            datasets: datasets, source: source,
            force: true, maxRejected: maxRejected, restatement: restatement, title: "reload")
    }
}
