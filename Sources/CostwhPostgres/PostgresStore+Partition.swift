import CostwhBytes
import CostwhLoad
import CostwhModel
import CostwhTransform
import Foundation
import Logging
import NIOCore
import PostgresNIO

/// Replacing a partition on PostgreSQL without blocking readers.
///
/// 1. The load's rows are copied (COPY, text format) into a table of its own,
///    `cost_fact_l<LoadId>`, with `CHECK (LoadId = N)` so attaching it needs no scan (its
///    columns in `LoadTableLayout`'s order).
/// 2. One short transaction attaches it to `cost_fact` as the partition `FOR VALUES IN (N)`
///    (SHARE UPDATE EXCLUSIVE on the parent: readers go on), writes the summaries and the
///    rejected rows, moves the partition pointer (its row locked, so two writers of one
///    partition take turns) and closes the ledger row.
/// 3. The replaced load's table is detached and dropped later (`purgeReplacedLoads`), once no
///    transaction that could still see it is open.
/// 4. A new billing period gets its own branch in `cost_fact_periods` (`refreshPeriodBranches`).
/// A crash before step 2 commits leaves an unattached table, which the next run drops.
extension PostgresStore {
    package func replacePartition(
        _ request: LoadRequest, loadId: Int64, rejects: RejectBuffer, feed: (any BatchWriter) throws -> LoadSummary
    ) throws -> LoadSummary {
        let table = "cost_fact_l\(loadId)"
        let logger = driverLogger
        defer { releaseLoadLock(loadId) }
        // Copied without BillingPeriod: the column is added after the copy with the period as
        // its default, which PostgreSQL keeps in the catalog instead of in every row. The
        // other columns are in an order that wastes less space on alignment (LoadTableLayout).
        try withConnection("creating the load's table") { connection in
            let columns = LoadTableLayout.columns(
                try await PostgresSQL.run(connection, LoadTableLayout.catalogSQL, logger: logger))
            try await PostgresSQL.run(
                connection, LoadTableLayout.createSQL(table: table, loadId: loadId, columns: columns),
                logger: logger)
        }
        PhaseProbe.mark("transaction")
        let writer = PostgresBatchWriter(loadId: loadId)
        var done: LoadSummary
        do {
            done = try copy(into: table, writer: writer, feed: feed)
        } catch {
            _ = try? run("dropping the failed load's table", "DROP TABLE IF EXISTS \(table)")
            throw error
        }
        let period = request.period.description
        do {
            // The CHECK lets ATTACH skip its scan; validating it here reads the new table
            // outside the swap's transaction, where it holds up no reader.
            try withConnection("marking the load's billing period") { connection in
                try await PostgresSQL.script(
                    connection,
                    """
                    ALTER TABLE \(table) ADD COLUMN BillingPeriod TEXT NOT NULL DEFAULT '\(period)';
                    ALTER TABLE \(table) ADD CONSTRAINT \(table)_period CHECK (BillingPeriod = '\(period)');
                    """, logger: logger)
            }
        } catch {
            _ = try? run("dropping the failed load's table", "DROP TABLE IF EXISTS \(table)")
            throw error
        }
        done.rowsLoaded = writer.rowsLoaded
        done.costTotal = writer.costTotal
        done.currencies = writer.currencies.sorted()
        done.status = .succeeded
        let rejected = rejects.drain(warnings: &done.warnings)
        let dimensions = writer.dimensionText()
        guard let summaries = writer.summaries else {
            throw LoadError.database(DatabaseFailure(PostgresBatchWriter.MissingSummaries()))
        }
        let daily = summaries.dailyOverflowed ? nil : try summaries.dailyRows(keys: PostgresBatchWriter.key)
        let resources = summaries.overflowed ? nil : try summaries.resourceRows(keys: PostgresBatchWriter.key)
        let final = done
        let replaced = try withConnection("swapping in the partition") { connection -> Int64? in
            // Dimension rows are content-addressed: writing them outside the swap is harmless.
            for (dimension, columns, text) in dimensions where text.readableBytes > 0 {
                try await PostgresSQL.run(
                    connection,
                    "CREATE TEMP TABLE IF NOT EXISTS new_\(dimension.table) (LIKE \(dimension.table)) ON COMMIT DELETE ROWS",
                    logger: logger)
                try await connection.withTransaction(logger: logger) { connection in
                    try await connection.copyFrom(
                        table: "new_\(dimension.table)", columns: columns.map { $0.lowercased() }, logger: logger
                    ) {
                        try await $0.write(text)
                    }
                    try await PostgresSQL.run(
                        connection,
                        "INSERT INTO \(dimension.table) SELECT * FROM new_\(dimension.table) ON CONFLICT DO NOTHING",
                        logger: logger)
                }
            }
            return try await connection.withTransaction(logger: logger) { connection -> Int64? in
                try await PostgresSQL.run(connection, "SET LOCAL lock_timeout = '30s'", logger: logger)
                let previous = try await PostgresSQL.statement(
                    connection, Ledger.currentLoadSQL(.postgres), Ledger.partitionKey(final), logger: logger
                ).rows.first?[0].int.map(Int64.init)
                let periodTable = try await PostgresStore.periodTable(period, connection: connection, logger: logger)
                try await PostgresSQL.run(
                    connection, "ALTER TABLE \(periodTable) ATTACH PARTITION \(table) FOR VALUES IN (\(loadId))",
                    logger: logger)
                try await PostgresStore.writeSummaries(
                    connection, loadId: loadId, table: table, daily: daily, resources: resources, logger: logger)
                try await PostgresStore.keepHistory(connection, loadId: loadId, logger: logger)
                try await PostgresStore.writeRejected(connection, loadId: loadId, rejected, logger: logger)
                // No rowid range here: the load is its own table.
                try await PostgresSQL.statement(
                    connection, Ledger.pointSQL, Ledger.pointParameters(final, first: .null, last: .null),
                    logger: logger)
                try await PostgresSQL.statement(
                    connection, Ledger.finishSQL, Ledger.finishParameters(final), logger: logger)
                PhaseProbe.mark("commit")
                return previous
            }
        }
        PhaseProbe.mark("committed")
        if let replaced { recordReaderHorizon(replaced: replaced) }
        refreshPeriodBranches()
        var summary = final
        summary.replacedLoadId = replaced
        return summary
    }

