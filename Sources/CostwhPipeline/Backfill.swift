import CostwhExtract
import CostwhLoad
import CostwhModel
import Foundation
import Logging

/// `costwh backfill` and `costwh reload`: months of one scope, now.
package struct BackfillOptions: Sendable {
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
        scope: Scope, from: BillingPeriod, to: BillingPeriod, metrics: [Metric],
        datasets: [Dataset] = [.costDetails], source: SourceKind = .costDetails,
        settings: ExtractSettings, force: Bool = false, maxRejectedPercent: Double = 1, now: Date = CostwhClock.now(),
        isCancelled: @escaping @Sendable () -> Bool = { false }, progress: (@Sendable (String) -> Void)? = nil
    ) {
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
    package static func run(
        _ options: BackfillOptions, store: any CostStore, logger: Logger
    ) async throws(PipelineError) -> RunReport {
        guard (0...100).contains(options.maxRejectedPercent) else {
            throw .usage("the share of rows that may be rejected must be a percentage from 0 to 100")
        }
        let plan = try Backfill.plan(options, database: store)
        let progress = options.progress
        let limits = RunLimits(
            maxRejectedFraction: options.maxRejectedPercent / 100,
            parallel: options.settings.parallel ?? PartitionQueue.defaultParallel, settleDays: nil, now: options.now,
            isCancelled: options.isCancelled, started: { progress?("extracting \($0.key)") },
            loadProgress: options.loadProgress)
        return try await PartitionRun.execute(
            plan, store: store, settings: options.settings, limits: limits, logger: logger)
    }

    /// Every partition of the range, in month order; one loaded before (and no longer the
    /// current month) is skipped unless forced.
    package static func plan(
        _ options: BackfillOptions, database: any CostStore
    ) throws(PipelineError) -> [PlannedPartition] {
        let scope = options.scope
        let (from, to) = (options.from, options.to)
        guard from <= to else { throw .usage("the range starts at \(from), after its end \(to)") }
        var seen = Set<Metric>()
        let metrics = options.metrics.filter { seen.insert($0).inserted }
        var seenDatasets = Set<Dataset>()
        let datasets = options.datasets.filter { seenDatasets.insert($0).inserted }
        let today = Ingest.today(options.now)
        var plan: [PlannedPartition] = []
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
                            ? try database.lastGoodLoad(scope: scope, period: period, metric: key.metric)?.finishedAt
                            : try database.lastGoodLoad(scope: scope, period: period, dataset: key.dataset)?.finishedAt
                    } catch {
                        throw .load(error)
                    }
                    if let last, period < today.billingPeriod {
                        plan.append(
                            PlannedPartition(
                                key: key, source: options.source, request: false,
                                reason: "already loaded at \(Ledger.format(last)) (--force to reload)"))
                        continue
                    }
                }
                plan.append(
                    PlannedPartition(
                        key: key, source: options.source, request: true,
                        reason: options.force ? "requested (--force)" : "requested"))
            }
        }
        return plan
    }
}
