import CostwhExtract
import CostwhLoad
import CostwhModel
import Foundation
import Logging

/// Extracts one partition of a dataset other than cost details and loads it, with the same
/// rules as `PartitionJob`: an answer identical to the last load's is recorded as unchanged,
/// an empty one empties the partition, a failure leaves the previous rows.
struct DatasetJob {
    let session: ExtractSession
    let database: any CostStore
    let logger: Logger
    let maxRejectedFraction: Double
    let isCancelled: @Sendable () -> Bool
    /// Shared with the run's cost-details partitions: one load at a time.
    var turns = LoadTurns()

    func run(_ key: PartitionKey) async -> PartitionOutcome {
        let started = Date()
        var request = LoadRequest(
            scope: key.scope, period: key.period, metric: key.metric, source: key.dataset.rawValue, parts: [],
            maxRejectedFraction: maxRejectedFraction, isCancelled: isCancelled)
        request.dataset = key.dataset
        let folder: PrivateFolder
        do { folder = try PrivateFolder() } catch { return .failed(error: error.description, loadId: nil) }
        defer { folder.remove() }
        do {
            let previous = try database.lastGoodLoad(scope: key.scope, period: key.period, dataset: key.dataset)
            let fetched = try await session.datasetClient(for: key.scope).fetch(
                key.dataset, scope: key.scope, period: key.period, into: folder)
            var detail: [String: String] = [:]
            if let id = fetched.reportId { detail["report"] = id }
            if let reason = fetched.noDataReason { detail["noData"] = reason }
            if !fetched.files.isEmpty { detail["sources"] = fetched.files.map(\.source).joined(separator: " ") }
            request.sourceDetail = PartitionJob.json(detail)
            request.parts = fetched.files.map { LoadPart.file($0.path) }
            let hash = try ContentHash.compute(request.parts)
            let (store, logger) = (database, logger)
            if let previous, previous.contentHash == hash {
                let id = try await turns.inTurn(request) {
                    try store.recordUnchanged($0, contentHash: hash, started: started)
                }
                return .unchanged(loadId: id)
            }
            return .loaded(try await turns.inTurn(request) { try DatasetLoader(store: store, logger: logger).load($0) })
        } catch let error as LoadError {
            return .failed(error: scrub(error.description), loadId: nil)
        } catch {
            let message = scrub((error as? ExtractError)?.description ?? String(describing: error))
            let store = database
            let id = try? await turns.inTurn(request) { try store.recordFailure($0, error: message, started: started) }
            return .failed(error: message, loadId: id)
        }
    }

    func scrub(_ text: String) -> String { Redaction.scrub(text, secrets: session.secrets) }
}
