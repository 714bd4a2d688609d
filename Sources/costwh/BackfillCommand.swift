import ArgumentParser
import CostwhModel
import CostwhPipeline
import Foundation

struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Load a range of months, skipping those already loaded; re-run to resume.",
        discussion:
            "Example: costwh backfill --scope /providers/Microsoft.Billing/billingAccounts/8611537 --from 2025-11 --to 2026-10"
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var extract: ExtractOptions
    @OptionGroup var restatement: RestatementOptions

    @Option(help: "The billing scope.", transform: Parse.scope) var scope: Scope
    @Option(help: "First month, YYYY-MM.", transform: Parse.period) var from: BillingPeriod
    @Option(help: "Last month, YYYY-MM.", transform: Parse.period) var to: BillingPeriod
    @Option(help: "actual, amortized or both.") var metric: MetricChoice = .both

    func validate() throws {
        if from > to { throw ValidationError("--from \(from) is after --to \(to)") }
    }
    @Option(help: "cost-details, detailed-report, usage-details or ea-reporting.") var source: SourceKind = .costDetails
    @Option(
        name: .customLong("dataset"),
        help: ArgumentHelp(
            "What to load, repeatable: cost-details (default), price-sheet, reservation-transactions, reservation-details, balance-summary, marketplace, billing-periods.",
            valueName: "dataset"),
        transform: Parse.dataset)
    var datasets: [Dataset] = []
    @Flag(help: "Reload months that are already loaded.") var force = false
    @Option(help: "Percent of rows that may be rejected before a load fails.") var maxRejected: Double = 1

    func run() async throws {
        try await RunOutput.backfill(
            global: global, extract: extract, scope: scope, from: from, to: to, metric: metric, datasets: datasets,
            source: source,
            force: force, maxRejected: maxRejected, restatement: restatement, title: "backfill")
    }
}
