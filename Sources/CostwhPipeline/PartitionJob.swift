import CostwhBytes
import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhTransform
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
///
/// Where the source allows it (Cost Details), the loader reads each blob while it downloads
/// (`Spool`); the partition still changes only in one transaction, after every blob arrived
/// whole. Store work waits for its turn (`LoadTurns`), so partitions of one run can
/// download while another one loads.
struct PartitionJob {
    let session: ExtractSession
    let database: any CostStore
    let logger: Logger
    let maxRejectedFraction: Double
    let isCancelled: @Sendable () -> Bool
    var turns = LoadTurns()
    /// Told now and then how a load is going (rows, bytes read against the known size).
    var loadProgress: (@Sendable (LoadProgress) -> Void)?

    func run(_ key: PartitionKey, source kind: SourceKind, today: CalendarDate) async -> PartitionOutcome {
        // This partition's retries, counted apart from those of partitions running beside it.
        let retries = ExtractStats()
        return await ExtractStats.$partition.withValue(retries) {
            await run(key, source: kind, today: today, retries: retries)
        }
    }

    /// The retries counted so far, as the ledger's warnings.
    static func warnings(_ stats: ExtractStats) -> Warnings {
        let now = stats.snapshot
        var warnings = Warnings()
        for (kind, count) in now.throttles where count > 0 {
            warnings.add("retried requests", kind, count: count)
        }
        if now.waitedSeconds > 0 {
            warnings.add("seconds waited before retrying", String(format: "%.1f", now.waitedSeconds))
        }
        return warnings
    }

    private func run(
        _ key: PartitionKey, source kind: SourceKind, today: CalendarDate, retries: ExtractStats
    ) async -> PartitionOutcome {
        let started = Date()
        var request = LoadRequest(
            scope: key.scope, period: key.period, metric: key.metric, source: kind.rawValue, parts: [],
            maxRejectedFraction: maxRejectedFraction, isCancelled: isCancelled)
        if let loadProgress { request.progress = { loadProgress($0) } }
        let ledger = database
        let folder: PrivateFolder
        do {
            folder = try PrivateFolder()
        } catch {
            return .failed(error: error.description, loadId: nil)
        }
        defer { folder.remove() }
        // What this partition's requests waited for so far, for the ledger; set, not added,
        // so calling it again (a fallback, a failure after the fetch) counts nothing twice.
        func recordRetries() {
            request.extraWarnings = PartitionJob.warnings(retries)
        }
        do {
            let previous = try ledger.lastGoodLoad(scope: key.scope, period: key.period, metric: key.metric)
            let source = try session.source(kind, for: key.scope)
            var fetched: SourceFetch
            let streamable =
                session.settings.streamDownloads
                ? try await source.requestStreamable(
                    scope: key.scope, period: key.period, metric: key.metric, today: today) : nil
            if let report = streamable, report.noDataReason == nil, !report.blobs.isEmpty {
                var streamedRequest = request
                streamedRequest.sourceDetail = PartitionJob.json(
                    report.detail.merging(
                        ["blobs": report.blobs.map { Redaction.redact(url: $0.link) }.joined(separator: " ")]
                    ) { a, _ in a })
                recordRetries()
                // The blobs download while the rows are read: their retries are counted when
                // the last row is in, all of the partition's at once.
                streamedRequest.extraWarnings = Warnings()
                streamedRequest.lateWarnings = { PartitionJob.warnings(retries) }
                if let outcome = try await runStreamed(
                    report, request: streamedRequest, previousHash: previous?.contentHash, folder: folder)
                {
                    return outcome
                }
                // The links were refused before any data came: a fresh report, the usual way.
                folder.removeAll()
                fetched = try await source.fetch(
                    scope: key.scope, period: key.period, metric: key.metric, previousETag: previous?.etag,
                    today: today, into: folder)
            } else if let report = streamable {
                fetched = SourceFetch(detail: report.detail, noDataReason: report.noDataReason)
            } else {
                fetched = try await source.fetch(
                    scope: key.scope, period: key.period, metric: key.metric, previousETag: previous?.etag,
                    today: today, into: folder)
            }
            var detail = fetched.detail
            if let reason = fetched.noDataReason { detail["noData"] = reason }
            if !fetched.files.isEmpty { detail["blobs"] = fetched.files.map(\.source).joined(separator: " ") }
            request.sourceDetail = PartitionJob.json(detail)
            recordRetries()
            if fetched.notModified {
                let id = try await turns.inTurn(request) {
                    try ledger.recordUnchanged($0, contentHash: previous?.contentHash ?? "", started: started)
                }
                return .unchanged(loadId: id)
            }
            request.parts = fetched.files.map { LoadPart.file($0.path) }
            let hash = try ContentHash.compute(request.parts)
            if let previous, previous.contentHash == hash {
                let id = try await turns.inTurn(request) {
                    try ledger.recordUnchanged($0, contentHash: hash, started: started)
                }
                logger.info("unchanged", metadata: ["partition": "\(key)"])
                return .unchanged(loadId: id)
            }
            let (store, logger) = (database, logger)
            let summary = try await turns.inTurn(request) { try PartitionLoader(store: store, logger: logger).load($0) }
            return .loaded(summary)
        } catch let error as LoadError {
            // The loader has recorded its own failure.
            return .failed(error: scrub(error.description), loadId: nil)
        } catch {
            recordRetries()
            let message = scrub((error as? ExtractError)?.description ?? String(describing: error))
            let id = try? await turns.inTurn(request) { try ledger.recordFailure($0, error: message, started: started) }
            return .failed(error: message, loadId: id)
        }
    }

