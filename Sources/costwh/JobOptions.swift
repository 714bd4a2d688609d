import ArgumentParser
import CostwhModel
import CostwhPipeline

/// How a loading job reports: a summary line on stderr, or one JSON object on stdout.
enum RunFormat: String, ExpressibleByArgument {
    case text, json
}

/// What `reload` and `backfill` load: metrics, source, datasets, and the rejected share allowed.
struct JobSelection: ParsableArguments {
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
}

/// How the jobs that load report: `--format` and `--fail-on-restatement`.
struct JobOutputOptions: ParsableArguments {
    @Option(help: "text: a summary line on stderr; json: one JSON object on stdout (partitions, rows, cost, time).")
    var format: RunFormat = .text

    @Option(
        help: ArgumentHelp(
            "Exit 3 when a closed month moved by more than PERCENT of its previous cost (the load is kept).",
            valueName: "PERCENT"))
    var failOnRestatement: Double?

    func validate() throws {
        if let failOnRestatement, failOnRestatement < 0 || !failOnRestatement.isFinite {
            throw ValidationError("--fail-on-restatement takes a percentage of 0 or more")
        }
    }
}
