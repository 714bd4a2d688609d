import CostwhExtract
import CostwhLoad
import CostwhModel
import Foundation
import Logging

/// `costwh backfill` and `costwh reload`: months of one scope, now.
package struct BackfillOptions: Sendable {
    package var databasePath: String
    package var scope: Scope
    package var from: BillingPeriod
    package var to: BillingPeriod
    package var metrics: [Metric]
    /// What to load (cost details by default); the metrics apply to cost details.
    package var datasets: [Dataset] = [.costDetails]
    package var source: SourceKind
    package var settings: ExtractSettings
    /// Reload months that are already loaded (backfill skips them otherwise).
    package var force: Bool
    package var maxRejectedPercent: Double
    package var now: Date
    package var isCancelled: @Sendable () -> Bool
    package var progress: (@Sendable (String) -> Void)?
    /// How the partition being loaded is going.
    package var loadProgress: (@Sendable (LoadProgress) -> Void)?

    package init(
        databasePath: String, scope: Scope, from: BillingPeriod, to: BillingPeriod, metrics: [Metric],
        datasets: [Dataset] = [.costDetails], source: SourceKind = .costDetails,
        settings: ExtractSettings, force: Bool = false, maxRejectedPercent: Double = 1, now: Date = CostwhClock.now(),
        isCancelled: @escaping @Sendable () -> Bool = { false }, progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.databasePath = databasePath
        self.scope = scope
        self.from = from
        self.to = to
        self.metrics = metrics
        self.datasets = datasets
        self.source = source
        self.settings = settings
        self.force = force
        self.maxRejectedPercent = maxRejectedPercent
        self.now = now
        self.isCancelled = isCancelled
        self.progress = progress
    }
}

package enum Backfill {
    /// Loads every month of the range; skips months already loaded unless forced, and
    /// goes on past a month that fails. Stopped and run again, it takes up where it left off.
    package static func run(_ options: BackfillOptions, logger: Logger) async throws(PipelineError) -> RunReport {
        let scope = options.scope
        let (from, to) = (options.from, options.to)
        guard from <= to else { throw .usage("the range starts at \(from), after its end \(to)") }
        var seen = Set<Metric>()
        let metrics = options.metrics.filter { seen.insert($0).inserted }
        guard (0...100).contains(options.maxRejectedPercent) else {
            throw .usage("the share of rows that may be rejected must be a percentage from 0 to 100")
        }
        let database = try DatabaseLocation.open(options.databasePath)
        let lock = try JobLock.take(for: database, at: options.databasePath)
        defer { withExtendedLifetime(lock) {} }
        // A killed run's ledger rows are closed now, whether or not a partition gets loaded
        // (an unchanged report never reaches the loader, which also does this).
        do { try database.recoverAbandoned(logger: logger) } catch { throw .load(error) }
        let session = ExtractSession(settings: options.settings, logger: logger)
        let job = PartitionJob(
            session: session, database: database, logger: logger, maxRejectedFraction: options.maxRejectedPercent / 100,
            isCancelled: options.isCancelled, loadProgress: options.loadProgress)
        let datasetJob = DatasetJob(
            session: session, database: database, logger: logger, maxRejectedFraction: options.maxRejectedPercent / 100,
            isCancelled: options.isCancelled, turns: job.turns)
        let ledger = database
        let today = Ingest.today(options.now)
        var report = RunReport()
        var seenDatasets = Set<Dataset>()
        let datasets = options.datasets.filter { seenDatasets.insert($0).inserted }
        var items: [QueuedPartition] = []
        for period in BillingPeriod.range(from: from, to: to) {
            var keys: [PartitionKey] = []
            for dataset in datasets {
                if dataset == .costDetails {
                    keys += metrics.map { PartitionKey(scope: scope, period: period, metric: $0) }
                } else {
                    keys.append(PartitionKey(scope: scope, period: period, metric: .actualCost, dataset: dataset))
                }
            }
            for key in keys {
                if !options.force {
                    let last: Date?
                    do {
                        last =
                            key.dataset == .costDetails
                            ? try ledger.lastGoodLoad(scope: scope, period: period, metric: key.metric)?.finishedAt
                            : try ledger.lastGoodLoad(scope: scope, period: period, dataset: key.dataset)?.finishedAt
                    } catch {
                        throw .load(error)
                    }
                    if let last, period < today.billingPeriod {
                        items.append(
                            .skipped(key, reason: "already loaded at \(Ledger.format(last)) (--force to reload)"))
                        continue
                    }
                }
                let source = options.source
                items.append(
                    .run(key) {
                        key.dataset == .costDetails
                            ? await job.run(key, source: source, today: today) : await datasetJob.run(key)
                    })
            }
        }
        let progress = options.progress
        (report.results, report.partitionSeconds) = await PartitionQueue.run(
            items, parallel: options.settings.parallel ?? PartitionQueue.defaultParallel,
            isCancelled: options.isCancelled,
            started: { progress?("extracting \($0)") })
        await session.shutdown()
        if options.isCancelled() { throw .load(.interrupted) }
        do {
            report.restatements = try Changes.ofRun(report, store: database, settleDays: nil)
        } catch {
            report.restatementError = String(describing: error)
        }
        return report
    }
}
