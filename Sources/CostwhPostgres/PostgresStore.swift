import CostwhLoad
import CostwhModel
import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO
import Synchronization

/// The warehouse on PostgreSQL, behind the same seam as SQLite (`CostStore`).
///
/// One connection per store: a CLI does one thing at a time, and a pool's background
/// reconnects would turn "connection refused" into a wait. Every table lives in the URL's
/// schema (search_path is set on connect). How a partition is replaced without blocking
/// readers is in `PostgresStore+Partition.swift` and docs/POSTGRES.md.
package final class PostgresStore: CostStore, @unchecked Sendable {
    package let place: PostgresLocation
    package var location: String { place.description }
    let bridge: BlockingBridge
    /// postgres-nio's own logger: notices and above only, since its debug output names queries.
    let driverLogger: Logger
    /// costwh's own messages about the store (housekeeping it leaves for later).
    let logger = Logger(label: "costwh.postgres")
    /// Serialises the store's calls; guards `connection`.
    private let lock = NSRecursiveLock()
    private var connection: PostgresConnection?
    private let connectionIds = Mutex(0)

    /// The advisory-lock class costwh's loads hold while they run (the second key is the
    /// LoadId): a lock that can be taken belongs to a load whose session ended. Keyed by the
    /// schema, so two warehouses in one database never wait on each other's loads.
    static let loadLockClass = "hashtext('costwh-load:' || current_schema())"
    /// The transaction lock that makes the first loads of a new billing period take turns
    /// creating its table (`periodTable`).
    static let periodLockClass = "hashtext('costwh-period:' || current_schema())"
    /// The job lock's key: one extracting job per warehouse (schema), not per database.
    static let jobLockKey = "hashtext('costwh-job:' || current_schema())"
    /// Whether this store's session took the job lock: a reconnect must take it again
    /// before anything is written, or fail (`connected()`).
    private var holdsJobLock = false

    /// Opened for reading only: every transaction of the session is READ ONLY
    /// (`default_transaction_read_only`), so the server itself refuses writes.
    let readOnly: Bool

    /// Opens an existing warehouse for reading only: nothing is created or migrated, and a
    /// role with USAGE on the schema and SELECT on its tables, or a read replica, is enough.
    package convenience init(readingAt location: PostgresLocation) throws(LoadError) {
        try self.init(location: location, migrate: false, readOnly: true)
        // The schema and its migrations table, looked up without failing when they are absent.
        let exists = try run("looking for the warehouse", "SELECT to_regclass('costwh_migrations') IS NOT NULL")
        guard exists.rows.first?[0].int == 1 else {
            throw .notReadable(location: location.description, problem: .missing)
        }
        let table = try run("reading the migrations", "SELECT Identifier FROM costwh_migrations")
        let applied = Set(table.rows.compactMap { $0[0].string })
        guard !applied.isEmpty else { throw .notReadable(location: location.description, problem: .missing) }
        let pending = PostgresStore.migrations.map(\.identifier).filter { !applied.contains($0) }
        guard pending.isEmpty else {
            throw .notReadable(location: location.description, problem: .behind(pending: pending))
        }
    }

    package init(location: PostgresLocation, migrate: Bool = true, readOnly: Bool = false) throws(LoadError) {
        place = location
        self.readOnly = readOnly
        bridge = BlockingBridge(name: "costwh-postgres")
        var logger = Logger(label: "costwh.postgres-nio")
        logger.logLevel = .notice
        driverLogger = logger
        _ = try withConnection("connecting") { _ in () }
        if migrate { try self.migrate(upTo: nil) }
        PhaseProbe.mark("opened")
    }

    deinit {
        if let connection {
            // The job lock is given back before the session closes: a closed session's locks
            // are released only when the server has ended its backend, which a job started
            // right after this one (the demo's second scope, a cron line after another) could
            // otherwise find still holding it.
            if holdsJobLock {
                let logger = driverLogger
                _ = try? bridge.run {
                    try await PostgresSQL.run(
                        connection, "SELECT pg_advisory_unlock(\(PostgresStore.jobLockKey))", logger: logger)
                }
            }
            _ = try? bridge.run { try await connection.close() }
        }
        bridge.shutdown()
    }

    private func configuration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch place.sslMode {
        case .disable:
            tls = .disable
        case .require:
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .none
            tls = .require(try NIOSSLContext(configuration: config))
        case .verifyFull:
            tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
        var configuration = PostgresConnection.Configuration(
            host: place.host, port: place.port, username: place.user, password: place.password,
            database: place.database, tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        if place.sslMode == .verifyFull { configuration.options.tlsServerName = place.host }
        return configuration
    }

    /// Runs `body` on the store's connection (connecting first if needed) and classifies
    /// its errors; a lost connection is forgotten so the next call reconnects.
    func withConnection<T: Sendable>(
        _ what: String, _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) throws(LoadError) -> T {
        lock.lock()
        defer { lock.unlock() }
        do {
            let connection = try connected()
            return try bridge.run { try await body(connection) }
        } catch {
            let failure = LoadError.postgres(error, location: place, doing: what)
            if case .connection = failure { forget() }
            throw failure
        }
    }

    private func connected() throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        let configuration = try configuration()
        let id = connectionIds.withLock {
            $0 += 1
            return $0
        }
        let schema = place.schema
        let application = place.applicationName
        let logger = driverLogger
        let readOnly = readOnly
        let fresh = try bridge.run {
            let connection = try await PostgresConnection.connect(
                configuration: configuration, id: id, logger: logger)
            do {
                // The schema may not exist yet (migrate creates it); search_path tolerates that.
                try await PostgresSQL.script(
                    connection,
                    "SET search_path TO \(schema); SET application_name TO '\(application)'"
                        + (readOnly ? "; SET default_transaction_read_only = on" : ""), logger: logger)
            } catch {
                // postgres-nio insists a connection is closed before it is released.
                try? await connection.close()
                throw error
            }
            return connection
        }
        if holdsJobLock {
            // The session that held the job lock is gone, and the lock with it: another job
            // may have started since. Take it again on the new session, or write nothing.
            let key = PostgresStore.jobLockKey
            let taken = try bridge.run {
                try await PostgresSQL.run(fresh, "SELECT pg_try_advisory_lock(\(key))", logger: logger)
            }
            // Still wanted: every later call tries again, and none runs until it is taken.
            guard taken.rows.first?[0].int == 1 else {
                _ = try? bridge.run { try await fresh.close() }
                throw LoadError.connection(
                    .lost, location: place.description,
                    reason:
                        "the session that held the job lock was lost and another costwh job holds the lock now; this job writes nothing more"
                )
            }
        }
        connection = fresh
        return fresh
    }

    /// Records that the job lock is held by this store's session (see `connected()`).
    func noteJobLock(held: Bool) {
        lock.lock()
        defer { lock.unlock() }
        holdsJobLock = held
    }

    private func forget() {
        if let connection { _ = try? bridge.run { try await connection.close() } }
        connection = nil
    }

    /// One statement with positional (`$1`) values.
    func run(_ what: String, _ sql: String, _ values: [StoreValue] = []) throws(LoadError) -> ResultTable {
        let logger = driverLogger
        return try withConnection(what) { try await PostgresSQL.run($0, sql, values, logger: logger) }
    }

    /// One engine-neutral statement with `:name` parameters.
    func run(_ what: String, named sql: String, _ parameters: [String: StoreValue]) throws(LoadError) -> ResultTable {
        let logger = driverLogger
        return try withConnection(what) { try await PostgresSQL.statement($0, sql, parameters, logger: logger) }
    }

    // MARK: schema

    package static var migrations: [(identifier: String, sql: String)] {
        EmbeddedSQL.files.map { (String($0.name.dropLast(4)), $0.sql) }
    }

    @discardableResult
    package func migrate(upTo target: String?) throws(LoadError) -> [String] {
        let schema = place.schema
        let logger = driverLogger
        let wanted = PostgresStore.migrations.filter { target == nil || $0.identifier <= target! }
        do {
            return try withConnection("migrating") { connection in
                // One migrator at a time across processes; the lock ends with the session.
                try await PostgresSQL.run(
                    connection, "SELECT pg_advisory_lock(hashtext('costwh-migrate'))", logger: logger)
                do {
                    try await PostgresSQL.script(
                        connection,
                        """
                        CREATE SCHEMA IF NOT EXISTS \(schema);
                        SET search_path TO \(schema);
                        CREATE TABLE IF NOT EXISTS costwh_migrations (Identifier TEXT PRIMARY KEY, AppliedAt TEXT NOT NULL);
                        """, logger: logger)
                    let done = Set(
                        try await PostgresSQL.run(
                            connection, "SELECT Identifier FROM costwh_migrations", logger: logger
                        )
                        .rows.compactMap { $0[0].string })
                    var applied: [String] = []
                    for migration in wanted where !done.contains(migration.identifier) {
                        PhaseProbe.mark("migration:\(migration.identifier)")
                        try await connection.withTransaction(logger: logger) { connection in
                            try await PostgresSQL.script(connection, migration.sql, logger: logger)
                            if LoadHistory.beginsWith(migration.identifier) {
                                let current = try await PostgresSQL.run(
                                    connection, "SELECT LoadId FROM partitions ORDER BY LoadId", logger: logger)
                                for row in current.rows {
                                    guard let id = row[0].int else { continue }
                                    try await PostgresStore.keepHistory(connection, loadId: Int64(id), logger: logger)
                                }
                            }
                            try await PostgresSQL.run(
                                connection, "INSERT INTO costwh_migrations VALUES ($1, $2)",
                                [.text(migration.identifier), .text(Ledger.now())], logger: logger)
                        }
                        applied.append(migration.identifier)
                    }
                    try await PostgresSQL.run(
                        connection, "SELECT pg_advisory_unlock(hashtext('costwh-migrate'))", logger: logger)
                    return applied
                } catch {
                    _ = try? await PostgresSQL.run(
                        connection, "SELECT pg_advisory_unlock(hashtext('costwh-migrate'))", logger: logger)
                    throw error
                }
            }
        } catch {
            if case .connection = error { throw error }
            throw .migrationFailed(reason: error.description)
        }
    }

    package func appliedMigrations() throws(LoadError) -> [String] {
        try run("reading the migrations", "SELECT Identifier FROM costwh_migrations ORDER BY Identifier")
            .rows.compactMap { $0[0].string }
    }

    // MARK: settings

    package func setSetting(_ name: String, to value: String) throws(LoadError) {
        let current = try run("reading a setting", "SELECT Value FROM settings WHERE Name = $1", [.text(name)])
        guard current.rows.first?[0].string != value else { return }
        let upsert = PostgresSQL.positional(Settings.upsertSQL)
        let values: [String: StoreValue] = ["name": .text(name), "value": .text(value)]
        _ = try run("writing a setting", upsert.sql, upsert.names.map { values[$0]! })
    }

    // MARK: reads

    package func reading<T>(_ body: (any StoreReader) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        let logger = driverLogger
        // One snapshot for every read, as SQLite's read transaction gives.
        _ = try withConnection("starting a read") {
            try await PostgresSQL.run($0, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
        }
        do {
            let result = try body(PostgresReader(store: self))
            _ = try withConnection("ending a read") { try await PostgresSQL.run($0, "COMMIT", logger: logger) }
            return result
        } catch {
            _ = try? withConnection("ending a read") { try await PostgresSQL.run($0, "ROLLBACK", logger: logger) }
            throw error
        }
    }
}

/// Reads inside `PostgresStore.reading`'s transaction.
struct PostgresReader: StoreReader {
    let store: PostgresStore
    var dialect: SQLDialect { .postgres }

    func forEachRow(_ sql: String, _ parameters: [String: StoreValue], _ body: (any RowCursor) throws -> Void) throws
        -> [String]
    {
        try forEachRowByPages(sql, parameters, body)
    }

    func read(_ sql: String, _ parameters: [String: StoreValue]) throws -> ResultTable {
        let logger = store.driverLogger
        return try store.withConnection("reading") {
            try await PostgresSQL.run($0, named: sql, parameters, logger: logger)
        }
    }

    /// Streams with postgres-nio's row sequence (backpressure: rows arrive as they are
    /// consumed). The rows are read on the store's bridge thread and handed over two pages at
    /// a time; `body` runs on the caller's thread, where a SQLite writer may be bound to it.
    func forEachPage(
        _ sql: String, _ parameters: [String: StoreValue], pageSize: Int, _ body: (ResultTable) throws -> Void
    ) throws {
        let logger = store.driverLogger
        let pages = PageQueue()
        let pending = try store.withConnectionStarting("reading") { connection in
            do {
                try await PostgresSQL.forEachPage(
                    connection, named: sql, parameters, pageSize: pageSize, logger: logger
                ) { try pages.put($0) }
                pages.finish(nil)
            } catch {
                pages.finish(error)
                throw error
            }
        }
        do {
            while let page = try pages.take() { try body(page) }
            try pending.wait()
        } catch {
            pages.abandon()
            _ = try? pending.wait()
            throw error
        }
    }
}

extension PostgresStore {
    /// Runs one statement outside any load, for operators' tools and tests (a schema drop).
    package func execute(_ sql: String, _ values: [StoreValue] = []) throws(LoadError) {
        _ = try run("running a statement", sql, values)
    }

    /// Runs one query outside any load and returns its rows.
    package func query(_ sql: String, _ values: [StoreValue] = []) throws(LoadError) -> ResultTable {
        try run("running a query", sql, values)
    }
}
