import CostwhLoad
import Foundation
import GRDB
import GRDBSQLite

// The second and last file that calls SQLite's C API directly (after UncheckedSQLiteBinding):
// a connection of its own for SQL that costwh did not write. GRDB installs its own
// authorizer on every connection to observe statements, so the sandbox's authorizer could
// not coexist with it; this connection is opened, guarded and stepped by hand.

/// A read-only SQLite connection for untrusted SQL, guarded by the engine:
/// - the file is opened `SQLITE_OPEN_READONLY` (never created, never migrated);
/// - `PRAGMA query_only` and no extension loading;
/// - an authorizer that allows SELECT, reads, recursion and functions other than the file
///   and extension ones, and denies everything else: writes, schema changes, ATTACH (which
///   `VACUUM INTO` needs too), DETACH, PRAGMA, transactions, savepoints;
/// - one statement per call, read-only by `sqlite3_stmt_readonly`;
/// - a progress handler that stops a statement at its time limit, and row and byte limits
///   while stepping.
///
/// Nothing is written beside the database: temporary tables and sorts stay in memory, and
/// the `-wal` and `-shm` files a WAL reader needs must already be there (costwh's writers
/// keep them, `keepWALFiles`), else the open is refused rather than creating them.
package final class SQLiteSandbox: AdHocReading, @unchecked Sendable {
    // @unchecked: `handle` and `guardState` are used only under `lock`.
    private let handle: OpaquePointer
    private let guardState: SandboxGuard
    private let lock = NSLock()
    package let path: String

    package init(path: String) throws(AdHocError) {
        self.path = path
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw .unavailable("no warehouse at \(path)")
        }
        if SQLiteSandbox.isWAL(path) {
            for suffix in ["-wal", "-shm"] where !FileManager.default.fileExists(atPath: path + suffix) {
                throw .unavailable(
                    "the warehouse \(path) has no \(suffix) file beside it, and a read-only reader would have to create it; run `costwh migrate --db \(path)` once as its owner (costwh keeps these files from then on)"
                )
            }
        }
        var db: OpaquePointer?
        let opened = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard opened == SQLITE_OK, let db else {
            let reason = db.map { String(cString: sqlite3_errmsg($0)) } ?? "code \(opened)"
            if let db { sqlite3_close_v2(db) }
            throw .unavailable("cannot open \(path) read-only: \(reason)")
        }
        handle = db
        guardState = SandboxGuard()
        sqlite3_enable_load_extension(db, 0)
        sqlite3_extended_result_codes(db, 1)
        for pragma in [
            "PRAGMA query_only = 1", "PRAGMA temp_store = MEMORY", "PRAGMA cache_size = -16384",
            "PRAGMA trusted_schema = 0",
        ] {
            guard sqlite3_exec(db, pragma, nil, nil, nil) == SQLITE_OK else {
                let reason = String(cString: sqlite3_errmsg(db))
                sqlite3_close_v2(db)
                throw .unavailable("cannot open \(path) read-only: \(reason)")
            }
        }
        let context = Unmanaged.passUnretained(guardState).toOpaque()
        sqlite3_set_authorizer(db, sandboxAuthorizer, context)
        sqlite3_progress_handler(db, 1000, sandboxProgress, context)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Whether the file's header says WAL (read and write versions 2).
    static func isWAL(_ path: String) -> Bool {
        guard let file = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? file.close() }
        guard let header = try? file.read(upToCount: 20), header.count == 20 else { return false }
        return header[18] == 2 && header[19] == 2
    }

    package func runAdHoc(_ sql: String, limits: AdHocLimits) throws(AdHocError) -> AdHocAnswer {
        lock.lock()
        defer { lock.unlock() }
        guardState.begin(timeout: limits.timeout)
        defer { guardState.end() }

        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let utf8 = Array(sql.utf8CString)
        let prepared = utf8.withUnsafeBufferPointer { buffer -> (Int32, Int) in
            let base = buffer.baseAddress!
            let code = sqlite3_prepare_v2(handle, base, Int32(buffer.count), &statement, &tail)
            let consumed = tail.map { base.distance(to: $0) } ?? buffer.count
            return (code, consumed)
        }
        guard prepared.0 == SQLITE_OK else {
            if let statement { sqlite3_finalize(statement) }
            throw failure(prepared.0)
        }
        guard let statement else {
            throw .refused("the SQL holds no statement; \(AdHocError.onlySelect)")
        }
        defer { sqlite3_finalize(statement) }
        // What follows the first statement must be nothing but spaces, semicolons or comments.
        let rest = prepared.1 < utf8.count ? Array(utf8[prepared.1...]) : [0]
        if try holdsAnotherStatement(rest) {
            throw .refused("the SQL holds more than one statement; \(AdHocError.onlySelect)")
        }
        guard sqlite3_stmt_readonly(statement) != 0 else {
            throw .refused("the statement would write; \(AdHocError.onlySelect)")
        }
        return try step(statement, limits: limits)
    }

    private func holdsAnotherStatement(_ rest: [CChar]) throws(AdHocError) -> Bool {
        var next: OpaquePointer?
        let code = rest.withUnsafeBufferPointer { buffer in
            sqlite3_prepare_v2(handle, buffer.baseAddress!, Int32(buffer.count), &next, nil)
        }
        if let next { sqlite3_finalize(next) }
        // A second statement that does not even compile is a second statement all the same.
        return code != SQLITE_OK || next != nil
    }

    private func step(_ statement: OpaquePointer, limits: AdHocLimits) throws(AdHocError) -> AdHocAnswer {
        let count = Int(sqlite3_column_count(statement))
        var names: [String] = []
        var declared: [String?] = []
        for i in 0..<Int32(count) {
            names.append(sqlite3_column_name(statement, i).map { String(cString: $0) } ?? "column\(i + 1)")
            declared.append(sqlite3_column_decltype(statement, i).map { String(cString: $0) })
        }
        var collector = AdHocCollector(limits: limits)
        while collector.isOpen {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { break }
            guard code == SQLITE_ROW else { throw failure(code) }
            guard collector.admit() else { break }
            var row: [StoreValue] = []
            row.reserveCapacity(count)
            for i in 0..<Int32(count) { row.append(Self.value(statement, i)) }
            collector.add(row)
        }
        return collector.answer(names: names, declared: declared)
    }

    private static func value(_ statement: OpaquePointer, _ i: Int32) -> StoreValue {
        switch sqlite3_column_type(statement, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, i))
        case SQLITE_TEXT:
            // The length first: text may hold NUL bytes, which String(cString:) would cut at.
            let length = Int(sqlite3_column_bytes(statement, i))
            guard length > 0, let text = sqlite3_column_text(statement, i) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
        case SQLITE_BLOB:
            let length = Int(sqlite3_column_bytes(statement, i))
            guard length > 0, let blob = sqlite3_column_blob(statement, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: length)))
        default: return .null
        }
    }

    private func failure(_ code: Int32) -> AdHocError {
        if guardState.timedOut || code & 0xff == SQLITE_INTERRUPT {
            return .timedOut(seconds: guardState.limit)
        }
        if let denied = guardState.denied {
            return .refused("\(denied) is not allowed; \(AdHocError.onlySelect)")
        }
        let message = String(cString: sqlite3_errmsg(handle))
        if code & 0xff == SQLITE_READONLY {
            return .refused("the statement would write (\(message)); \(AdHocError.onlySelect)")
        }
        return .failed(message)
    }
}

