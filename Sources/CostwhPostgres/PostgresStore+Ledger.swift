import CostwhLoad
import CostwhModel
import Foundation
import Logging
import PostgresNIO

/// The ledger (`loads`) on PostgreSQL: the same rows as SQLite's, and the same rules.
extension PostgresStore {
    package func beginLoad(_ request: LoadRequest, at date: Date) throws(LoadError) -> Int64 {
        let logger = driverLogger
        let parameters = Ledger.beginParameters(request, at: date)
        let id = try withConnection("opening the load's ledger row") { connection -> Int64 in
            let table = try await PostgresSQL.statement(connection, Ledger.beginSQL, parameters, logger: logger)
            guard let id = table.rows.first?[0].int.map(Int64.init) else {
                throw LoadError.migrationFailed(reason: "INSERT INTO loads returned no LoadId")
            }
            // Held until the load ends: a lock that another session can take marks a dead load.
            try await PostgresSQL.run(
                connection, "SELECT pg_advisory_lock(\(PostgresStore.loadLockClass), $1::int)",
                [.integer(id)], logger: logger)
            return id
        }
        PhaseProbe.mark("ledger")
        return id
    }

    func releaseLoadLock(_ loadId: Int64) {
        _ = try? run(
            "releasing the load's lock", "SELECT pg_advisory_unlock(\(PostgresStore.loadLockClass), $1::int)",
            [.integer(loadId)])
    }

    package func recoverAbandoned(logger: Logger) throws(LoadError) {
        let driver = driverLogger
        let dead = try withConnection("closing abandoned loads") { connection -> [Int64] in
            let running = try await PostgresSQL.statement(connection, Ledger.runningSQL, [:], logger: driver)
            var dead: [Int64] = []
            for row in running.rows {
                guard let id = row[0].int.map(Int64.init) else { continue }
                let lockClass = PostgresStore.loadLockClass
                // Taking the lock succeeds only when the session that ran the load has ended.
                let free = try await PostgresSQL.run(
                    connection, "SELECT pg_try_advisory_lock(\(lockClass), $1::int)", [.integer(id)],
                    logger: driver)
                guard free.rows.first?[0].int == 1 else { continue }
                try await PostgresSQL.run(
                    connection, "SELECT pg_advisory_unlock(\(lockClass), $1::int)", [.integer(id)],
                    logger: driver)
                try await PostgresSQL.statement(
                    connection, Ledger.abandonSQL, ["now": .text(Ledger.now()), "load": .integer(id)], logger: driver)
                dead.append(id)
            }
            try await self.removeRowsOfDeadLoads(dead, connection: connection, logger: driver)
            // Tables of loads that never reached their swap: copied, never attached.
            let orphans = try await PostgresSQL.run(
                connection,
                """
                SELECT c.relname FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
                JOIN loads l ON 'cost_fact_l' || l.LoadId = c.relname
                WHERE c.relkind = 'r' AND NOT c.relispartition AND l.Status <> 'running'
                """, logger: driver)
            for row in orphans.rows {
                guard let name = row[0].string, name.hasPrefix("cost_fact_l"), Int64(name.dropFirst(11)) != nil
                else { continue }
                try await PostgresSQL.run(connection, "DROP TABLE IF EXISTS \(name)", logger: driver)
            }
            return dead
        }
        if !dead.isEmpty {
            logger.info(
                "marked abandoned loads", metadata: ["loads": "\(dead.map(String.init).joined(separator: ","))"])
        }
    }

