import ArgumentParser
import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhTransform
import Foundation

struct LoadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load local cost files as one partition (a FOCUS file: both metrics of it).",
        discussion: """
            Takes, with no flag, what people have: cost-details CSV of every schema (EA, MCA, legacy, \
            localised headers) in any dialect (comma, semicolon, tab or pipe; UTF-8, UTF-16 or \
            Windows-1252; decimal commas; day-first dates), plain or gzip; FOCUS files; saved \
            usageDetails or EA Reporting JSON pages; a Cost Management Exports folder or its manifest.json. \
            The dialect is detected once per file from its first block; the flags below override it.

            Replaces the partition (scope, billing period, metric) atomically: readers see the old rows \
            or the new ones, never a mix. Examples:
              costwh load EA_ActualCost.csv --scope /providers/Microsoft.Billing/billingAccounts/8611537 \\
                --period 2023-09 --metric actual
              costwh load focus-2023-09.csv.gz --scope /providers/Microsoft.Billing/billingAccounts/8611537 --period 2023-09
              costwh load ./exports/daily-actual/20230901-20230930
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(
        help:
            "The files of the partition (one report may come as several blobs), or one Exports folder or manifest.json."
    )
    var files: [String] = []

    @Option(
        help: "The billing scope, e.g. /subscriptions/{id} or /providers/Microsoft.Billing/billingAccounts/{id}.",
        transform: Parse.scope)
    var scope: Scope?

    @Option(help: "The billing period, YYYY-MM.", transform: Parse.period)
    var period: BillingPeriod?

    @Option(
        help: "actual or amortized. Not needed for FOCUS files (they fill both) or Exports (the manifest says).",
        transform: Parse.metric)
    var metric: Metric?

    @Option(
        help:
            "A Cost Management Exports folder (manifest.json and part_*.csv[.gz]); its manifest gives scope, period and metric."
    )
    var exports: String?

    @Option(
        help: ArgumentHelp(
            "What the files hold: cost-details (default), price-sheet, reservation-transactions, reservation-details, balance-summary, marketplace or billing-periods.",
            valueName: "dataset"),
        transform: Parse.dataset)
    var dataset: Dataset = .costDetails

    @Flag(help: "The files are saved usageDetails (or EA Reporting) JSON pages (detected without it).")
    var usageDetailsJson = false

    @Option(help: "Field delimiter: comma, semicolon, tab or pipe (default: detected from the header line).")
    var delimiter: String?

    @Option(help: "Text encoding: utf-8, utf-16le, utf-16be or windows-1252 (default: detected from the bytes).")
    var encoding: String?

    @Flag(inversion: .prefixedNo, help: "Numbers use a decimal comma, 1234,56 (default: detected for ; and tab files).")
    var decimalComma: Bool?

    @Option(
        help: "Order of day and month in a/b/yyyy dates: mdy or dmy (default: decided once per file from its values).")
    var dateOrder: String?

    func validate() throws {
        if exports != nil && !files.isEmpty { throw ValidationError("give files or --exports, not both") }
        if exports == nil && files.isEmpty { throw ValidationError("name one or more files to load") }
        if let delimiter, DialectOverrides.delimiter(named: delimiter) == nil {
            throw ValidationError("--delimiter takes comma, semicolon, tab or pipe, not \(delimiter)")
        }
        if let encoding, TextEncoding(name: encoding) == nil {
            throw ValidationError("--encoding takes utf-8, utf-16le, utf-16be or windows-1252, not \(encoding)")
        }
        if let dateOrder, DateOrder(rawValue: dateOrder.lowercased()) == nil {
            throw ValidationError("--date-order takes mdy or dmy, not \(dateOrder)")
        }
    }

    @Option(help: "Percent of rows that may be rejected before the load fails and the partition keeps its old data.")
    var maxRejected: Double = 1

    func run() throws {
        let logger = global.makeLogger()
        global.warnIfExposed(logger)
        global.applyProgressChoice()
        Interruption.install()
        var options = LoadFilesOptions(
            databasePath: global.databasePath, files: files, scope: scope, period: period, metric: metric,
            maxRejectedPercent: maxRejected,
            progress: Terminal.loadProgress(),
            isCancelled: { Interruption.isRequested })
        options.exportsFolder = exports
        options.dataset = dataset
        if usageDetailsJson { options.format = .usageDetailsJSON }
        options.dialect = DialectOverrides(
            encoding: encoding.flatMap(TextEncoding.init(name:)),
            delimiter: delimiter.flatMap(DialectOverrides.delimiter(named:)),
            decimalComma: decimalComma, dateOrder: dateOrder.flatMap { DateOrder(rawValue: $0.lowercased()) })
        do {
            let summaries = try LoadFiles.run(options, logger: logger)
            Terminal.endProgress()
            for summary in summaries { Terminal.status(Summaries.line(summary)) }
        } catch {
            throw error.reported()
        }
    }
}

enum Summaries {
    static func line(_ s: LoadSummary) -> String {
        if s.dataset != .costDetails {
            return
                "\(s.status.rawValue): \(s.scope.id) \(s.period) \(s.dataset.rawValue): \(s.rowsLoaded) rows loaded, "
                + "\(s.rowsRejected) rejected, \(String(format: "%.2f", s.seconds)) s (load \(s.loadId))"
        }
        let cost = String(format: "%.2f", s.costTotal)
        let currency = s.currencies.isEmpty ? "" : " " + s.currencies.joined(separator: "/")
        let seconds = String(format: "%.2f", s.seconds)
        var line =
            "\(s.status.rawValue): \(s.scope.id) \(s.period) \(s.metric.rawValue): \(s.rowsLoaded) rows loaded, "
            + "\(s.rowsRejected) rejected, cost \(cost)\(currency), \(seconds) s (load \(s.loadId))"
        if s.warnings.total > 0 { line += ", \(s.warnings.total) warnings (see costwh runs)" }
        return line
    }
}