/// What the authorizer and the progress handler share with the connection, for one call.
final class SandboxGuard: @unchecked Sendable {
    // @unchecked: touched only by the connection's thread inside SQLiteSandbox's lock.
    var deadline = Date.distantFuture
    var limit: Double = 0
    var timedOut = false
    /// The first action the authorizer denied, for the message.
    var denied: String?

    func begin(timeout: Double) {
        deadline = Date().addingTimeInterval(timeout)
        limit = timeout
        timedOut = false
        denied = nil
    }

    func end() {
        deadline = .distantFuture
    }

    /// Functions that reach outside the database, wherever a build of SQLite has them.
    static let deniedFunctions: Set<String> = [
        "load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", "zipfile", "sqlar_compress",
        "sqlar_uncompress", "sqlite_dbpage", "shell_add_schema", "shell_escape_crnl", "shell_idquote",
        "shell_int32", "shell_module_schema", "shell_putsnl", "lsmode", "fsdir",
    ]

    static let actionNames: [Int32: String] = [
        SQLITE_CREATE_INDEX: "CREATE INDEX", SQLITE_CREATE_TABLE: "CREATE TABLE",
        SQLITE_CREATE_TEMP_INDEX: "CREATE INDEX", SQLITE_CREATE_TEMP_TABLE: "CREATE TABLE",
        SQLITE_CREATE_TEMP_TRIGGER: "CREATE TRIGGER", SQLITE_CREATE_TEMP_VIEW: "CREATE VIEW",
        SQLITE_CREATE_TRIGGER: "CREATE TRIGGER", SQLITE_CREATE_VIEW: "CREATE VIEW", SQLITE_DELETE: "DELETE",
        SQLITE_DROP_INDEX: "DROP INDEX", SQLITE_DROP_TABLE: "DROP TABLE", SQLITE_DROP_TEMP_INDEX: "DROP INDEX",
        SQLITE_DROP_TEMP_TABLE: "DROP TABLE", SQLITE_DROP_TEMP_TRIGGER: "DROP TRIGGER",
        SQLITE_DROP_TEMP_VIEW: "DROP VIEW", SQLITE_DROP_TRIGGER: "DROP TRIGGER", SQLITE_DROP_VIEW: "DROP VIEW",
        SQLITE_INSERT: "INSERT", SQLITE_PRAGMA: "PRAGMA", SQLITE_TRANSACTION: "a transaction statement",
        SQLITE_UPDATE: "UPDATE", SQLITE_ATTACH: "ATTACH (and VACUUM INTO)", SQLITE_DETACH: "DETACH",
        SQLITE_ALTER_TABLE: "ALTER TABLE", SQLITE_REINDEX: "REINDEX", SQLITE_ANALYZE: "ANALYZE",
        SQLITE_CREATE_VTABLE: "CREATE VIRTUAL TABLE", SQLITE_DROP_VTABLE: "DROP TABLE", SQLITE_SAVEPOINT: "SAVEPOINT",
    ]
}