    /// The table of a billing period's loads (`cost_fact_p2026_10`, partitioned by LoadId),
    /// created and attached under `cost_fact` by the first load of the period. Attached rather
    /// than created as a partition: ATTACH takes a lock that readers of `cost_fact` do not
    /// wait for. Two loads of a new period take turns on a transaction lock.
    static func periodTable(
        _ period: String, connection: PostgresConnection, logger: Logger
    ) async throws -> String {
        let name = "cost_fact_p" + period.replacingOccurrences(of: "-", with: "_")
        try await PostgresSQL.run(
            connection, "SELECT pg_advisory_xact_lock(\(periodLockClass), hashtext($1))", [.text(name)], logger: logger)
        let exists = try await PostgresSQL.run(
            connection,
            """
            SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            WHERE c.relname = $1
            """, [.text(name)], logger: logger)
        if exists.rows.isEmpty {
            try await PostgresSQL.script(
                connection,
                """
                CREATE TABLE \(name) (LIKE cost_fact INCLUDING DEFAULTS) PARTITION BY LIST (LoadId);
                ALTER TABLE cost_fact ATTACH PARTITION \(name) FOR VALUES IN ('\(period)');
                """, logger: logger)
        }
        return name
    }

    /// Names every billing period's table in `cost_fact_periods` (migration 0011), so a filter
    /// on BillingPeriod is folded when the query is planned instead of tested on each row.
    /// Until then a new period's rows are read through the view's last branch, so this is
    /// housekeeping: replacing the view waits at most two seconds for readers that hold it,
    /// and a failure is left for the next load to retry, never failing this one.
    func refreshPeriodBranches() {
        let driver = driverLogger
        do {
            try withConnection("naming the billing periods in cost_fact_periods") { connection in
                try await connection.withTransaction(logger: driver) { connection in
                    try await PostgresSQL.run(connection, "SET LOCAL lock_timeout = '2s'", logger: driver)
                    try await PostgresSQL.run(connection, "SELECT costwh_refresh_fact_periods()", logger: driver)
                }
            }
        } catch {
            logger.info(
                "left cost_fact_periods for a later load to update", metadata: ["error": "\(error)"])
        }
    }

    /// Streams the batches `feed` writes into COPY on the store's connection.
    private func copy(
        into table: String, writer: PostgresBatchWriter, feed: (any BatchWriter) throws -> LoadSummary
    ) throws -> LoadSummary {
        try streamCopy(
            into: table, columns: (["LoadId"] + FactColumns.inInsertOrder).map { $0.lowercased() },
            connect: { writer.pipe = $0 }, flush: { try writer.flush() }, feed: { try feed(writer) })
    }

