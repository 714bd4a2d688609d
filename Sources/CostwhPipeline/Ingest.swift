import CostwhExtract
import CostwhLoad
import CostwhModel
import Foundation
import Logging

/// `costwh ingest`: the nightly job.
package struct IngestOptions: Sendable {
    package var configuration: IngestConfiguration
    package var settings: ExtractSettings
    package var force: Bool
    package var dryRun: Bool
    package var now: Date
    package var isCancelled: @Sendable () -> Bool
    package var progress: (@Sendable (String) -> Void)?
    /// How the partition being loaded is going.
    package var loadProgress: (@Sendable (LoadProgress) -> Void)?

    package init(
        configuration: IngestConfiguration, settings: ExtractSettings, force: Bool = false,
        dryRun: Bool = false,
        now: Date = CostwhClock.now(), isCancelled: @escaping @Sendable () -> Bool = { false },
        progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.settings = settings
        self.force = force
        self.dryRun = dryRun
        self.now = now
        self.isCancelled = isCancelled
        self.progress = progress
    }
}

package enum Ingest {
    package static func today(_ now: Date) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        return CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// Which partitions the nightly job asks for, and why.
    package static func plan(
        _ options: IngestOptions, database: any CostStore
    ) throws(PipelineError) -> [PlannedPartition] {
        let config = options.configuration
        let today = Ingest.today(options.now)
        let months = max(1, config.window?.months ?? 2)
        let settleDays = max(0, config.window?.settleDays ?? 10)
        let skipHours = config.skipHours ?? 20
        let ledger = database
        var plan: [PlannedPartition] = []
        // Cost details per metric and source, then the other datasets of each scope.
        var targets: [(key: (BillingPeriod) -> PartitionKey, source: SourceKind, months: Int)] = []
        for (scope, metric, source) in try config.targets() {
            targets.append(({ PartitionKey(scope: scope, period: $0, metric: metric) }, source, months))
        }
        for (scope, dataset) in try config.datasetTargets() {
            // Billing periods list every month at once; an MCA price sheet exists for the current month only.
            let current = dataset == .billingPeriods || (dataset == .priceSheet && scope.kind == .billingProfile)
            targets.append(
                (
                    { PartitionKey(scope: scope, period: $0, metric: .actualCost, dataset: dataset) }, .costDetails,
                    current ? 1 : months
                ))
        }
        for target in targets {
            for back in 0..<target.months {
                let period = today.billingPeriod.adding(months: -back)
                let key = target.key(period)
                let source = target.source
                let last: Date?
                do {
                    last =
                        key.dataset == .costDetails
                        ? try ledger.lastGoodLoad(scope: key.scope, period: period, metric: key.metric)?.finishedAt
                        : try ledger.lastGoodLoad(scope: key.scope, period: period, dataset: key.dataset)?.finishedAt
                } catch {
                    throw .load(error)
                }
                var reason: String
                if back == 0 {
                    reason = "current month"
                } else {
                    let settled = Calendar(identifier: .gregorian).date(
                        byAdding: .day, value: settleDays + 1, to: Ingest.date(period.lastDay))!
                    if options.now < settled {
                        reason = "month ended \(period.lastDay); Azure may restate it until \(settleDays) days after"
                    } else if !options.force, let last, last >= settled {
                        plan.append(
                            PlannedPartition(
                                key: key, source: source, request: false, reason: "settled and loaded after it settled")
                        )
                        continue
                    } else if let last, last >= settled {
                        reason = "settled; checking for restatements (--force)"
                    } else {
                        reason = "settled; loading its final version"
                    }
                }
                if !options.force, let last, options.now.timeIntervalSince(last) < skipHours * 3600 {
                    let hours = String(format: "%.1f", options.now.timeIntervalSince(last) / 3600)
                    plan.append(
                        PlannedPartition(
                            key: key, source: source, request: false,
                            reason:
                                "loaded \(hours) h ago; Azure asks for at most one request per scope and day (--force to reload)"
                        ))
                    continue
                }
                if last == nil { reason += ", never loaded" }
                plan.append(PlannedPartition(key: key, source: source, request: true, reason: reason))
            }
        }
        return plan
    }

    static func date(_ day: CalendarDate) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!
    }

    /// Plans the nightly run against the store's ledger, then runs the plan (`PartitionRun`);
    /// a dry run only plans.
    package static func run(
        _ options: IngestOptions, store: any CostStore, logger: Logger
    ) async throws(PipelineError) -> (plan: [PlannedPartition], report: RunReport) {
        let plan = try Ingest.plan(options, database: store)
        if options.dryRun { return (plan, RunReport()) }
        let config = options.configuration
        let progress = options.progress
        let limits = RunLimits(
            maxRejectedFraction: (config.maxRejectedPercent ?? 1) / 100,
            parallel: options.settings.parallel ?? config.parallel ?? PartitionQueue.defaultParallel,
            settleDays: config.window?.settleDays, now: options.now, isCancelled: options.isCancelled,
            started: { progress?("extracting \($0.key) (\($0.reason))") }, loadProgress: options.loadProgress)
        let report = try await PartitionRun.execute(
            plan, store: store, settings: options.settings, limits: limits, logger: logger
        ) { store throws(LoadError) in
            // The views' Closed flag follows the configuration's settling rule.
            if let days = config.window?.settleDays {
                try store.setSetting(Settings.settleDays, to: String(max(0, days)))
            }
        }
        return (plan, report)
    }
}
