import ArgumentParser
import CostwhExtract
import CostwhModel
import CostwhPipeline
import Foundation

enum RunOutput {
    /// `reload` and `backfill`: months of one scope, extracted now.
    static func backfill(
        global: GlobalOptions, extract: ExtractOptions, scope: Scope, from: BillingPeriod, to: BillingPeriod,
        metric: MetricChoice, source: SourceKind,
        force: Bool, maxRejected: Double, title: String
    ) async throws {
        let logger = global.makeLogger()
        Interruption.install()
        let report: RunReport
        do {
            let options = BackfillOptions(
                databasePath: global.databasePath, scope: scope, from: from, to: to, metrics: metric.metrics,
                source: source,
                settings: try extract.settings(), force: force, maxRejectedPercent: maxRejected,
                isCancelled: { Interruption.isRequested }, progress: { Terminal.progress($0) })
            report = try await Interruption.cancellable { try await Backfill.run(options, logger: logger) }
        } catch let error as PipelineError {
            throw error.reported()
        } catch {
            throw PipelineError.load(.interrupted).reported()
        }
        try finish(report, title: title)
    }

    /// Prints the per-partition lines; exits 2 when a partition failed.
    static func finish(_ report: RunReport, title: String) throws {
        Terminal.endProgress()
        for line in report.lines() { Terminal.status(line) }
        Terminal.status("\(title): \(report.counts)")
        if report.anyFailed { throw ExitCode(ExitCodes.partialFailure) }
    }
}
