import ArgumentParser
import CostwhLoad
import CostwhPipeline
import Foundation

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load cost-details CSV files (plain or gzip) as one partition.",
        discussion: """
            Replaces the partition (scope, billing period, metric) atomically: readers see the old rows \
            or the new ones, never a mix. Example:
              costwh load EA_ActualCost.csv --scope /providers/Microsoft.Billing/billingAccounts/8611537 \\
                --period 2023-09 --metric actual
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The CSV files of the partition (one report may come as several blobs).")
    var files: [String] = []

    @Option(help: "The billing scope, e.g. /subscriptions/{id} or /providers/Microsoft.Billing/billingAccounts/{id}.")
    var scope: String?

    @Option(help: "The billing period, YYYY-MM.")
    var period: String?

    @Option(help: "actual or amortized.")
    var metric: String?

    @Option(help: "A Cost Management Exports folder (manifest.json and part_*.csv[.gz]); its manifest gives scope, period and metric.")
    var exports: String?

    @Flag(help: "The files are saved usageDetails (or EA Reporting v2) JSON pages, not CSV.")
    var usageDetailsJson = false

    func validate() throws {
        if exports == nil && (scope == nil || period == nil || metric == nil) {
            throw ValidationError("give --scope, --period and --metric (or --exports FOLDER, whose manifest has them)")
        }
        if exports != nil && !files.isEmpty { throw ValidationError("give files or --exports, not both") }
        if exports == nil && files.isEmpty { throw ValidationError("name one or more files to load") }
    }

    @Option(help: "Percent of rows that may be rejected before the load fails and the partition keeps its old data.")
    var maxRejected: Double = 1

    func run() throws {
        let logger = global.makeLogger()
        Interruption.install()
        var options = LoadFilesOptions(
            databasePath: global.databasePath, files: files, scope: scope, period: period, metric: metric,
            maxRejectedPercent: maxRejected,
            progress: { p in Terminal.progress("loading \(p.part): \(p.rows) rows, \(p.bytes >> 20) MiB") },
            isCancelled: { Interruption.isRequested })
        options.exportsFolder = exports
        if usageDetailsJson { options.format = .usageDetailsJSON }
        do {
            let summary = try LoadFiles.run(options, logger: logger)
            Terminal.endProgress()
            Terminal.status(Summaries.line(summary))
        } catch {
            error.exit()
        }
    }
}

enum Summaries {
    static func line(_ s: LoadSummary) -> String {
        let cost = String(format: "%.2f", s.costTotal)
        let currency = s.currencies.isEmpty ? "" : " " + s.currencies.joined(separator: "/")
        let seconds = String(format: "%.2f", s.seconds)
        var line = "\(s.status.rawValue): \(s.scope.id) \(s.period) \(s.metric.rawValue): \(s.rowsLoaded) rows loaded, "
            + "\(s.rowsRejected) rejected, cost \(cost)\(currency), \(seconds) s (load \(s.loadId))"
        if s.warnings.total > 0 { line += ", \(s.warnings.total) warnings (see costwh runs)" }
        return line
    }
}
