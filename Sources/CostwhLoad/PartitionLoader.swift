import CostwhBytes
import CostwhModel
import CostwhTransform
import Foundation
import GRDB
import Logging

/// Replaces one partition (scope, billing period, metric) with the rows of its files.
///
/// All rows, the partition pointer and the ledger entry are written in one transaction,
/// so a reader sees the whole old partition or the whole new one, and a crash at any
/// moment leaves the old one. Rows of the replaced load are purged after the commit; they
/// are invisible through `cost_details` from the moment the pointer moves.
public final class PartitionLoader: Sendable {
    public let database: CostDatabase
    let logger: Logger

    public init(database: CostDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Runs a load. A load that fails is recorded in the ledger and then thrown.
    public func load(_ request: LoadRequest) throws(LoadError) -> LoadSummary {
        let started = Date()
        try Ledger(database: database).recoverAbandoned(logger: logger)
        try Ledger(database: database).purgeReplacedLoads()
        let loadId = try Ledger(database: database).begin(request, at: started)
        var summary = LoadSummary(
            loadId: loadId, scope: request.scope, period: request.period, metric: request.metric, status: .running)
        summary.warnings.merge(request.extraWarnings)
        var logger = self.logger
        logger[metadataKey: "load"] = "\(loadId)"
        logger[metadataKey: "partition"] = "\(request.scope.id) \(request.period) \(request.metric.rawValue)"
        let rejects = RejectBuffer()
        do {
            try database.pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try self.write(request, loadId: loadId, into: db, summary: &summary, rejects: rejects)
                    if summary.rowsRead > 0,
                        Double(summary.rowsRejected) > request.maxRejectedFraction * Double(summary.rowsRead)
                    {
                        throw LoadError.tooManyRejected(
                            rejected: summary.rowsRejected, read: summary.rowsRead, limit: request.maxRejectedFraction)
                    }
                    summary.seconds = Date().timeIntervalSince(started)
                    summary.status = .succeeded
                    try rejects.flush(db, loadId: loadId, warnings: &summary.warnings)
                    summary.replacedLoadId = try Ledger.commitPartition(db, summary: summary)
                    return .commit
                }
            }
        } catch {
            let loadError = PartitionLoader.wrap(error)
            summary.status = .failed
            summary.error = loadError.description
            summary.seconds = Date().timeIntervalSince(started)
            try? database.pool.writeWithoutTransaction { db in
                try db.inTransaction(.immediate) {
                    try rejects.flush(db, loadId: loadId, warnings: &summary.warnings)
                    try Ledger.finish(db, summary: summary)
                    return .commit
                }
            }
            logger.info("load failed", metadata: ["error": "\(loadError.description)"])
            throw loadError
        }
        logger.info(
            "load finished",
            metadata: [
                "rows": "\(summary.rowsLoaded)", "rejected": "\(summary.rowsRejected)",
                "cost": "\(summary.costTotal)", "seconds": "\(summary.seconds)",
            ])
        return summary
    }

    static func wrap(_ error: any Error) -> LoadError {
        switch error {
        case let e as LoadError: return e
        case let e as TransformError:
            if case .source(let bytes) = e { return .sourceFailed(part: "", reason: bytes.description) }
            return .unreadableInput(part: "", error: e)
        case let e as BytesError: return .sourceFailed(part: "", reason: e.description)
        default: return .database(reason: CostDatabase.describe(error))
        }
    }

    // MARK: the write

    /// Parses on a second thread while this one writes; see `RowProducer`.
    private func write(
        _ request: LoadRequest, loadId: Int64, into db: Database, summary: inout LoadSummary, rejects: RejectBuffer
    ) throws {
        // The rows of the load being replaced go first, in this same transaction: readers
        // that started earlier still see them (WAL keeps their snapshot), a rollback brings
        // them back, and the new rows reuse their pages, so a reload writes little more
        // than a fresh load does.
        let previous = try Row.fetchOne(
            db,
            sql:
                "SELECT LoadId, FirstRowId, LastRowId FROM partitions WHERE Scope = ? AND BillingPeriod = ? AND Metric = ?",
            arguments: [request.scope.id, request.period.description, request.metric.rawValue])
        if let previous {
            try LoadPurge.purge(
                db, loadId: previous["LoadId"], firstRowId: previous["FirstRowId"], lastRowId: previous["LastRowId"])
        }
        let sink = try FactSink(db)
        let channel = BatchChannel()
        RowProducer(parts: request.parts, options: request.readOptions, channel: channel).start()
        var parserDone = false
        // However this ends, the parser must stop and release its file.
        defer {
            if !parserDone {
                channel.stop()
                drain(channel)
            }
        }
        var digests = [UInt64?](repeating: nil, count: request.parts.count)
        var batches = 0
        loop: while true {
            switch channel.receive() {
            case .batch(let batch):
                for (part, line, raw, reason) in batch.rejected {
                    rejects.add(source: request.parts[part].name, line: line, raw: raw, reason: reason)
                }
                summary.rowsRead += batch.count + batch.rejected.count
                summary.rowsRejected += batch.rejected.count
                for i in 0..<batch.count { try sink.insert(batch, i) }
                let part = batch.count > 0 ? Int(batch.parts[0]) : (batch.rejected.first?.part ?? 0)
                let bytes = batch.bytesConsumed
                channel.recycle(batch)
                batches += 1
                if request.isCancelled() { throw LoadError.interrupted }
                if batches % 16 == 0 {
                    request.progress?(
                        LoadProgress(part: request.parts[part].name, bytes: bytes, rows: summary.rowsRead))
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
                break loop
            }
        }
        if request.isCancelled() { throw LoadError.interrupted }
        summary.rowsLoaded = sink.rowsLoaded
        summary.costTotal = sink.costTotal
        summary.firstRowId = sink.firstRowId
        summary.lastRowId = sink.lastRowId
        try sink.summaries.write(db, loadId: loadId, firstRowId: sink.firstRowId, lastRowId: sink.lastRowId)
        summary.contentHash = ContentHash.combine(digests.map { $0 ?? 0 })
        summary.currencies = sink.currencies.map { String(decoding: $0, as: UTF8.self) }.sorted()
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
