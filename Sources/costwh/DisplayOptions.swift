import ArgumentParser
import CostwhLoad
import CostwhPipeline
import CostwhQuery
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How result tables are shown: `--format`, `--wide`, and the configuration whose scope
/// names stand in for long scope ids.
struct DisplayOptions: ParsableArguments {
    @Option(help: "table, csv, json or markdown.")
    var format: OutputFormat = .table

    @Flag(help: "Show tables in full on a terminal: whole scope ids, no cut columns.")
    var wide = false

    @Option(
        name: .customLong("names"),
        help: ArgumentHelp(
            "A configuration file whose scopes' \"name\"s label tables (default: $COSTWH_CONFIG).", valueName: "FILE"))
    var namesFile: String?

    /// Tables fit a terminal on stdout unless `--wide`; output that is not a terminal is never cut.
    func layout() throws(PipelineError) -> TableLayout {
        guard format == .table, !wide, isatty(1) == 1 else { return .full }
        var names: [String: String] = [:]
        if let path = namesFile ?? ProcessInfo.processInfo.environment["COSTWH_CONFIG"] {
            names = try IngestConfiguration.load(path: path).scopeNames()
        }
        return TableLayout(width: Terminal.columns, scopeNames: names)
    }

    func render(_ table: ResultTable) throws(PipelineError) -> String {
        TableFormatter.render(table, as: format, layout: try layout())
    }
}