    /// Detaches and drops the tables of loads no partition points at any more, once no
    /// transaction that was open when they were replaced is still open (such a reader's
    /// snapshot may still show them). Runs outside a transaction, as DETACH CONCURRENTLY must.
    ///
    /// Housekeeping: it never fails a load. A table it cannot detach now (a reader or a
    /// `pg_dump` holds a lock past `lock_timeout`) stays attached but invisible (no partition
    /// points at its load) and is retried by a later run; the ledger row says why
    /// (`loads.PurgeNote`). A detach left pending by an interrupted run is finished first.
    package func purgeReplacedLoads() throws(LoadError) {
        let driver = driverLogger
        let stale: [Int64]
        do {
            stale = try withConnection("finding replaced loads") { connection -> [Int64] in
                // Who could still see a replaced load: the virtual transactions open when it
                // was replaced (`ReaderHorizon`, from pg_locks, which every role can read).
                // Loads replaced before that column existed fall back to pg_stat_activity.
                try await PostgresSQL.run(
                    connection,
                    """
                    SELECT l.LoadId FROM loads l
                    WHERE l.Status = 'succeeded' AND l.PurgedAt IS NULL AND l.Dataset = 'cost-details'
                      AND l.LoadId NOT IN (SELECT LoadId FROM partitions)
                      AND (
                        (l.ReaderHorizon IS NOT NULL AND NOT EXISTS (
                            SELECT 1 FROM pg_locks k
                            WHERE k.locktype = 'virtualxid' AND k.granted
                              AND k.virtualxid = ANY (string_to_array(l.ReaderHorizon, ','))))
                        OR (l.ReaderHorizon IS NULL AND NOT EXISTS (
                            SELECT 1 FROM pg_stat_activity a
                            WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()
                              AND a.xact_start IS NOT NULL
                              AND a.xact_start < (SELECT MAX(r.FinishedAt)::timestamptz FROM loads r
                                                  WHERE r.Scope = l.Scope AND r.BillingPeriod = l.BillingPeriod
                                                    AND r.Metric = l.Metric AND r.LoadId > l.LoadId))))
                    ORDER BY l.LoadId
                    """, logger: driver
                ).rows.compactMap { $0[0].int.map(Int64.init) }
            }
        } catch {
            if case .connection = error { throw error }
            logger.info("could not look for replaced loads to purge; a later run will", metadata: ["error": "\(error)"])
            return
        }
        for id in stale {
            do {
                try purge(loadId: id)
            } catch {
                if case .connection = error { throw error }
                let note = "not purged yet: \(error.description); a later run retries"
                logger.info("left a replaced load's rows for a later run", metadata: ["load": "\(id)", "error": "\(error)"])
                _ = try? run(
                    "noting the purge", "UPDATE loads SET PurgeNote = $1 WHERE LoadId = $2",
                    [.text(note), .integer(id)])
            }
        }
    }

    /// Detaches (finishing a pending detach first) and drops one replaced load's table,
    /// then removes its summaries and marks it purged.
    private func purge(loadId id: Int64) throws(LoadError) {
        let driver = driverLogger
        let table = "cost_fact_l\(id)"
        try withConnection("purging replaced load \(id)") { connection in
            // The table's parent: its billing period's table (or, before the 0008 migration
            // moved them, cost_fact itself).
            let state = try await PostgresSQL.run(
                connection,
                """
                SELECT c.relispartition, COALESCE(i.inhdetachpending, false), parent.relname
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
                LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
                LEFT JOIN pg_class parent ON parent.oid = i.inhparent
                WHERE c.relname = $1
                """,
                [.text(table)], logger: driver)
            if let row = state.rows.first, row[0].int == 1, let parent = row[2].string,
                parent == "cost_fact" || (parent.hasPrefix("cost_fact_p") && parent.count == 18)
            {
                try await PostgresSQL.run(connection, "SET lock_timeout = '5s'", logger: driver)
                do {
                    if row[1].int == 1 {
                        try await PostgresSQL.run(
                            connection, "ALTER TABLE \(parent) DETACH PARTITION \(table) FINALIZE", logger: driver)
                    } else {
                        try await PostgresSQL.run(
                            connection, "ALTER TABLE \(parent) DETACH PARTITION \(table) CONCURRENTLY", logger: driver)
                    }
                } catch {
                    _ = try? await PostgresSQL.run(connection, "SET lock_timeout = 0", logger: driver)
                    throw error
                }
                try await PostgresSQL.run(connection, "SET lock_timeout = 0", logger: driver)
            }
            try await PostgresSQL.run(connection, "DROP TABLE IF EXISTS \(table)", logger: driver)
            try await connection.withTransaction(logger: driver) { connection in
                try await PostgresSQL.run(
                    connection, "DELETE FROM summary_daily WHERE LoadId = $1", [.integer(id)], logger: driver)
                try await PostgresSQL.run(
                    connection, "DELETE FROM summary_resource WHERE LoadId = $1", [.integer(id)], logger: driver)
                try await PostgresSQL.statement(
                    connection, Ledger.purgedSQL, ["now": .text(Ledger.now()), "load": .integer(id)], logger: driver)
            }
        }
    }

