import ArgumentParser
import CostwhPipeline
import Foundation

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "The nightly job: reload the current and previous month of every configured scope and metric.",
        discussion: """
            A partition loaded successfully in the last 20 hours is skipped unless --force; a report identical \
            to the last load is recorded as unchanged. Example: costwh ingest --config /etc/costwh.json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var extract: ExtractOptions

    @Option(help: "The configuration file (JSON): scopes, metrics, window, endpoint.")
    var config: String

    @Flag(help: "Reload partitions even if they were loaded recently.")
    var force = false

    @Flag(help: "Print which partitions would be requested and why, without calling Azure.")
    var dryRun = false

    func run() async throws {
        let logger = global.makeLogger()
        Interruption.install()
        do {
            let file = try IngestConfiguration.load(path: config)
            let options = IngestOptions(
                configuration: file, databasePath: global.db ?? file.database ?? global.databasePath,
                settings: try extract.settings(armEndpoint: file.armEndpoint, apiVersion: file.apiVersion),
                force: force, dryRun: dryRun, isCancelled: { Interruption.isRequested },
                progress: { Terminal.progress($0) })
            let (plan, report) = try await Ingest.run(options, logger: logger)
            if dryRun {
                for item in plan {
                    print("\(item.request ? "request" : "skip   ")  \(item.key)  [\(item.source.rawValue)]  \(item.reason)")
                }
                return
            }
            RunOutput.finish(report, title: "ingest")
        } catch {
            error.exit()
        }
    }
}

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

struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Load a range of months, skipping those already loaded; re-run to resume.",
        discussion: "Example: costwh backfill --scope /providers/Microsoft.Billing/billingAccounts/8611537 --from 2025-11 --to 2026-10")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var extract: ExtractOptions

    @Option(help: "The billing scope.") var scope: String
    @Option(help: "First month, YYYY-MM.") var from: String
    @Option(help: "Last month, YYYY-MM.") var to: String
    @Option(help: "actual, amortized or both.") var metric: String = "both"
    @Option(help: "cost-details, detailed-report, usage-details or ea-reporting.") var source: SourceKind = .costDetails
    @Flag(help: "Reload months that are already loaded.") var force = false
    @Option(help: "Percent of rows that may be rejected before a load fails.") var maxRejected: Double = 1

    func run() async throws {
        let logger = global.makeLogger()
        Interruption.install()
        do {
            let options = BackfillOptions(
                databasePath: global.databasePath, scope: scope, from: from, to: to, metrics: [metric], source: source,
                settings: try extract.settings(), force: force, maxRejectedPercent: maxRejected,
                isCancelled: { Interruption.isRequested }, progress: { Terminal.progress($0) })
            RunOutput.finish(try await Backfill.run(options, logger: logger), title: "backfill")
        } catch {
            error.exit()
        }
    }
}
