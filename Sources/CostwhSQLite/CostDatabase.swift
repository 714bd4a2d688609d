import CostwhLoad
import CostwhModel
import Foundation
import GRDB
import Logging

/// The warehouse file: a WAL-mode SQLite database with the migrations applied.
///
/// WAL lets analysts read while a load writes; the busy timeout makes a second writer wait
/// for the first instead of failing at once.
package final class CostDatabase: Sendable {
    package let pool: DatabasePool
    package let path: String

    /// The page size of a warehouse created by this version.
    package static let pageSize = 16_384

    /// How long a writer waits for another writer before giving up.
    package static let defaultBusyTimeout: TimeInterval = 600

    package init(
        path: String, busyTimeout: TimeInterval = CostDatabase.defaultBusyTimeout, migrate: Bool = true
    ) throws(LoadError) {
        self.path = path
        do {
            try CostDatabase.createPrivately(path)
            var config = Configuration()
            config.busyMode = .timeout(busyTimeout)
            config.label = "costwh"
            config.prepareDatabase { db in
                // A new warehouse's pages are 16 KiB, not SQLite's 4 KiB: a load splits a quarter
                // as many B-tree pages and writes a quarter as many to the WAL and the file; a
                // million-row load took 3-6 % less CPU, the analysts' month the same or less, the
                // file the same size (docs/PERFORMANCE.md, session 10). It takes effect only on
                // an empty file: an existing warehouse keeps its size (WAL mode cannot change it).
                try db.execute(sql: "PRAGMA page_size = \(CostDatabase.pageSize)")
                // NORMAL is durable against process crashes in WAL mode; only a power cut can
                // lose the last commit, never corrupt the file.
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                try db.execute(sql: "PRAGMA cache_size = -16384")
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
                try db.execute(sql: "PRAGMA journal_size_limit = 67108864")
                CostDatabase.keepWALFiles(db)
            }
            pool = try DatabasePool(path: path, configuration: config)
        } catch let error as LoadError {
            throw error
        } catch {
            throw .cannotOpenDatabase(path: path, reason: CostDatabase.describe(error))
        }
        if migrate { try self.migrate() }
        PhaseProbe.mark("opened")
    }

    /// Opens an existing warehouse for reading only: the file is opened read-only (SQLite
    /// refuses every write), nothing is created and nothing migrated. A missing file, or one
    /// without costwh's schema, is `.notReadable(.missing)`; one behind on its migrations is
    /// `.notReadable(.behind)`.
    package init(readingAt path: String) throws(LoadError) {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .notReadable(location: path, problem: .missing)
        }
        let migrator = CostDatabase.migrator()
        let applied: [String]
        do {
            var config = Configuration()
            config.readonly = true
            config.busyMode = .timeout(CostDatabase.defaultBusyTimeout)
            config.label = "costwh-read"
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA cache_size = -16384")
                try db.execute(sql: "PRAGMA temp_store = MEMORY")
            }
            pool = try DatabasePool(path: path, configuration: config)
            applied = try pool.read { db in
                try db.tableExists("loads") ? Array(try migrator.appliedIdentifiers(db)) : []
            }
        } catch {
            throw .cannotOpenDatabase(path: path, reason: CostDatabase.describe(error))
        }
        guard !applied.isEmpty else { throw .notReadable(location: path, problem: .missing) }
        let pending = CostDatabase.migrations.map(\.identifier).filter { !applied.contains($0) }
        guard pending.isEmpty else { throw .notReadable(location: path, problem: .behind(pending: pending)) }
        PhaseProbe.mark("opened")
    }

    /// The database file is created readable by its owner only: cost data is confidential.
    static func createPrivately(_ path: String) throws(LoadError) {
        if FileManager.default.fileExists(atPath: path) { return }
        let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if fd < 0 {
            if errno == EEXIST { return }
            throw .cannotOpenDatabase(path: path, reason: String(cString: strerror(errno)))
        }
        close(fd)
    }

    package static var migrations: [(identifier: String, sql: String)] {
        EmbeddedSQL.files.map { (String($0.name.dropLast(4)), $0.sql) }
    }

    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier) { db in
                PhaseProbe.mark("migration:\(migration.identifier)")
                try db.execute(sql: migration.sql)
                if LoadHistory.beginsWith(migration.identifier) {
                    for loadId in try Int64.fetchAll(db, sql: "SELECT LoadId FROM partitions ORDER BY LoadId") {
                        try CostDatabase.keepHistory(db, loadId: loadId)
                    }
                }
            }
        }
        return migrator
    }

    /// Applies the pending migrations; returns their identifiers.
    @discardableResult
    package func migrate(upTo target: String? = nil) throws(LoadError) -> [String] {
        do {
            let migrator = CostDatabase.migrator()
            let pending = try pool.read { db in try migrator.appliedIdentifiers(db) }
            // Nothing to do is the common case: don't ask for the write lock, which a load
            // may be holding while a reader opens the database.
            if target == nil, Set(pending) == Set(CostDatabase.migrations.map(\.identifier)) { return [] }
            if let target {
                try migrator.migrate(pool, upTo: target)
            } else {
                try migrator.migrate(pool)
            }
            let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
            return applied.filter { !pending.contains($0) }.sorted()
        } catch {
            throw .migrationFailed(reason: CostDatabase.describe(error))
        }
    }

    package func appliedMigrations() throws(LoadError) -> [String] {
        do {
            return try pool.read { db in try CostDatabase.migrator().appliedIdentifiers(db) }.sorted()
        } catch {
            throw .database(error)
        }
    }

    static func describe(_ error: any Error) -> String {
        if let db = error as? DatabaseError {
            return SQLiteResultCodeName.describe(db)
        }
        return String(describing: error)
    }
}
