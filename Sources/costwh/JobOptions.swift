import ArgumentParser
import CostwhExtract
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
    @Option(
        help: ArgumentHelp(
            "Sign in with this credential of the configuration file (--config) instead of the environment's.",
            valueName: "NAME"))
    var credential: String?
    @Option(
        help: ArgumentHelp(
            "The nightly job's configuration file, for its credentials: the scope's own, or --credential's.",
            valueName: "FILE"))
    var config: String?

    func validate() throws {
        if credential != nil && config == nil { throw ValidationError("--credential NAME needs --config FILE, which defines it") }
    }

    /// The settings with the configuration's credentials, the scope signing in with
    /// `--credential` or, without it, with the credential the configuration gives the scope.
    func apply(to settings: inout ExtractSettings, scope: Scope) throws(PipelineError) {
        guard let config else { return }
        let file = try IngestConfiguration.load(path: config)
        try settings.useCredentials(of: file, path: config)
        if let credential {
            guard settings.credentials[credential] != nil else {
                throw .usage("\(config) defines no credential `\(credential)`")
            }
            settings.scopeCredentials[scope.id] = credential
        }
    }
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
