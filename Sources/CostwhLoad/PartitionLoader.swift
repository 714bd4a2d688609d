import CostwhBytes
import CostwhModel
import CostwhTransform
import Foundation
import Logging

/// Replaces one partition (scope, billing period, metric) with the rows of its files.
///
/// All rows, the partition pointer and the ledger entry are written in one transaction,
/// so a reader sees the whole old partition or the whole new one, and a crash at any
/// moment leaves the old one. Rows of the replaced load are purged after the commit; they
/// are invisible through `cost_details` from the moment the pointer moves.
package final class PartitionLoader: Sendable {
    let store: any CostStore
    let logger: Logger

    package init(store: any CostStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Runs a load. A load that fails is recorded in the ledger and then thrown.
    package func load(_ request: LoadRequest) throws(LoadError) -> LoadSummary {
        let started = Date()
        let loadId: Int64
        do {
            try store.recoverAbandoned(logger: logger)
            try store.purgeReplacedLoads()
            loadId = try store.beginLoad(request, at: started)
        } catch {
            // Failed before its ledger row existed: record one all the same, so `costwh runs`
            // and the job's summary show the failure (the store may be unreachable: best effort).
            _ = try? store.recordFailure(request, error: error.description, started: started)
            throw error
        }
        var summary = LoadSummary(
            loadId: loadId, scope: request.scope, period: request.period, metric: request.metric, status: .running)
        summary.warnings.merge(request.extraWarnings)
        var logger = self.logger
        logger[metadataKey: "load"] = "\(loadId)"
        logger[metadataKey: "partition"] = "\(request.scope.id) \(request.period) \(request.metric.rawValue)"
        let rejects = RejectBuffer()
        do {
            summary = try store.replacePartition(request, loadId: loadId, rejects: rejects) { writer in
                try self.feed(request, to: writer, summary: &summary, rejects: rejects)
                if let late = request.lateWarnings { summary.warnings.merge(late()) }
                try PeriodCheck.check(summary, request)
                if let previous = request.unchangedHash, summary.contentHash == previous { throw SameContent() }
                try PartitionLoader.checkRejectedShare(summary, request)
                summary.seconds = Date().timeIntervalSince(started)
                return summary
            }
        } catch is SameContent {
            // Read while it arrived, the report turned out to be the loaded one: the
            // transaction rolled back, and the ledger says unchanged, as it does when the
            // hash is known before loading.
            return try closeUnchanged(&summary, started: started, logger: logger)
        } catch {
            throw PartitionLoader.closeFailed(
                error, summary: &summary, started: started, rejects: rejects, store: store, logger: logger)
        }
        logger.info(
            "load finished",
            metadata: [
                "rows": "\(summary.rowsLoaded)", "rejected": "\(summary.rowsRejected)",
                "cost": "\(summary.costTotal)", "seconds": "\(summary.seconds)",
            ])
        return summary
    }

    private struct SameContent: Error {}

    private func closeUnchanged(
        _ summary: inout LoadSummary, started: Date, logger: Logger
    ) throws(LoadError) -> LoadSummary {
        summary.status = .unchanged
        summary.rowsRead = 0
        summary.rowsLoaded = 0
        summary.rowsRejected = 0
        summary.currencies = []
        summary.seconds = Date().timeIntervalSince(started)
        do {
            try store.closeFailedLoad(&summary, rejects: RejectBuffer())
        } catch {
            throw PartitionLoader.wrap(error)
        }
        logger.info("unchanged", metadata: ["seconds": "\(summary.seconds)"])
        return summary
    }

    /// Fails a load that rejected more than its share of rows (the partition keeps its data).
    static func checkRejectedShare(_ summary: LoadSummary, _ request: LoadRequest) throws(LoadError) {
        if summary.rowsRead > 0, Double(summary.rowsRejected) > request.maxRejectedFraction * Double(summary.rowsRead) {
            throw .tooManyRejected(
                rejected: summary.rowsRejected, read: summary.rowsRead, limit: request.maxRejectedFraction)
        }
    }

    /// Closes a failed load's ledger row, with its rejected rows, and returns the error to throw.
    static func closeFailed(
        _ error: any Error, summary: inout LoadSummary, started: Date, rejects: RejectBuffer, store: any CostStore,
        logger: Logger
    ) -> LoadError {
        let loadError = wrap(error)
        summary.status = .failed
        summary.error = loadError.description
        summary.seconds = Date().timeIntervalSince(started)
        try? store.closeFailedLoad(&summary, rejects: rejects)
        logger.info("load failed", metadata: ["error": "\(loadError.description)"])
        return loadError
    }

    static func wrap(_ error: any Error) -> LoadError {
        switch error {
        case let e as LoadError: return e
        case let e as TransformError:
            if case .source(let bytes) = e { return .sourceFailed(part: "", reason: bytes.description) }
            return .unreadableInput(part: "", error: e)
        case let e as BytesError: return .sourceFailed(part: "", reason: e.description)
        default: return .database(error)
        }
    }

    // MARK: the feed

    /// Parses on a second thread while this one hands batches to the store; see `RowProducer`.
    private func feed(
        _ request: LoadRequest, to writer: any BatchWriter, summary: inout LoadSummary, rejects: RejectBuffer
    ) throws {
        let channel = BatchChannel()
        let producer = RowProducer(parts: request.parts, options: request.readOptions, channel: channel)
        producer.start()
        var parserDone = false
        // However this ends, the parser must stop and release its file.
        defer {
            if !parserDone {
                channel.stop()
                // A part still arriving must not keep the parser waiting for its bytes.
                request.abandon()
                drain(channel)
            }
        }
        var digests = [UInt64?](repeating: nil, count: request.parts.count)
        let sizes = request.parts.map { $0.meter == nil ? nil : $0.size }
        let totalBytes = sizes.contains(nil) ? nil : sizes.reduce(0) { $0 + $1! }
        var batches = 0
        loop: while true {
            switch channel.receive() {
            case .batch(let batch):
                for (part, line, raw, reason) in batch.rejected {
                    rejects.add(source: request.parts[part].name, line: line, raw: raw, reason: reason)
                }
                summary.rowsRead += batch.count + batch.rejected.count
                summary.rowsRejected += batch.rejected.count
                try writer.write(batch)
                let part = batch.count > 0 ? Int(batch.parts[0]) : (batch.rejected.first?.part ?? 0)
                let bytes = batch.bytesConsumed
                channel.recycle(batch)
                batches += 1
                if request.isCancelled() { throw LoadError.interrupted }
                if batches % 16 == 0 {
                    request.progress?(
                        LoadProgress(
                            part: request.parts[part].name, bytes: bytes, rows: summary.rowsRead,
                            readBytes: request.parts.reduce(0) { $0 + ($1.meter?.bytes ?? 0) },
                            totalBytes: totalBytes))
                }
            case .partEnded(let part, let digest, let bytes, let warnings, let dialect, _):
                digests[part] = digest
                summary.bytesRead += bytes
                summary.warnings.merge(warnings)
                if let dialect, !summary.dialects.contains(dialect.summary) { summary.dialects.append(dialect.summary) }
            case .failed(let error):
                parserDone = true
                throw error
            case .finished:
                parserDone = true
                writer.summarise(producer.summaries)
                break loop
            }
        }
        if request.isCancelled() { throw LoadError.interrupted }
        summary.contentHash = ContentHash.combine(digests.map { $0 ?? 0 })
    }

    /// Waits for the parser to notice the stop, so no thread outlives the load.
    private func drain(_ channel: BatchChannel) {
        while true {
            switch channel.receive() {
            case .batch(let batch): channel.recycle(batch)
            case .partEnded: continue
            case .failed, .finished: return
            }
        }
    }
}
