import CostwhExtract
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
        var summary = LoadSummary(loadId: loadId, scope: request.scope, period: request.period, metric: request.metric, status: .running)
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
            logger.error("load failed", metadata: ["error": "\(loadError.description)"])
            throw loadError
        }
        if summary.replacedLoadId != nil {
            try Ledger(database: database).purgeReplacedLoads()
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
        case let e as TransformError: return .sourceFailed(part: "", reason: e.description)
        case let e as ExtractError: return .sourceFailed(part: "", reason: e.description)
        default: return .database(reason: CostDatabase.describe(error))
        }
    }

    // MARK: the write

    /// An empty blob among several adds nothing, not even a header, and is skipped; a
    /// lone empty file is refused.
    private static func openCSV(_ source: HashingByteSource, part: LoadPart, onlyPart: Bool) throws -> CostFileReader? {
        let result: Result<CostFileReader, TransformError> = Result { () throws(TransformError) -> CostFileReader in
            try CostFileReader(source: source)
        }
        switch result {
        case .success(let file): return file
        case .failure(let error):
            if case .emptyFile = error, !onlyPart { return nil }
            throw error
        }
    }

    private func write(
        _ request: LoadRequest, loadId: Int64, into db: Database, summary: inout LoadSummary, rejects: RejectBuffer
    ) throws {
        let sink = try FactSink(db)
        var partDigests: [UInt64] = []
        var currencies: [[UInt8]] = []
        for (partIndex, part) in request.parts.enumerated() {
            let source: HashingByteSource
            do {
                source = HashingByteSource(try part.open())
            } catch {
                throw LoadError.sourceFailed(part: part.name, reason: error.description)
            }
            guard let file = try PartitionLoader.openCSV(source, part: part, onlyPart: request.parts.count == 1) else {
                partDigests.append(source.digest)
                continue
            }
            let normaliser = file.normaliser
            var rowsInPart = 0
            while let outcome = try file.next() {
                summary.rowsRead += 1
                rowsInPart += 1
                var reason: String?
                switch outcome {
                case .rejected(let why):
                    reason = why
                case .row:
                    reason = try sink.insert(normaliser, part: partIndex, line: file.csv.lineNumber)
                    if reason == nil {
                        summary.rowsLoaded += 1
                        summary.costTotal += normaliser.cost
                        let currency = normaliser.values[sink.currencyColumn]
                        if let base = currency.base, !currencies.contains(where: { $0.elementsEqual(UnsafeBufferPointer(start: base, count: currency.count)) }), currencies.count < 32 {
                            currencies.append(Array(UnsafeBufferPointer(start: base, count: currency.count)))
                        }
                    }
                }
                if let reason {
                    summary.rowsRejected += 1
                    rejects.add(source: part.name, line: file.csv.lineNumber, raw: file.csv.recordText(), reason: reason)
                }
                if rowsInPart & 0xFFFF == 0 {
                    if request.isCancelled() { throw LoadError.interrupted }
                    request.progress?(LoadProgress(part: part.name, bytes: file.csv.bytesConsumed, rows: summary.rowsRead))
                }
            }
            if request.isCancelled() { throw LoadError.interrupted }
            summary.warnings.merge(normaliser.warnings)
            summary.bytesRead += source.byteCount
            partDigests.append(source.digest)
        }
        summary.firstRowId = sink.firstRowId
        summary.lastRowId = sink.lastRowId
        try sink.summaries.write(db, loadId: loadId, firstRowId: sink.firstRowId, lastRowId: sink.lastRowId)
        summary.contentHash = ContentHash.combine(partDigests)
        summary.currencies = currencies.map { String(decoding: $0, as: UTF8.self) }.sorted()
    }
}
