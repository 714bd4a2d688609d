import ArgumentParser
import CostwhModel
import CostwhParquet
import CostwhPipeline
import Foundation

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the warehouse's partitions as a Parquet lake for DuckDB, Spark and other engines.",
        discussion: """
            One file per partition under DIR/cost_details/Scope=…/BillingPeriod=…/Metric=…/data.parquet (with \
            --focus, DIR/focus_costs/Scope=…/BillingPeriod=…/data.parquet), and DIR/_manifest.json. Incremental: \
            unchanged partitions are not rewritten, reloaded ones are replaced atomically, and partitions no \
            longer in the selection are removed. Example: costwh export /srv/lake --from 2026-01
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The lake's folder (created if needed).")
    var directory: String

    @Option(help: "Only this scope (repeatable).", transform: Parse.scope)
    var scope: [Scope] = []

    @OptionGroup var periods: PeriodOptions

    @Option(help: "actual, amortized or both.")
    var metric: String = "both"

    @Flag(help: "Write the FOCUS view (focus_costs) instead of cost details.")
    var focus = false

    @Option(help: "zstd, snappy or none.")
    var compression: String = "zstd"

    func validate() throws {
        guard ParquetCompression(rawValue: compression) != nil else {
            throw ValidationError("--compression takes zstd, snappy or none, not \(compression)")
        }
        guard ["actual", "amortized", "both"].contains(metric) else {
            throw ValidationError("--metric takes actual, amortized or both, not \(metric)")
        }
    }

    func run() throws {
        let logger = global.makeLogger()
        global.warnIfExposed(logger)
        Interruption.install()
        let metrics: [Metric] =
            metric == "both" ? [.actualCost, .amortizedCost] : metric == "actual" ? [.actualCost] : [.amortizedCost]
        do {
            let report = try Export.run(
                ExportOptions(
                    databasePath: global.databasePath, directory: directory, scopes: scope, periods: periods.range,
                    metrics: metrics, focus: focus, compression: ParquetCompression(rawValue: compression)!),
                logger: logger)
            Terminal.status(ExportCommand.summary(report))
        } catch {
            throw error.reported()
        }
    }

    static func summary(_ report: ExportReport) -> String {
        "export: \(report.written.count) partition(s) written (\(report.rows) rows, \(report.bytes) bytes), \(report.unchanged) unchanged, \(report.removed.count) removed in \(String(format: "%.1f", report.seconds)) s"
    }
}
