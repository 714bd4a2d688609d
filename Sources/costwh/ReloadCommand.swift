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
    @OptionGroup var output: JobOutputOptions

    @Option(help: "The billing scope.", transform: Parse.scope) var scope: Scope
    @Option(help: "The billing period, YYYY-MM.", transform: Parse.period) var period: BillingPeriod
    @OptionGroup var selection: JobSelection

    func run() async throws {
        try await RunOutput.backfill(
            global: global, extract: extract, scope: scope, from: period, to: period, selection: selection, force: true,
            output: output, title: "reload")
    }
}
