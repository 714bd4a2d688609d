import CostwhExtract
import CostwhLoad
import CostwhModel
import Foundation
import Logging

/// A partition an extracting run will request, or skip, and why.
package struct PlannedPartition: Sendable {
    package let key: PartitionKey
    package let source: SourceKind
    package let request: Bool
    package let reason: String

    package init(key: PartitionKey, source: SourceKind, request: Bool, reason: String) {
        self.key = key
        self.source = source
        self.request = request
        self.reason = reason
    }
}

/// How a planned run is carried out, whatever planned it.
package struct RunLimits: Sendable {
    package var maxRejectedFraction: Double
    package var parallel: Int
    /// The settling rule the restatement summary applies (ingest's configuration), if any.
    package var settleDays: Int?
    package var now: Date
    package var isCancelled: @Sendable () -> Bool
    /// Called as each requested partition starts, with its plan entry.
    package var started: (@Sendable (PlannedPartition) -> Void)?
    package var loadProgress: (@Sendable (LoadProgress) -> Void)?
}

/// The one routine that runs a plan of partitions for `ingest`, `reload` and `backfill`: the
/// job lock, the recovery of killed loads, one extract session, the partitions (up to
/// `parallel` at a time, loads taking turns), the session's shutdown, and the restatements
/// the run found. The entry points only plan, and hand over the store they were given.
package enum PartitionRun {
    package static func execute(
        _ plan: [PlannedPartition], store: any CostStore, settings: ExtractSettings, limits: RunLimits,
        logger: Logger, prepare: (any CostStore) throws(LoadError) -> Void = { _ throws(LoadError) in }
    ) async throws(PipelineError) -> RunReport {
        let lock: AnyObject
        do { lock = try store.lockForJob() } catch { throw .load(error) }
        defer { withExtendedLifetime(lock) {} }
        do {
            // A killed run's ledger rows are closed now, whether or not a partition gets
            // loaded (an unchanged report never reaches the loader, which also does this).
            try store.recoverAbandoned(logger: logger)
            try prepare(store)
        } catch {
            throw .load(error)
        }
        let session = ExtractSession(settings: settings, logger: logger)
        let job = PartitionJob(
            session: session, database: store, logger: logger, maxRejectedFraction: limits.maxRejectedFraction,
            isCancelled: limits.isCancelled, loadProgress: limits.loadProgress)
        let datasets = DatasetJob(
            session: session, database: store, logger: logger, maxRejectedFraction: limits.maxRejectedFraction,
            isCancelled: limits.isCancelled, turns: job.turns)
        let today = Ingest.today(limits.now)
        let items = plan.map { item -> QueuedPartition in
            guard item.request else { return .skipped(item.key, reason: item.reason) }
            return .run(item.key) {
                item.key.dataset == .costDetails
                    ? await job.run(item.key, source: item.source, today: today) : await datasets.run(item.key)
            }
        }
        let entries = Dictionary(plan.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let started = limits.started
        var report = RunReport()
        (report.results, report.partitionSeconds) = await PartitionQueue.run(
            items, parallel: limits.parallel, isCancelled: limits.isCancelled,
            started: { key in if let entry = entries[key] { started?(entry) } })
        await session.shutdown()
        if limits.isCancelled() { throw .load(.interrupted) }
        do {
            report.restatements = try Changes.ofRun(report, store: store, settleDays: limits.settleDays)
        } catch {
            report.restatementError = String(describing: error)
        }
        return report
    }
}
