import CostwhExtract
import CostwhLoad
import CostwhModel
import Foundation
import Logging

/// One partition of a run.
package struct PartitionKey: Hashable, Sendable, CustomStringConvertible {
    package let scope: Scope
    package let period: BillingPeriod
    /// The cost-details metric; for another dataset, unused.
    package let metric: Metric
    package let dataset: Dataset

    package init(scope: Scope, period: BillingPeriod, metric: Metric, dataset: Dataset = .costDetails) {
        self.scope = scope
        self.period = period
        self.metric = metric
        self.dataset = dataset
    }

    package var description: String {
        "\(scope.id) \(period) \(dataset == .costDetails ? metric.rawValue : dataset.rawValue)"
    }
}

/// How a partition's turn ended.
package enum PartitionOutcome: Sendable {
    case loaded(LoadSummary)
    case unchanged(loadId: Int64)
    case skipped(reason: String)
    case failed(error: String, loadId: Int64?)

    package var failed: Bool {
        if case .failed = self { return true }
        return false
    }
}

/// Extracts one partition from its source and loads it through the core load path.
struct PartitionJob {
    let session: ExtractSession
    let database: any CostStore
    let logger: Logger
    let maxRejectedFraction: Double
    let isCancelled: @Sendable () -> Bool

    func run(_ key: PartitionKey, source kind: SourceKind, today: CalendarDate) async -> PartitionOutcome {
        let started = Date()
        var request = LoadRequest(
            scope: key.scope, period: key.period, metric: key.metric, source: kind.rawValue, parts: [],
            maxRejectedFraction: maxRejectedFraction, isCancelled: isCancelled)
        let ledger = database
        let folder: PrivateFolder
        do {
            folder = try PrivateFolder()
        } catch {
            return .failed(error: error.description, loadId: nil)
        }
        defer { folder.remove() }
        let before = session.transport.stats.snapshot
        // What this partition's requests waited for, for the ledger.
        func recordRetries() {
            let after = session.transport.stats.snapshot
            for (kind, count) in after.throttles {
                let delta = count - (before.throttles[kind] ?? 0)
                if delta > 0 { request.extraWarnings.add("retried requests", kind, count: delta) }
            }
            let waited = after.waitedSeconds - before.waitedSeconds
            if waited > 0 {
                request.extraWarnings.add("seconds waited before retrying", String(format: "%.1f", waited))
            }
        }
        do {
            let previous = try ledger.lastGoodLoad(scope: key.scope, period: key.period, metric: key.metric)
            let source = try session.source(kind)
            let fetched = try await source.fetch(
                scope: key.scope, period: key.period, metric: key.metric, previousETag: previous?.etag, today: today,
                into: folder)
            var detail = fetched.detail
            if let reason = fetched.noDataReason { detail["noData"] = reason }
            if !fetched.files.isEmpty { detail["blobs"] = fetched.files.map(\.source).joined(separator: " ") }
            request.sourceDetail = PartitionJob.json(detail)
            recordRetries()
            if fetched.notModified {
                let id = try ledger.recordUnchanged(request, contentHash: previous?.contentHash ?? "", started: started)
                return .unchanged(loadId: id)
            }
            request.parts = fetched.files.map { LoadPart.file($0.path) }
            let hash = try ContentHash.compute(request.parts)
            if let previous, previous.contentHash == hash {
                let id = try ledger.recordUnchanged(request, contentHash: hash, started: started)
                logger.info("unchanged", metadata: ["partition": "\(key)"])
                return .unchanged(loadId: id)
            }
            let summary = try PartitionLoader(store: database, logger: logger).load(request)
            return .loaded(summary)
        } catch let error as LoadError {
            // The loader has recorded its own failure.
            return .failed(error: scrub(error.description), loadId: nil)
        } catch {
            recordRetries()
            let message = scrub((error as? ExtractError)?.description ?? String(describing: error))
            let id = try? ledger.recordFailure(request, error: message, started: started)
            return .failed(error: message, loadId: id)
        }
    }

    func scrub(_ text: String) -> String {
        Redaction.scrub(text, secrets: session.secrets)
    }

    static func json(_ detail: [String: String]) -> String? {
        guard !detail.isEmpty,
            let data = try? JSONSerialization.data(
                withJSONObject: detail, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