    /// Loads a report while its blobs download. Returns nil when the download was refused
    /// as an expired link before any byte arrived (no load was begun: the caller asks for a
    /// fresh report); throws the download's error when it failed before any byte for
    /// another reason.
    private func runStreamed(
        _ report: StreamableReport, request: LoadRequest, previousHash: String?, folder: PrivateFolder
    ) async throws -> PartitionOutcome? {
        let spools = CostDetailsClient.spools(for: report.blobs, in: folder)
        let download = Task { () async -> ExtractError? in
            do throws(ExtractError) {
                _ = try await report.download(folder, spools)
                return nil
            } catch {
                return error
            }
        }
        // The download is not a child task: cancelling this one (SIGINT) must reach it.
        return try await withTaskCancellationHandler {
            try await loadStreamed(
                request, spools: spools, blobs: report.blobs, download: download, previousHash: previousHash)
        } onCancel: {
            download.cancel()
        }
    }

    private func loadStreamed(
        _ request: LoadRequest, spools: [Spool], blobs: [ReportBlob], download: Task<ExtractError?, Never>,
        previousHash: String?
    ) async throws -> PartitionOutcome? {
        while !spools[0].hasDataOrEnded {
            try? await Task.sleep(nanoseconds: 5_000_000)
        }
        if spools[0].failedBeforeData, let error = await download.value {
            if error.isExpiredLink { return nil }
            throw error
        }
        var request = request
        request.parts = zip(spools, blobs).map { LoadPart.spool($0, size: $1.byteCount) }
        request.unchangedHash = previousHash
        request.abandon = { for spool in spools { spool.abandon() } }
        let (store, logger) = (database, logger)
        let loaded: Result<LoadSummary, LoadError> = await turns.run { [request = Handoff(request)] in
            do throws(LoadError) {
                return .success(try PartitionLoader(store: store, logger: logger).load(request.value))
            } catch {
                return .failure(error)
            }
        }
        // A load that ended early abandoned the spools; a download stalled mid-body is
        // cancelled too, so it cannot hold the run.
        if case .failure = loaded { download.cancel() }
        if let error = await download.value, error != .cancelled {
            logger.info("download ended", metadata: ["error": "\(scrub(error.description))"])
        }
        let summary = try loaded.get()
        return summary.status == .unchanged ? .unchanged(loadId: summary.loadId) : .loaded(summary)
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

/// Hands a value that is not Sendable (a load request holds closures) to the one thread
/// that uses it next; the sender does not touch it again.
struct Handoff<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