    /// Runs a COPY on the store's connection fed from this thread: the loader's thread
    /// encodes, the bridge's thread sends, the pipe between them bounds memory.
    func streamCopy<T>(
        into table: String, columns: [String], connect: (CopyPipe) -> Void, flush: () throws -> Void,
        feed: () throws -> T
    ) throws -> T {
        let pipe = CopyPipe()
        connect(pipe)
        let logger = driverLogger
        let pending = try withConnectionStarting("copying the rows") { connection in
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { copy in
                    while let chunk = try await pipe.next() { try await copy.write(chunk) }
                }
                pipe.consumerStopped()
            } catch {
                pipe.consumerStopped()
                throw error
            }
        }
        let result: T
        do {
            result = try feed()
            try flush()
            pipe.finish()
        } catch {
            pipe.fail(error)
            // The COPY fails with the loader's error; that error is the one to report.
            _ = try? pending.wait()
            if error is CopyPipeClosed {
                do { try pending.wait() } catch {
                    throw LoadError.postgres(error, location: place, doing: "copying the rows")
                }
            }
            throw error
        }
        do {
            try pending.wait()
        } catch {
            throw LoadError.postgres(error, location: place, doing: "copying the rows")
        }
        return result
    }

    package func closeFailedLoad(_ summary: inout LoadSummary, rejects: RejectBuffer) throws {
        var closing = summary
        let rejected = rejects.drain(warnings: &closing.warnings)
        let final = closing
        let logger = driverLogger
        try withConnection("closing the failed load") { connection in
            try await connection.withTransaction(logger: logger) { connection in
                try await PostgresStore.writeRejected(connection, loadId: final.loadId, rejected, logger: logger)
                try await PostgresSQL.statement(
                    connection, Ledger.finishSQL, Ledger.finishParameters(final), logger: logger)
            }
        }
        releaseLoadLock(summary.loadId)
        summary = closing
    }

    static func writeSummaries(
        _ connection: PostgresConnection, loadId: Int64, table: String, daily: [SummaryBuilder.DailyRow]?,
        resources: [SummaryBuilder.ResourceRow]?, logger: Logger
    ) async throws {
        var text = CopyText(capacity: 1 << 16)
        // Too many groups to hold in memory: the server adds them up.
        func addUpBySQL(_ summary: SummaryBuilder.Summary) async throws {
            try await PostgresSQL.run(
                connection,
                summary.sql(
                    loadId: String(loadId), rows: table, total: { "COALESCE(SUM(\($0)), 0)" },
                    units: CostUnits.postgresExpression),
                logger: logger)
        }
        if daily == nil { try await addUpBySQL(.daily) }
        for row in daily ?? [] {
            text.integer(loadId)
            text.text(row.date)
            text.text(row.currency)
            text.text(row.chargeType)
            text.text(row.pricingModel)
            text.integer(row.product)
            text.real(row.cost)
            text.integer(row.units)
            text.integer(Int64(row.rows))
            text.endRow()
        }
        if text.byteCount > 0 {
            let bytes = text.take()
            try await connection.copyFrom(
                table: "summary_daily",
                columns: [
                    "loadid", "date", "billingcurrency", "chargetype", "pricingmodel", "productkey", "cost",
                    "costunits",
                    "rows",
                ],
                logger: logger
            ) { try await $0.write(bytes) }
        }
        guard let resources else {
            try await addUpBySQL(.resource)
            return
        }
        for row in resources {
            text.integer(loadId)
            text.text(row.currency)
            text.text(row.chargeType)
            text.text(row.pricingModel)
            text.integer(row.account)
            text.integer(row.resource)
            text.integer(row.product)
            text.integer(row.tags)
            text.real(row.cost)
            text.integer(row.units)
            text.integer(Int64(row.rows))
            text.endRow()
        }
        if text.byteCount > 0 {
            let bytes = text.take()
            try await connection.copyFrom(
                table: "summary_resource",
                columns: [
                    "loadid", "billingcurrency", "chargetype", "pricingmodel", "accountkey", "resourcekey",
                    "productkey",
                    "tagskey", "cost", "costunits", "rows",
                ], logger: logger
            ) { try await $0.write(bytes) }
        }
    }

    /// The load's totals and their fingerprint; see `LoadHistory`.
    static func keepHistory(_ connection: PostgresConnection, loadId: Int64, logger: Logger) async throws {
        let load: [String: StoreValue] = ["load": .integer(loadId)]
        try await PostgresSQL.statement(connection, LoadHistory.insertSQL(.postgres), load, logger: logger)
        let rows = try await PostgresSQL.statement(connection, LoadHistory.rowsSQL, load, logger: logger).rows
        try await PostgresSQL.statement(
            connection, LoadHistory.fingerprintSQL,
            ["hash": .text(LoadHistory.fingerprint(rows)), "load": .integer(loadId)], logger: logger)
    }

    static func writeRejected(
        _ connection: PostgresConnection, loadId: Int64,
        _ rows: [(source: String, line: Int, raw: String, reason: String)], logger: Logger
    ) async throws {
        guard !rows.isEmpty else { return }
        var text = CopyText(capacity: 1 << 16)
        for row in rows {
            text.integer(loadId)
            text.text(row.source)
            text.integer(Int64(row.line))
            // PostgreSQL text cannot hold NUL; a raw line keeps every other byte.
            text.text(row.raw.replacingOccurrences(of: "\0", with: "\u{FFFD}"))
            text.text(row.reason.replacingOccurrences(of: "\0", with: "\u{FFFD}"))
            text.endRow()
        }
        let bytes = text.take()
        try await connection.copyFrom(
            table: "rejected_rows", columns: ["loadid", "source", "linenumber", "rawtext", "reason"], logger: logger
        ) { try await $0.write(bytes) }
    }

    /// Starts `body` on the store's connection and returns at once; the store stays locked
    /// by the caller's `replacePartition` until it has waited.
    func withConnectionStarting(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> Void
    ) throws(LoadError) -> BlockingBridge.Pending<Void> {
        let connection = try withConnection(what) { $0 }
        return bridge.start { try await body(connection) }
    }
}