    /// Remembers, on the load just replaced, which transactions were open when it was:
    /// only they can still see its rows, so its table is dropped once they have ended.
    func recordReaderHorizon(replaced id: Int64) {
        _ = try? run(
            "recording who can still see the replaced load",
            """
            UPDATE loads SET ReaderHorizon = COALESCE((
                SELECT string_agg(virtualxid, ',') FROM pg_locks
                WHERE locktype = 'virtualxid' AND granted AND pid <> pg_backend_pid()
                  AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())), '')
            WHERE LoadId = $1
            """, [.integer(id)])
    }

    package func lastGoodLoad(
        scope: Scope, period: BillingPeriod, metric: Metric
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?, etag: String?)? {
        Ledger.lastGood(
            try run(
                "reading the ledger", named: Ledger.lastGoodCostLoadSQL,
                ["scope": .text(scope.id), "period": .text(period.description), "metric": .text(metric.rawValue)]
            ).rows.first)
    }

    package func lastGoodLoad(
        scope: Scope, period: BillingPeriod, dataset: Dataset
    ) throws(LoadError) -> (finishedAt: Date, contentHash: String?)? {
        Ledger.lastGood(
            try run(
                "reading the ledger", named: Ledger.lastGoodDatasetLoadSQL,
                ["scope": .text(scope.id), "period": .text(period.description), "dataset": .text(dataset.rawValue)]
            ).rows.first
        ).map { ($0.finishedAt, $0.contentHash) }
    }

    package func recordUnchanged(_ request: LoadRequest, contentHash: String, started: Date) throws(LoadError) -> Int64
    {
        try recordClosed(request, status: .unchanged, contentHash: contentHash, error: nil, started: started)
    }

    package func recordFailure(_ request: LoadRequest, error: String, started: Date) throws(LoadError) -> Int64 {
        try recordClosed(request, status: .failed, contentHash: nil, error: error, started: started)
    }

    private func recordClosed(
        _ request: LoadRequest, status: LoadSummary.Status, contentHash: String?, error: String?, started: Date
    ) throws(LoadError) -> Int64 {
        let table = try run(
            "writing the ledger", named: Ledger.closedSQL,
            Ledger.closedParameters(request, status: status, contentHash: contentHash, error: error, started: started))
        return Int64(table.rows.first?[0].int ?? 0)
    }
}

extension PostgresStore {
    /// A session advisory lock held by the store's connection, so every host sees it; the
    /// store itself holds it, and gives it back before its session closes.
    package func lockForJob() throws(LoadError) -> AnyObject {
        if let holder = try takeJobLock() { throw .busy(holder: holder, location: location) }
        return self
    }

    /// Takes the store-wide lock of extracting jobs for this store's session; returns nil,
    /// or who holds it when another session does.
    package func takeJobLock() throws(LoadError) -> String? {
        let table = try run("taking the job lock", "SELECT pg_try_advisory_lock(\(PostgresStore.jobLockKey))")
        if table.rows.first?[0].int == 1 {
            noteJobLock(held: true)
            return nil
        }
        let holder = try run(
            "reading who holds the job lock",
            """
            SELECT a.pid, COALESCE(host(a.client_addr), 'a local socket'), a.backend_start::text
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objid = (\(PostgresStore.jobLockKey)::bigint & 4294967295)
            LIMIT 1
            """)
        guard let row = holder.rows.first, let pid = row[0].int else { return "a PostgreSQL session" }
        return "PostgreSQL session pid \(pid) from \(row[1].string ?? "?") since \(row[2].string ?? "?")"
    }
}
