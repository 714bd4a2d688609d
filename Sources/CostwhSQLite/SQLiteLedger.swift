import CostwhLoad
import CostwhModel
import CostwhTransform
import Foundation
import GRDB
import Logging

/// The ledger (`loads`, `partitions`) on SQLite: `Ledger`'s statements, run on the pool, and
/// what only SQLite needs (a dead load is found by its pid; a replaced load's rows are a
/// rowid range deleted in place).
struct SQLiteLedger: Sendable {
    let database: CostDatabase

    /// Records a load as running, in its own transaction, so a crash leaves a trace.
    func begin(_ request: LoadRequest, at date: Date) throws(LoadError) -> Int64 {
        let id = try insert(Ledger.beginSQL, Ledger.beginParameters(request, at: date))
        PhaseProbe.mark("ledger")
        return id
    }

    private func insert(_ sql: String, _ parameters: [String: StoreValue]) throws(LoadError) -> Int64 {
        do {
            let id = try database.pool.write { db in try db.rows(named: sql, parameters).first?.first?.int }
            guard let id else { throw LoadError.migrationFailed(reason: "INSERT INTO loads returned no LoadId") }
            return Int64(id)
        } catch let error as LoadError {
            throw error
        } catch {
            throw .database(error)
        }
    }

    /// Writes the final state of a load's ledger row.
    static func finish(_ db: Database, summary: LoadSummary) throws {
        try db.execute(named: Ledger.finishSQL, Ledger.finishParameters(summary))
    }

    /// Points the partition at the new load and closes the ledger row; returns the load it replaced.
    static func commitPartition(_ db: Database, summary: LoadSummary) throws -> Int64? {
        let previous = try db.rows(named: Ledger.currentLoadSQL(.sqlite), Ledger.partitionKey(summary))
            .first?.first?.int.map(Int64.init)
        try db.execute(
            named: Ledger.pointSQL,
            Ledger.pointParameters(
                summary, first: .integer(summary.firstRowId ?? 0), last: .integer(summary.lastRowId ?? -1)))
        try finish(db, summary: summary)
        return previous
    }

    /// Marks loads left `running` by a process that no longer exists as abandoned. A dead
    /// load's rows were never committed (SQLite rolled them back): only its row needs closing.
    func recoverAbandoned(logger: Logger) throws(LoadError) {
        do {
            let running = try database.pool.read { db in try db.rows(named: Ledger.runningSQL) }
            let me = Int(getpid())
            let dead: [Int64] = running.compactMap { row in
                guard let id = row[0].int, let pid = row[1].int, row[2].string == Ledger.host else { return nil }
                if pid == me { return nil }
                // kill(pid, 0) fails with ESRCH once the process is gone.
                if kill(pid_t(pid), 0) == 0 || errno == EPERM { return nil }
                return Int64(id)
            }
            if running.contains(where: { $0[2].string != Ledger.host }) { try recoverForeign(logger: logger) }
            guard !dead.isEmpty else { return }
            try database.pool.write { db in
                for id in dead {
                    try db.execute(named: Ledger.abandonSQL, ["now": .text(Ledger.now()), "load": .integer(id)])
                }
            }
            logger.info(
                "marked abandoned loads", metadata: ["loads": "\(dead.map(String.init).joined(separator: ","))"])
        } catch let error as LoadError {
            throw error
        } catch {
            throw .database(error)
        }
    }

    /// Loads left `running` by another host (a shared file system): its pid means nothing
    /// here, but a load holds SQLite's write lock from just after its ledger row is written
    /// until it ends. So when the write lock can be taken at once, every such load that
    /// started more than a minute ago has ended without closing its row: it is abandoned.
    /// When the lock is busy, someone is writing, and the rows are left for a later run.
    func recoverForeign(logger: Logger) throws {
        let cutoff = Ledger.now(Date().addingTimeInterval(-60))
        let closed = try database.pool.writeWithoutTransaction { db -> Int in
            try db.execute(sql: "PRAGMA busy_timeout = 0")
            defer { try? db.execute(sql: "PRAGMA busy_timeout = \(Int(CostDatabase.defaultBusyTimeout * 1000))") }
            do {
                try db.execute(sql: "BEGIN IMMEDIATE")
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                return 0
            }
            do {
                try db.execute(
                    sql: """
                        UPDATE loads SET Status = 'abandoned', FinishedAt = ?,
                            Error = 'the process running this load on host ' || COALESCE(Host, '?') || ' ended before it finished; the partition kept its previous data'
                        WHERE Status = 'running' AND Host IS NOT ? AND StartedAt < ?
                        """,
                    arguments: [Ledger.now(), Ledger.host, cutoff])
                let changes = db.changesCount
                try db.execute(sql: "COMMIT")
                return changes
            } catch {
                try? db.execute(sql: "ROLLBACK")
                throw error
            }
        }
        if closed > 0 { logger.info("marked loads of other hosts abandoned", metadata: ["loads": "\(closed)"]) }
    }

    /// Deletes the rows of loads that no partition points to any more. Run after each
    /// replacing commit, and at the start of a load in case a crash came in between.
    func purgeReplacedLoads() throws(LoadError) {
        do {
            try database.pool.write { db in
                let stale = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT LoadId, FirstRowId, LastRowId FROM loads
                        WHERE Status = 'succeeded' AND PurgedAt IS NULL AND Dataset = 'cost-details'
                          AND LoadId NOT IN (SELECT LoadId FROM partitions)
                        """)
                for row in stale {
                    try LoadPurge.purge(
                        db, loadId: row["LoadId"], firstRowId: row["FirstRowId"], lastRowId: row["LastRowId"])
                }
            }
        } catch {
            throw .database(error)
        }
    }

    func lastGoodLoad(
        scope: Scope, period: BillingPeriod, metric: Metric
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?, etag: String?)? {
        try lastGood(
            Ledger.lastGoodCostLoadSQL,
            ["scope": .text(scope.id), "period": .text(period.description), "metric": .text(metric.rawValue)])
    }

    func lastGoodLoad(
        scope: Scope, period: BillingPeriod, dataset: Dataset
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?)? {
        try lastGood(
            Ledger.lastGoodDatasetLoadSQL,
            ["scope": .text(scope.id), "period": .text(period.description), "dataset": .text(dataset.rawValue)]
        ).map { ($0.finishedAt, $0.contentHash) }
    }

    private func lastGood(
        _ sql: String, _ parameters: [String: StoreValue]
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?, etag: String?)? {
        do {
            return Ledger.lastGood(try database.pool.read { db in try db.rows(named: sql, parameters).first })
        } catch {
            throw .database(error)
        }
    }

    /// Records a load that left the partition as it was, or failed before any data arrived.
    func recordClosed(
        _ request: LoadRequest, status: LoadSummary.Status, contentHash: String?, error: String?, started: Date
    ) throws(LoadError) -> Int64 {
        try insert(
            Ledger.closedSQL,
            Ledger.closedParameters(request, status: status, contentHash: contentHash, error: error, started: started))
    }
}
