import CostwhLoad
import CostwhModel
import Foundation
import GRDB
import Logging

/// The SQLite store behind the seam: `CostDatabase`, the ledger in `loads`, partitions as
/// rowid ranges of `cost_fact`, one IMMEDIATE transaction per partition.
extension CostDatabase: CostStore {
    package var location: String { path }

    /// A locked file beside the database's real path (`SQLiteJobLock`).
    package func lockForJob() throws(LoadError) -> AnyObject { try SQLiteJobLock(databasePath: path) }

    package func recoverAbandoned(logger: Logger) throws(LoadError) {
        try SQLiteLedger(database: self).recoverAbandoned(logger: logger)
    }

    package func purgeReplacedLoads() throws(LoadError) {
        try SQLiteLedger(database: self).purgeReplacedLoads()
    }

    package func beginLoad(_ request: LoadRequest, at date: Date) throws(LoadError) -> Int64 {
        try SQLiteLedger(database: self).begin(request, at: date)
    }

    package func lastGoodLoad(
        scope: Scope, period: BillingPeriod, metric: Metric
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?, etag: String?)? {
        try SQLiteLedger(database: self).lastGoodLoad(scope: scope, period: period, metric: metric)
    }

    package func recordUnchanged(_ request: LoadRequest, contentHash: String, started: Date) throws(LoadError) -> Int64
    {
        try SQLiteLedger(database: self).recordClosed(request, status: .unchanged, contentHash: contentHash, error: nil, started: started)
    }

    package func recordFailure(_ request: LoadRequest, error: String, started: Date) throws(LoadError) -> Int64 {
        try SQLiteLedger(database: self).recordClosed(request, status: .failed, contentHash: nil, error: error, started: started)
    }

    package func replacePartition(
        _ request: LoadRequest, loadId: Int64, rejects: RejectBuffer, feed: (any BatchWriter) throws -> LoadSummary
    ) throws -> LoadSummary {
        let summary = try pool.writeWithoutTransaction { db in
            var summary: LoadSummary?
            if PhaseProbe.isActive { db.add(transactionObserver: CommitProbe(), extent: .nextTransaction) }
            try db.inTransaction(.immediate) {
                PhaseProbe.mark("transaction")
                // The rows of the load being replaced go first, in this same transaction:
                // readers that started earlier still see them (WAL keeps their snapshot), a
                // rollback brings them back, and the new rows reuse their pages, so a reload
                // writes little more than a fresh load does.
                let previous = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT LoadId, FirstRowId, LastRowId FROM partitions WHERE Scope = ? AND BillingPeriod = ? AND Metric = ?",
                    arguments: [request.scope.id, request.period.description, request.metric.rawValue])
                if let previous {
                    try LoadPurge.purge(
                        db, loadId: previous["LoadId"], firstRowId: previous["FirstRowId"],
                        lastRowId: previous["LastRowId"])
                }
                let sink = try FactSink(db)
                var done = try feed(SQLiteBatchWriter(sink: sink))
                done.rowsLoaded = sink.rowsLoaded
                done.costTotal = sink.costTotal
                done.firstRowId = sink.firstRowId
                done.lastRowId = sink.lastRowId
                done.currencies = sink.currencies.map { String(decoding: $0, as: UTF8.self) }.sorted()
                guard let summaries = sink.summaries else {
                    throw DatabaseError(message: "the load ended without its summaries")
                }
                PhaseProbe.mark("summaries")
                let history = try summaries.write(
                    db, loadId: loadId, firstRowId: sink.firstRowId, lastRowId: sink.lastRowId, keys: sink.key(of:_:))
                PhaseProbe.mark("history")
                try CostDatabase.keepHistory(db, loadId: loadId, from: history)
                PhaseProbe.mark("closing")
                done.status = .succeeded
                try rejects.flush(db, loadId: loadId, warnings: &done.warnings)
                done.replacedLoadId = try SQLiteLedger.commitPartition(db, summary: done)
                summary = done
                return .commit
            }
            return summary!
        }
        PhaseProbe.mark("committed")
        return summary
    }

    /// The load's totals and their fingerprint; see `LoadHistory`. Added up by SQL from the
    /// load's summary tables, or from `history` when the summaries were written from memory:
    /// the same rows (`SummaryPathTests`), without the three sorts of the resource summary
    /// that SQL's GROUP BYs take (7 % of a month's load, after its last row).
    static func keepHistory(_ db: Database, loadId: Int64, from history: LoadHistory.Accumulator? = nil) throws {
        let rows: [[StoreValue]]
        if let history {
            // Tens of thousands of keys: looked up with raw binding (UncheckedSQLiteBinding.swift).
            var lookups: [LoadHistory.Breakdown: UncheckedStatement] = [:]
            rows = try history.rows { breakdown, key in
                let statement: UncheckedStatement
                if let known = lookups[breakdown] {
                    statement = known
                } else {
                    statement = try UncheckedStatement(db, sql: LoadHistory.valueSQL(breakdown)!)
                    lookups[breakdown] = statement
                }
                statement.bind(1, int: key)
                return try statement.queryText(db)
            }
            let insert = try UncheckedStatement(db, sql: LoadHistory.insertRowSQL)
            for row in rows {
                insert.bind(1, int: loadId)
                for (i, value) in row.enumerated() { insert.bind(Int32(i + 2), value) }
                try insert.execute(db)
            }
        } else {
            try db.execute(sql: LoadHistory.insertSQL(.sqlite), arguments: ["load": loadId])
            rows = try SQLiteReader(db: db).read(LoadHistory.rowsSQL, ["load": .integer(loadId)]).rows
        }
        try db.execute(
            sql: LoadHistory.fingerprintSQL, arguments: ["hash": LoadHistory.fingerprint(rows), "load": loadId])
    }

    package func closeFailedLoad(_ summary: inout LoadSummary, rejects: RejectBuffer) throws {
        var closing = summary
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                try rejects.flush(db, loadId: closing.loadId, warnings: &closing.warnings)
                try SQLiteLedger.finish(db, summary: closing)
                return .commit
            }
        }
        summary = closing
    }
}

