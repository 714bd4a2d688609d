import ArgumentParser
import CostwhExtract
import CostwhPipeline
import Foundation

enum RunOutput {
    /// `reload` and `backfill`: months of one scope, extracted now.
    static func backfill(
        global: GlobalOptions, extract: ExtractOptions, scope: String, from: String, to: String, metric: String, source: SourceKind,
        force: Bool, maxRejected: Double, title: String
    ) async -> Never {
        let logger = global.makeLogger()
        Interruption.install()
        do {
            let options = BackfillOptions(
                databasePath: global.databasePath, scope: scope, from: from, to: to, metrics: [metric], source: source,
                settings: try extract.settings(), force: force, maxRejectedPercent: maxRejected,
                isCancelled: { Interruption.isRequested }, progress: { Terminal.progress($0) })
            finish(try await Backfill.run(options, logger: logger), title: title)
        } catch {
            error.exit()
        }
    }

    /// Prints the per-partition lines and exits 2 when a partition failed.
    static func finish(_ report: RunReport, title: String) -> Never {
        Terminal.endProgress()
        for line in report.lines() { Terminal.status(line) }
        Terminal.status("\(title): \(report.counts)")
        Foundation.exit(report.anyFailed ? ExitCodes.partialFailure : 0)
    }
}