private func sandboxAuthorizer(
    _ context: UnsafeMutableRawPointer?, _ action: Int32, _ first: UnsafePointer<CChar>?,
    _ second: UnsafePointer<CChar>?, _ database: UnsafePointer<CChar>?, _ trigger: UnsafePointer<CChar>?
) -> Int32 {
    guard let context else { return SQLITE_DENY }
    let state = Unmanaged<SandboxGuard>.fromOpaque(context).takeUnretainedValue()
    switch action {
    case SQLITE_SELECT, SQLITE_READ, SQLITE_RECURSIVE:
        return SQLITE_OK
    case SQLITE_FUNCTION:
        let name = second.map { String(cString: $0).lowercased() } ?? ""
        guard SandboxGuard.deniedFunctions.contains(name) else { return SQLITE_OK }
        if state.denied == nil { state.denied = "the function \(name)()" }
        return SQLITE_DENY
    default:
        if state.denied == nil { state.denied = SandboxGuard.actionNames[action] ?? "this kind of statement" }
        return SQLITE_DENY
    }
}

private func sandboxProgress(_ context: UnsafeMutableRawPointer?) -> Int32 {
    guard let context else { return 1 }
    let state = Unmanaged<SandboxGuard>.fromOpaque(context).takeUnretainedValue()
    guard Date() > state.deadline else { return 0 }
    state.timedOut = true
    return 1
}

extension CostDatabase {
    /// Keeps the `-wal` and `-shm` files when the last connection closes, so that a read-only
    /// reader (the MCP server's sandbox) never has to create them beside the warehouse.
    static func keepWALFiles(_ db: Database) {
        var keep: Int32 = 1
        sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &keep)
    }
}