extension CostDatabase {
    package func setSetting(_ name: String, to value: String) throws(LoadError) {
        do {
            let current = try pool.read { db in
                try String.fetchOne(db, sql: "SELECT Value FROM settings WHERE Name = ?", arguments: [name])
            }
            guard current != value else { return }
            try pool.write { db in
                try db.execute(sql: Settings.upsertSQL, arguments: ["name": name, "value": value])
            }
        } catch {
            throw .database(error)
        }
    }

    package func reading<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        try pool.read { db in try body(SQLiteReader(db: db)) }
    }
}

/// Reads on one GRDB read transaction.
struct SQLiteReader: StoreReader {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    func read(_ sql: String, _ parameters: [String: StoreValue]) throws -> ResultTable {
        var table: ResultTable?
        try forEachPage(sql, parameters, pageSize: .max) { table = $0 }
        return table!
    }

    /// A statement with the parameters it names bound (NULL when given as such).
    func prepared(_ sql: String, _ parameters: [String: StoreValue]) throws -> Statement {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(StatementArguments(named: parameters.filter { sql.contains(":" + $0.key) }))
        return statement
    }

    func forEachPage(
        _ sql: String, _ parameters: [String: StoreValue], pageSize: Int, _ body: (ResultTable) throws -> Void
    ) throws {
        let statement = try prepared(sql, parameters)
        let cursor = try Row.fetchCursor(statement)
        var rows: [[StoreValue]] = []
        var sent = false
        while let row = try cursor.next() {
            rows.append(row.databaseValues.map(\.storeValue))
            if rows.count >= pageSize {
                try body(ResultTable(columns: statement.columnNames, rows: rows))
                rows.removeAll(keepingCapacity: true)
                sent = true
            }
        }
        if !rows.isEmpty || !sent { try body(ResultTable(columns: statement.columnNames, rows: rows)) }
    }
}

/// Inserts each row of a batch through the unchecked statement of `FactSink`.
final class SQLiteBatchWriter: BatchWriter {
    let sink: FactSink

    init(sink: FactSink) { self.sink = sink }

    @inline(__always)
    func write(_ batch: RowBatch) throws {
        try sink.insert(batch)
        PhaseProbe.mark("insert")
    }

    func summarise(_ summaries: SummaryBuilder) { sink.summaries = summaries }
}

/// Marks the moment SQLite starts committing (its commit hook), for the kill tests.
final class CommitProbe: TransactionObserver {
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseWillCommit() throws { PhaseProbe.mark("commit") }
    func databaseDidCommit(_ db: Database) {}
    func databaseDidRollback(_ db: Database) {}
}
