import CostwhExtract
import CostwhLoad
import CostwhModel
import Foundation
import Logging

/// `costwh ingest`: the nightly job.
package struct IngestOptions: Sendable {
    package var configuration: IngestConfiguration
    package var databasePath: String
    package var settings: ExtractSettings
    package var force: Bool
    package var dryRun: Bool
    package var now: Date
    package var isCancelled: @Sendable () -> Bool
    package var progress: (@Sendable (String) -> Void)?
    /// How the partition being loaded is going.
    package var loadProgress: (@Sendable (LoadProgress) -> Void)?

    package init(
        configuration: IngestConfiguration, databasePath: String, settings: ExtractSettings, force: Bool = false,
        dryRun: Bool = false,
        now: Date = CostwhClock.now(), isCancelled: @escaping @Sendable () -> Bool = { false },
        progress: (@Sendable (String) -> Void)? = nil
    ) {
        self.configuration = configuration
        self.databasePath = databasePath
        self.settings = settings
        self.force = force
        self.dryRun = dryRun
        self.now = now
        self.isCancelled = isCancelled
        self.progress = progress
    }
}

/// A partition the run will request, or skip, and why.
package struct PlannedPartition: Sendable {
    package let key: PartitionKey
    package let source: SourceKind
    package let request: Bool
    package let reason: String
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

    package static func run(
        _ options: IngestOptions, logger: Logger
    ) async throws(PipelineError) -> (plan: [PlannedPartition], report: RunReport) {
        let database = try DatabaseLocation.open(options.databasePath)
        let plan = try Ingest.plan(options, database: database)
        if options.dryRun { return (plan, RunReport()) }
        let lock = try JobLock.take(for: database, at: options.databasePath)
        defer { withExtendedLifetime(lock) {} }
        // A killed run's ledger rows are closed now, whether or not a partition gets loaded.
        do { try database.recoverAbandoned(logger: logger) } catch { throw .load(error) }
        // The views' Closed flag follows the configuration's settling rule.
        if let days = options.configuration.window?.settleDays {
            do { try database.setSetting(Settings.settleDays, to: String(max(0, days))) } catch { throw .load(error) }
        }
        let session = ExtractSession(settings: options.settings, logger: logger)
        let job = PartitionJob(
            session: session, database: database, logger: logger,
            maxRejectedFraction: (options.configuration.maxRejectedPercent ?? 1) / 100,
            isCancelled: options.isCancelled,
            loadProgress: options.loadProgress)
        let datasets = DatasetJob(
            session: session, database: database, logger: logger,
            maxRejectedFraction: (options.configuration.maxRejectedPercent ?? 1) / 100,
            isCancelled: options.isCancelled,
            turns: job.turns)
        var report = RunReport()
        let today = Ingest.today(options.now)
        let items = plan.map { item -> QueuedPartition in
            guard item.request else { return .skipped(item.key, reason: item.reason) }
            return .run(item.key) {
                item.key.dataset == .costDetails
                    ? await job.run(item.key, source: item.source, today: today) : await datasets.run(item.key)
            }
        }
        let reasons = Dictionary(plan.map { ($0.key, $0.reason) }, uniquingKeysWith: { a, _ in a })
        let progress = options.progress
        (report.results, report.partitionSeconds) = await PartitionQueue.run(
            items,
            parallel: options.settings.parallel ?? options.configuration.parallel ?? PartitionQueue.defaultParallel,
            isCancelled: options.isCancelled,
            started: { key in progress?("extracting \(key) (\(reasons[key] ?? ""))") })
        await session.shutdown()
        if options.isCancelled() { throw .load(.interrupted) }
        do {
            report.restatements = try Changes.ofRun(
                report, store: database, settleDays: options.configuration.window?.settleDays)
        } catch {
            report.restatementError = String(describing: error)
        }
        return (plan, report)
    }
}
