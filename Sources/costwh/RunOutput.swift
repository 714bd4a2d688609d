import ArgumentParser
import CostwhExtract
import CostwhModel
import CostwhPipeline
import Foundation

enum RunOutput {
    /// `reload` and `backfill`: months of one scope, extracted now.
    static func backfill(
        global: GlobalOptions, extract: ExtractOptions, scope: Scope, from: BillingPeriod, to: BillingPeriod,
        selection: JobSelection, force: Bool, output: JobOutputOptions, title: String
    ) async throws {
        let started = Date()
        let logger = global.makeLogger()
        global.warnIfExposed(logger)
        global.applyProgressChoice()
        Interruption.install()
        let report: RunReport
        do {
            var settings = try extract.settings()
            try selection.apply(to: &settings, scope: scope)
            let store = try DatabaseLocation.open(global.databasePath)
            var options = BackfillOptions(
                scope: scope, from: from, to: to,
                metrics: selection.metric.metrics,
                datasets: selection.datasets.isEmpty ? [.costDetails] : selection.datasets,
                source: selection.source, settings: settings, force: force,
                maxRejectedPercent: selection.maxRejected,
                isCancelled: { Interruption.isRequested }, progress: { Terminal.progress($0) })
            options.loadProgress = Terminal.loadProgress()
            let prepared = options
            report = try await Interruption.cancellable { try await Backfill.run(prepared, store: store, logger: logger) }
        } catch let error as PipelineError {
            throw error.reported()
        } catch {
            throw PipelineError.load(.interrupted).reported()
        }
        try finish(report, title: title, output: output, started: started)
    }

    /// Prints the per-partition lines and the restated closed months; exits 2 when a
    /// partition failed, else 3 when a closed month moved more than `--fail-on-restatement`.
    static func finish(
        _ report: RunReport, title: String, output: JobOutputOptions, started: Date
    ) throws {
        Terminal.endProgress()
        for line in report.lines() { Terminal.status(line) }
        for line in report.restatementLines() { Terminal.status(line) }
        let seconds = Date().timeIntervalSince(started)
        if output.format == .json {
            print(report.summaryJSON(title: title, seconds: seconds), terminator: "")
        } else {
            Terminal.status(report.summaryLine(title: title, seconds: seconds))
        }
        if report.anyFailed { throw ExitCode(ExitCodes.partialFailure) }
        if let percent = output.failOnRestatement {
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
