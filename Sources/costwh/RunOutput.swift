import ArgumentParser
import CostwhExtract
import CostwhModel
import CostwhPipeline
import Foundation

enum RunOutput {
    /// `reload` and `backfill`: months of one scope, extracted now.
    static func backfill(
        global: GlobalOptions, extract: ExtractOptions, scope: Scope, from: BillingPeriod, to: BillingPeriod,
        metric: MetricChoice, datasets: [Dataset], source: SourceKind,
        force: Bool, maxRejected: Double, restatement: RestatementOptions, title: String
    ) async throws {
        let started = Date()
        let logger = global.makeLogger()
        Interruption.install()
        let report: RunReport
        do {
            let options = BackfillOptions(
                databasePath: global.databasePath, scope: scope, from: from, to: to, metrics: metric.metrics,
                source: source,
                settings: try extract.settings(), force: force, maxRejectedPercent: maxRejected,
                isCancelled: { Interruption.isRequested }, progress: { Terminal.progress($0) })
            var run = options
            run.datasets = datasets.isEmpty ? [.costDetails] : datasets
            let final = run
            report = try await Interruption.cancellable { try await Backfill.run(final, logger: logger) }
        } catch let error as PipelineError {
            throw error.reported()
        } catch {
            throw PipelineError.load(.interrupted).reported()
        }
        try finish(report, title: title, restatement: restatement, started: started)
    }

    /// Prints the per-partition lines and the restated closed months; exits 2 when a
    /// partition failed, else 3 when a closed month moved more than `--fail-on-restatement`.
    static func finish(
        _ report: RunReport, title: String, restatement: RestatementOptions, started: Date
    ) throws {
        Terminal.endProgress()
        for line in report.lines() { Terminal.status(line) }
        for line in report.restatementLines() { Terminal.status(line) }
        let seconds = Date().timeIntervalSince(started)
        if restatement.format == .json {
            print(report.summaryJSON(title: title, seconds: seconds), terminator: "")
        } else {
            Terminal.status(report.summaryLine(title: title, seconds: seconds))
        }
        if report.anyFailed { throw ExitCode(ExitCodes.partialFailure) }
        if let percent = restatement.failOnRestatement {
            let over = report.restatements(over: percent)
            if !over.isEmpty {
                Terminal.status(
                    "\(title): \(over.count) closed month(s) restated by more than \(percent) %; the new data is loaded"
                )
                throw ExitCode(ExitCodes.restated)
            }
        }
    }
}

/// How a loading job reports: a summary line on stderr, or one JSON object on stdout.
enum RunFormat: String, ExpressibleByArgument {
    case text, json
}

/// `--fail-on-restatement` and `--format` of the jobs that load.
struct RestatementOptions: ParsableArguments {
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
