import CostwhLoad
import CostwhModel
import Foundation
import Logging

/// `costwh copy`: moves a warehouse between stores (SQLite to PostgreSQL, or back) without
/// asking Azure again. Every current partition is copied as one load of the destination,
/// atomically (the store's own partition swap), with its rejected rows; the source's content
/// hash travels with it, so a second run skips what is already there: an interrupted copy
/// resumes where it stopped.
package struct CopyOptions {
    package var from: String
    package var to: String
    package var scope: Scope?
    package var isCancelled: @Sendable () -> Bool

    package init(from: String, to: String, scope: Scope? = nil, isCancelled: @escaping @Sendable () -> Bool = { false })
    {
        self.from = from
        self.to = to
        self.scope = scope
        self.isCancelled = isCancelled
    }
}

package struct CopiedPartition: Sendable {
    package enum Outcome: String, Sendable {
        case copied
        /// The destination already holds the same content (an earlier, interrupted copy).
        case alreadyThere = "already there"
    }

    package let scope: String
    package let period: String
    package let metric: String
    package let outcome: Outcome
    package let rows: Int
    package let cost: Double
}

package enum Copy {
    /// Rows per batch handed to the destination.
    static let pageSize = 1_024

    package static func run(
        _ options: CopyOptions, logger: Logger, progress: ((CopiedPartition) -> Void)? = nil
    ) throws(PipelineError) -> [CopiedPartition] {
        guard options.from != options.to else { throw .usage("--from and --to name the same warehouse") }
        let source = try DatabaseLocation.open(options.from)
        let destination = try DatabaseLocation.open(options.to)
        let shownSource = DatabaseLocation.printable(options.from)
        do {
            try destination.recoverAbandoned(logger: logger)
            try destination.purgeReplacedLoads()
            let partitions = try source.reading { reader in
                try reader.read(
                    """
                    SELECT p.Scope, p.BillingPeriod, p.Metric, p.LoadId, p.RowCount, p.CostTotal, l.ContentHash,
                           l.Source, l.SourceDetail, l.Dialect
                    FROM partitions p JOIN loads l ON l.LoadId = p.LoadId
                    WHERE (:scope IS NULL OR p.Scope = :scope)
                    ORDER BY p.Scope, p.BillingPeriod, p.Metric
                    """, ["scope": StoreValue(options.scope?.id)])
            }
            var out: [CopiedPartition] = []
            for i in partitions.rows.indices {
                if options.isCancelled() { throw LoadError.interrupted }
                func value(_ column: String) -> StoreValue { partitions.value(i, column) }
                let scope = try Scope(parsing: value("Scope").string ?? "")
                let period = try BillingPeriod(parsing: value("BillingPeriod").string ?? "")
                let metric = try Metric(parsing: value("Metric").string ?? "")
                let hash = value("ContentHash").string
                let done: CopiedPartition
                if let hash,
                    try destination.lastGoodLoad(scope: scope, period: period, metric: metric)?.contentHash == hash
                {
                    done = CopiedPartition(
                        scope: scope.id, period: period.description, metric: metric.rawValue, outcome: .alreadyThere,
                        rows: value("RowCount").int ?? 0, cost: value("CostTotal").double ?? 0)
                } else {
                    var detail: [String: Any] = [
                        "from": shownSource, "loadId": value("LoadId").int ?? 0,
                        "source": value("Source").string ?? "",
                    ]
                    if let original = value("SourceDetail").string { detail["sourceDetail"] = original }
                    let json = try JSONSerialization.data(
                        withJSONObject: detail, options: [.sortedKeys, .withoutEscapingSlashes])
                    let summary = try copyPartition(
                        from: source, loadId: Int64(value("LoadId").int ?? 0), to: destination,
                        request: LoadRequest(
                            scope: scope, period: period, metric: metric, source: "copy",
                            sourceDetail: String(decoding: json, as: UTF8.self), parts: [],
                            isCancelled: options.isCancelled),
                        contentHash: hash, dialect: value("Dialect").string, logger: logger)
                    done = CopiedPartition(
                        scope: scope.id, period: period.description, metric: metric.rawValue, outcome: .copied,
                        rows: summary.rowsLoaded, cost: summary.costTotal)
                }
                progress?(done)
                out.append(done)
            }
            try destination.purgeReplacedLoads()
            return out
        } catch let error as PipelineError {
            throw error
        } catch let error as LoadError {
            throw .load(error)
        } catch {
            throw .load(.sourceFailed(part: "copy", reason: String(describing: error)))
        }
    }

    /// One partition: the source's rows, read in pages on one snapshot, written through the
    /// destination's partition swap; a failure leaves the destination's partition as it was.
    static func copyPartition(
        from source: any CostStore, loadId: Int64, to destination: any CostStore, request: LoadRequest,
        contentHash: String?, dialect: String?, logger: Logger
    ) throws -> LoadSummary {
        let started = Date()
        let newId = try destination.beginLoad(request, at: started)
        var summary = LoadSummary(
            loadId: newId, scope: request.scope, period: request.period, metric: request.metric, status: .running)
        let rejects = RejectBuffer()
        do {
            summary = try destination.replacePartition(request, loadId: newId, rejects: rejects) { writer in
                var done = summary
                try source.reading { reader in
                    try reader.forEachPage(
                        "SELECT Source, LineNumber, RawText, Reason FROM rejected_rows WHERE LoadId = :load",
                        ["load": .integer(loadId)], pageSize: 1_000
                    ) { page in
                        for row in page.rows {
                            rejects.add(
                                source: row[0].string ?? "", line: row[1].int ?? 0, raw: row[2].string ?? "",
                                reason: row[3].string ?? "")
                            done.rowsRejected += 1
                        }
                    }
                    var rows: StoredRows?
                    let batch = RowBatch()
                    let summaries = SummaryBuilder()
                    try reader.forEachPage(
                        "SELECT * FROM cost_details_wide WHERE LoadId = :load", ["load": .integer(loadId)],
                        pageSize: Copy.pageSize
                    ) { page in
                        if rows == nil { rows = try StoredRows(columns: page.columns) }
                        batch.reset()
                        rows!.append(page.rows[...], to: batch)
                        if batch.count > 0 {
                            summaries.add(batch)
                            try writer.write(batch)
                        }
                        done.rowsRead += batch.count
                        if request.isCancelled() { throw LoadError.interrupted }
                    }
                    writer.summarise(summaries)
                }
                done.rowsRead += done.rowsRejected
                done.contentHash = contentHash
                done.dialects = dialect.map { [$0] } ?? []
                done.seconds = Date().timeIntervalSince(started)
                return done
            }
        } catch {
            summary.status = .failed
            summary.error = String(describing: error)
            try? destination.closeFailedLoad(&summary, rejects: rejects)
            throw error
        }
        logger.info(
            "partition copied",
            metadata: [
                "partition": "\(request.scope.id) \(request.period) \(request.metric.rawValue)",
                "rows": "\(summary.rowsLoaded)",
            ])
        return summary
    }
}
