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
    @OptionGroup var output: JobOutputOptions

    @Option(help: "The billing scope.", transform: Parse.scope) var scope: Scope
    @Option(help: "First month, YYYY-MM.", transform: Parse.period) var from: BillingPeriod
    @Option(help: "Last month, YYYY-MM.", transform: Parse.period) var to: BillingPeriod
    @OptionGroup var selection: JobSelection

    func validate() throws {
        if from > to { throw ValidationError("--from \(from) is after --to \(to)") }
    }
    @Flag(help: "Reload months that are already loaded.") var force = false

    func run() async throws {
        try await RunOutput.backfill(
            global: global, extract: extract, scope: scope, from: from, to: to, selection: selection, force: force,
            output: output, title: "backfill")
    }
}
