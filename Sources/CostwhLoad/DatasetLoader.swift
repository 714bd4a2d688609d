import CostwhBytes
import CostwhModel
import CostwhTransform
import Foundation
import Logging

/// Loads the files of a dataset other than cost details into its partition (scope, billing
/// period, dataset), with the same ledger, rejected rows and all-or-nothing replacement as
/// `PartitionLoader`. Dataset files are small next to cost details (a price sheet is the
/// largest), so they are read on the calling thread.
package final class DatasetLoader: Sendable {
    let store: any CostStore
    let logger: Logger

    package init(store: any CostStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    package func load(_ request: LoadRequest) throws(LoadError) -> LoadSummary {
        precondition(request.dataset != .costDetails, "cost details load through PartitionLoader")
        let started = Date()
        try store.recoverAbandoned(logger: logger)
        let loadId = try store.beginLoad(request, at: started)
        var summary = LoadSummary(
            loadId: loadId, scope: request.scope, period: request.period, metric: request.metric, status: .running)
        summary.dataset = request.dataset
        summary.warnings.merge(request.extraWarnings)
        let schema = DatasetSchema.of(request.dataset)
        let rejects = RejectBuffer()
        do {
            summary = try store.replaceDataset(request, loadId: loadId, schema: schema, rejects: rejects) { writer in
                var digests: [UInt64] = []
                for (index, part) in request.parts.enumerated() {
                    let source = HashingByteSource(try part.open())
                    try DatasetReader.read(
                        source, part: index, schema: schema,
                        row: { record in
                            try writer.write(record)
                            summary.rowsRead += 1
                            if summary.rowsRead % 4096 == 0, request.isCancelled() { throw LoadError.interrupted }
                        },
                        reject: { rejection in
                            rejects.add(
                                source: part.name, line: rejection.line, raw: rejection.raw, reason: rejection.reason)
                            summary.rowsRead += 1
                            summary.rowsRejected += 1
                        })
                    digests.append(source.digest)
                    summary.bytesRead += source.byteCount
                }
                if request.isCancelled() { throw LoadError.interrupted }
                try PartitionLoader.checkRejectedShare(summary, request)
                summary.contentHash = ContentHash.combine(digests)
                summary.seconds = Date().timeIntervalSince(started)
                return summary
            }
        } catch {
            throw PartitionLoader.closeFailed(
                error, summary: &summary, started: started, rejects: rejects, store: store, logger: logger)
        }
        logger.info(
            "dataset load finished",
            metadata: [
                "dataset": "\(request.dataset.rawValue)", "rows": "\(summary.rowsLoaded)",
                "rejected": "\(summary.rowsRejected)",
            ])
        return summary
    }
}
