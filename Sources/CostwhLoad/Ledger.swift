import CostwhModel
import CostwhTransform
import Foundation
import GRDB
import Logging

/// The `loads` table: one row per load attempt.
package struct Ledger: Sendable {
    package let database: CostDatabase

    package init(database: CostDatabase) {
        self.database = database
    }

    /// A ledger timestamp: `date` (a system-clock reading) on costwh's clock (`CostwhClock`, which
    /// `COSTWH_NOW` moves), so the ledger and the nightly job's "today" agree.
    package static func now(_ date: Date = Date()) -> String {
        format(date.addingTimeInterval(CostwhClock.offset))
    }

    /// A date as the ledger spells it, as it is (no clock applied).
    package static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    package static let host: String = ProcessInfo.processInfo.hostName

    /// Records a load as running, in its own transaction, so a crash leaves a trace.
    func begin(_ request: LoadRequest, at date: Date) throws(LoadError) -> Int64 {
        do {
            let id = try database.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO loads (Scope, BillingPeriod, Metric, Source, SourceDetail, Status, StartedAt, ProcessId, Host, Dataset)
                        VALUES (?, ?, ?, ?, ?, 'running', ?, ?, ?, ?)
                        """,
                    arguments: [
                        request.scope.id, request.period.description, request.ledgerMetric, request.source,
                        request.sourceDetail, Ledger.now(date), Int(getpid()), Ledger.host, request.dataset.rawValue,
                    ])
                return db.lastInsertedRowID
            }
            PhaseProbe.mark("ledger")
            return id
        } catch {
            throw .database(error)
        }
    }

    package static func warningsJSON(_ warnings: Warnings) -> String? {
        guard !warnings.counts.isEmpty else { return nil }
        guard let data = try? JSONSerialization.data(withJSONObject: warnings.counts, options: [.sortedKeys]) else {
            return nil
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes the final state of a load's ledger row.
    static func finish(_ db: Database, summary: LoadSummary) throws {
        try db.execute(
            sql: """
                UPDATE loads SET Status = ?, ContentHash = ?, RowsRead = ?, RowsLoaded = ?, RowsRejected = ?,
                    CostTotal = ?, Currencies = ?, Warnings = ?, Error = ?, FinishedAt = ?, FirstRowId = ?, LastRowId = ?, Dialect = ?
                WHERE LoadId = ?
                """,
            arguments: [
                summary.status.rawValue, summary.contentHash, summary.rowsRead,
                summary.status == .failed ? 0 : summary.rowsLoaded, summary.rowsRejected,
                summary.status == .failed || summary.status == .unchanged ? nil : summary.costTotal,
                summary.currencies.isEmpty ? nil : summary.currencies.joined(separator: ","),
                warningsJSON(summary.warnings), summary.error, now(),
                summary.status == .succeeded ? summary.firstRowId : nil,
                summary.status == .succeeded ? summary.lastRowId : nil,
                summary.dialects.isEmpty ? nil : summary.dialects.joined(separator: "; "),
                summary.loadId,
            ])
    }

    /// Points the partition at the new load and closes the ledger row; returns the load it replaced.
    static func commitPartition(_ db: Database, summary: LoadSummary) throws -> Int64? {
        let key: [any DatabaseValueConvertible] = [
            summary.scope.id, summary.period.description, summary.metric.rawValue,
        ]
        let previous = try Int64.fetchOne(
            db, sql: "SELECT LoadId FROM partitions WHERE Scope = ? AND BillingPeriod = ? AND Metric = ?",
            arguments: StatementArguments(key))
        try db.execute(
            sql: """
                INSERT INTO partitions (Scope, BillingPeriod, Metric, LoadId, FirstRowId, LastRowId, RowCount, CostTotal, UpdatedAt)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (Scope, BillingPeriod, Metric) DO UPDATE SET
                    LoadId = excluded.LoadId, FirstRowId = excluded.FirstRowId, LastRowId = excluded.LastRowId,
                    RowCount = excluded.RowCount, CostTotal = excluded.CostTotal, UpdatedAt = excluded.UpdatedAt
                """,
            arguments: StatementArguments(
                key + [
                    summary.loadId, summary.firstRowId ?? 0, summary.lastRowId ?? -1, summary.rowsLoaded,
                    summary.costTotal, now(),
                ]))
        try finish(db, summary: summary)
        return previous
    }

    /// Marks loads left `running` by a process that no longer exists as abandoned and
    /// removes any rows they left behind.
    package func recoverAbandoned(logger: Logger) throws(LoadError) {
        do {
            let running = try database.pool.read { db in
                try Row.fetchAll(db, sql: "SELECT LoadId, ProcessId, Host FROM loads WHERE Status = 'running'")
            }
            let me = Int(getpid())
            let dead: [Int64] = running.compactMap { row in
                let id: Int64 = row["LoadId"]
                let pid: Int? = row["ProcessId"]
                let host: String? = row["Host"]
                guard host == Ledger.host, let pid else { return nil }
                if pid == me { return nil }
                // kill(pid, 0) fails with ESRCH once the process is gone.
                if kill(pid_t(pid), 0) == 0 || errno == EPERM { return nil }
                return id
            }
            let foreign = running.contains { ($0["Host"] as String?) != Ledger.host }
            if foreign { try recoverForeign(logger: logger) }
            guard !dead.isEmpty else { return }
            // A dead load's rows were never committed: SQLite rolled them back. Only its
            // ledger row needs closing.
            try database.pool.write { db in
                for id in dead {
                    try db.execute(
                        sql: """
                            UPDATE loads SET Status = 'abandoned', FinishedAt = ?,
                                Error = 'the process running this load ended before it finished; the partition kept its previous data'
                            WHERE LoadId = ? AND Status = 'running'
                            """,
                        arguments: [Ledger.now(), id])
                }
            }
            logger.info(
                "marked abandoned loads", metadata: ["loads": "\(dead.map(String.init).joined(separator: ","))"])
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
    package func purgeReplacedLoads() throws(LoadError) {
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

    /// The last load of a partition that left it as it is now: its time and content hash.
    package func lastGoodLoad(
        scope: Scope, period: BillingPeriod, metric: Metric
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?, etag: String?)? {
        do {
            return try database.pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT FinishedAt, ContentHash, SourceDetail FROM loads
                            WHERE Scope = ? AND BillingPeriod = ? AND Metric = ? AND Dataset = 'cost-details' AND Status IN ('succeeded', 'unchanged')
                            ORDER BY LoadId DESC LIMIT 1
                            """,
                        arguments: [scope.id, period.description, metric.rawValue])
                else { return nil }
                let finished = (row["FinishedAt"] as String?).flatMap(Ledger.parse) ?? .distantPast
                let detail = (row["SourceDetail"] as String?).flatMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
                return (finished, row["ContentHash"], detail?["etag"] as? String)
            }
        } catch {
            throw .database(error)
        }
    }

    /// The last load of a dataset partition that left it as it is: its time and content hash.
    package func lastGoodLoad(
        scope: Scope, period: BillingPeriod, dataset: Dataset
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?)? {
        do {
            return try database.pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT FinishedAt, ContentHash FROM loads
                            WHERE Scope = ? AND BillingPeriod = ? AND Dataset = ? AND Status IN ('succeeded', 'unchanged')
                            ORDER BY LoadId DESC LIMIT 1
                            """,
                        arguments: [scope.id, period.description, dataset.rawValue])
                else { return nil }
                return ((row["FinishedAt"] as String?).flatMap(Ledger.parse) ?? .distantPast, row["ContentHash"])
            }
        } catch {
            throw .database(error)
        }
    }

    /// Records a report identical to the partition's current data: nothing is rewritten.
    package func recordUnchanged(_ request: LoadRequest, contentHash: String, started: Date) throws(LoadError) -> Int64
    {
        try recordClosed(request, status: .unchanged, contentHash: contentHash, error: nil, started: started)
    }

    /// Records a load that failed before any data reached the loader (sign-in, the API).
    package func recordFailure(_ request: LoadRequest, error: String, started: Date) throws(LoadError) -> Int64 {
        try recordClosed(request, status: .failed, contentHash: nil, error: error, started: started)
    }

    private func recordClosed(
        _ request: LoadRequest, status: LoadSummary.Status, contentHash: String?, error: String?, started: Date
    ) throws(LoadError) -> Int64 {
        let counts: Int? = status == .unchanged ? 0 : nil
        do {
            return try database.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO loads (Scope, BillingPeriod, Metric, Source, SourceDetail, ContentHash, RowsRead, RowsLoaded, RowsRejected,
                                           Warnings, Status, Error, StartedAt, FinishedAt, ProcessId, Host, Dataset)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        request.scope.id, request.period.description, request.ledgerMetric, request.source,
                        request.sourceDetail,
                        contentHash, counts, counts, counts, Ledger.warningsJSON(request.extraWarnings),
                        status.rawValue, error,
                        Ledger.now(started), Ledger.now(), Int(getpid()), Ledger.host, request.dataset.rawValue,
                    ])
                return db.lastInsertedRowID
            }
        } catch {
            throw .database(error)
        }
    }


    package static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }
}
