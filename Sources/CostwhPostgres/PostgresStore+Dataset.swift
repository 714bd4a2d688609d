import CostwhLoad
import CostwhModel
import CostwhTransform
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// The other datasets on PostgreSQL. The rows are copied into the dataset's table with the
/// new LoadId, where no view shows them until the partition points at the load; one short
/// transaction then moves the pointer, rebuilds list prices, and writes the rejected rows and
/// the ledger row. A failed load's rows are deleted; a dead load's by the next run.
extension PostgresStore {
    package func replaceDataset(
        _ request: LoadRequest, loadId: Int64, schema: DatasetSchema, rejects: RejectBuffer,
        feed: (any DatasetWriter) throws -> LoadSummary
    ) throws -> LoadSummary {
        let logger = driverLogger
        defer { releaseLoadLock(loadId) }
        PhaseProbe.mark("transaction")
        let writer = PostgresDatasetWriter(loadId: loadId)
        var done: LoadSummary
        do {
            done = try streamCopy(
                into: schema.table, columns: DatasetSQL.copyColumns(schema), connect: { writer.pipe = $0 },
                flush: { try writer.flush() }, feed: { try feed(writer) })
        } catch {
            _ = try? run(
                "removing the failed load's rows", "DELETE FROM \(schema.table) WHERE LoadId = $1", [.integer(loadId)])
            throw error
        }
        done.rowsLoaded = writer.rows
        done.status = .succeeded
        let rejected = rejects.drain(warnings: &done.warnings)
        let final = done
        var key: [String: StoreValue] = [
            "scope": .text(request.scope.id), "period": .text(request.period.description),
            "dataset": .text(request.dataset.rawValue), "load": .integer(loadId),
            "rows": .integer(Int64(writer.rows)), "now": .text(Ledger.now()),
        ]
        if schema.dataset == .priceSheet, let listKey = DatasetSQL.listPriceKey(request.scope) {
            key["key"] = .text(listKey)
        }
        let values = key
        let replaced = try withConnection("swapping in the dataset") { connection -> Int64? in
            try await connection.withTransaction(logger: logger) { connection -> Int64? in
                try await PostgresSQL.run(connection, "SET LOCAL lock_timeout = '30s'", logger: logger)
                @discardableResult func named(_ sql: String) async throws -> ResultTable {
                    try await PostgresSQL.statement(connection, sql, values, logger: logger)
                }
                let previous = try await named(DatasetSQL.previous + " FOR UPDATE").rows.first?[0].int.map(Int64.init)
                try await named(DatasetSQL.point)
                if values["key"] != nil {
                    for sql in DatasetSQL.listPrices { try await named(sql) }
                }
                try await PostgresStore.writeRejected(connection, loadId: loadId, rejected, logger: logger)
                try await PostgresSQL.statement(
                    connection, Ledger.finishSQL, Ledger.finishParameters(final), logger: logger)
                PhaseProbe.mark("commit")
                return previous
            }
        }
        PhaseProbe.mark("committed")
        if let replaced {
            // Readers that started earlier keep their snapshot; the rows go for everyone else.
            _ = try? run(
                "removing the replaced load's rows", "DELETE FROM \(schema.table) WHERE LoadId = $1",
                [.integer(replaced)])
            _ = try? run(
                "marking the replaced load purged", "UPDATE loads SET PurgedAt = $1 WHERE LoadId = $2",
                [.text(Ledger.now()), .integer(replaced)])
        }
        var summary = final
        summary.replacedLoadId = replaced
        return summary
    }

    /// Deletes the dataset rows of loads that died before their swap.
    func removeRowsOfDeadLoads(_ ids: [Int64], connection: PostgresConnection, logger: Logger) async throws {
        for id in ids {
            for dataset in Dataset.others {
                try await PostgresSQL.run(
                    connection, "DELETE FROM \(DatasetSchema.of(dataset).table) WHERE LoadId = $1", [.integer(id)],
                    logger: logger)
            }
        }
    }
}

/// Encodes dataset rows as COPY text, a chunk at a time.
final class PostgresDatasetWriter: DatasetWriter {
    let loadId: Int64
    var pipe: CopyPipe?
    private var text = CopyText()
    private(set) var rows = 0

    init(loadId: Int64) { self.loadId = loadId }

    func write(_ record: DatasetRecord) throws {
        text.integer(loadId)
        text.integer(Int64(record.part))
        text.integer(Int64(record.line))
        for value in record.values {
            switch value {
            case .null: text.null()
            case .text(let s): text.text(s)
            case .real(let d): text.real(d)
            }
        }
        text.endRow()
        rows += 1
        if text.byteCount >= PostgresBatchWriter.chunk {
            try flush()
            PhaseProbe.mark("insert")
        }
    }

    func flush() throws {
        guard text.byteCount > 0, let pipe else { return }
        try pipe.push(text.take())
    }
}
