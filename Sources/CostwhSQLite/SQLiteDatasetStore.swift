import CostwhLoad
import CostwhModel
import CostwhTransform
import Foundation
import GRDB

/// The other datasets on SQLite: one IMMEDIATE transaction per partition, the replaced
/// load's rows deleted first, as `replacePartition` does cost details.
extension CostDatabase {
    package func lastGoodLoad(
        scope: Scope, period: BillingPeriod, dataset: Dataset
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?)? {
        try SQLiteLedger(database: self).lastGoodLoad(scope: scope, period: period, dataset: dataset)
    }

    package func replaceDataset(
        _ request: LoadRequest, loadId: Int64, schema: DatasetSchema, rejects: RejectBuffer,
        feed: (any DatasetWriter) throws -> LoadSummary
    ) throws -> LoadSummary {
        let summary = try pool.writeWithoutTransaction { db in
            var summary: LoadSummary?
            if PhaseProbe.isActive { db.add(transactionObserver: CommitProbe(), extent: .nextTransaction) }
            try db.inTransaction(.immediate) {
                PhaseProbe.mark("transaction")
                let key: [String: (any DatabaseValueConvertible)?] = [
                    "scope": request.scope.id, "period": request.period.description,
                    "dataset": request.dataset.rawValue,
                ]
                let previous = try Int64.fetchOne(db, sql: DatasetSQL.previous, arguments: StatementArguments(key))
                if let previous {
                    try db.execute(sql: "DELETE FROM \(schema.table) WHERE LoadId = ?", arguments: [previous])
                    try db.execute(
                        sql: "UPDATE loads SET PurgedAt = ? WHERE LoadId = ?", arguments: [Ledger.now(), previous])
                }
                let writer = try SQLiteDatasetWriter(db, schema: schema, loadId: loadId)
                var done = try feed(writer)
                done.rowsLoaded = writer.rows
                done.status = .succeeded
                var point = key
                point["load"] = loadId
                point["rows"] = writer.rows
                point["now"] = Ledger.now()
                try db.execute(sql: DatasetSQL.point, arguments: StatementArguments(point))
                if schema.dataset == .priceSheet, let listKey = DatasetSQL.listPriceKey(request.scope) {
                    for sql in DatasetSQL.listPrices {
                        try db.execute(
                            sql: sql,
                            arguments: ["key": listKey, "period": request.period.description, "load": loadId])
                    }
                }
                try rejects.flush(db, loadId: loadId, warnings: &done.warnings)
                try SQLiteLedger.finish(db, summary: done)
                done.replacedLoadId = previous
                summary = done
                return .commit
            }
            return summary!
        }
        PhaseProbe.mark("committed")
        return summary
    }
}

/// Inserts each row through one prepared statement.
final class SQLiteDatasetWriter: DatasetWriter {
    let statement: Statement
    let loadId: Int64
    private(set) var rows = 0

    init(_ db: Database, schema: DatasetSchema, loadId: Int64) throws {
        statement = try db.makeStatement(sql: DatasetSQL.insert(schema))
        self.loadId = loadId
    }

    func write(_ record: DatasetRecord) throws {
        var values: [(any DatabaseValueConvertible)?] = [loadId, record.part, record.line]
        values.reserveCapacity(record.values.count + 3)
        for value in record.values {
            switch value {
            case .null: values.append(nil)
            case .text(let s): values.append(s)
            case .real(let d): values.append(d)
            }
        }
        try statement.execute(arguments: StatementArguments(values))
        rows += 1
        if rows % 4096 == 0 { PhaseProbe.mark("insert") }
    }
}
