import GRDB

/// The names of SQLite's extended result codes, for error messages.
///
/// SQLite's own text for an extended code is its primary code's ("disk I/O error" for every
/// SQLITE_IOERR_*), which does not say which system call failed: a lock, the shared-memory
/// file, an fsync or a short read. A CI run once failed opening a new file with only "disk I/O
/// error"; with the name, a recurrence says where to look. The values are sqlite3.h's.
enum SQLiteResultCodeName {
    /// The extended code's name, when it says more than the primary code: nil for a primary code
    /// and for an extended code this table does not know.
    static func name(_ code: ResultCode) -> String? {
        guard code.rawValue != code.primaryResultCode.rawValue else { return nil }
        return names[code.rawValue]
    }

    /// `message`, with the extended code's name and number appended when SQLite gave one.
    static func describe(_ error: DatabaseError) -> String {
        let message = error.message ?? error.description
        let code = error.extendedResultCode
        guard code.rawValue != code.primaryResultCode.rawValue else { return message }
        let name = names[code.rawValue] ?? "extended result code"
        return "\(message) (\(name), \(code.rawValue))"
    }

    private static let names: [Int32: String] = {
        var names: [Int32: String] = [:]
        let ioerr: [String] = [
            "READ", "SHORT_READ", "WRITE", "FSYNC", "DIR_FSYNC", "TRUNCATE", "FSTAT", "UNLOCK", "RDLOCK",
            "DELETE", "BLOCKED", "NOMEM", "ACCESS", "CHECKRESERVEDLOCK", "LOCK", "CLOSE", "DIR_CLOSE",
            "SHMOPEN", "SHMSIZE", "SHMLOCK", "SHMMAP", "SEEK", "DELETE_NOENT", "MMAP", "GETTEMPPATH",
            "CONVPATH", "VNODE", "AUTH", "BEGIN_ATOMIC", "COMMIT_ATOMIC", "ROLLBACK_ATOMIC", "DATA",
            "CORRUPTFS",
        ]
        for (index, suffix) in ioerr.enumerated() { names[10 | Int32(index + 1) << 8] = "SQLITE_IOERR_" + suffix }
        let others: [(primary: Int32, prefix: String, suffixes: [String])] = [
            (5, "SQLITE_BUSY_", ["RECOVERY", "SNAPSHOT", "TIMEOUT"]),
            (6, "SQLITE_LOCKED_", ["SHAREDCACHE", "VTAB"]),
            (8, "SQLITE_READONLY_", ["RECOVERY", "CANTLOCK", "ROLLBACK", "DBMOVED", "CANTINIT", "DIRECTORY"]),
            (11, "SQLITE_CORRUPT_", ["VTAB", "SEQUENCE", "INDEX"]),
            (14, "SQLITE_CANTOPEN_", ["NOTEMPDIR", "ISDIR", "FULLPATH", "CONVPATH", "DIRTYWAL", "SYMLINK"]),
        ]
        for group in others {
            for (index, suffix) in group.suffixes.enumerated() {
                names[group.primary | Int32(index + 1) << 8] = group.prefix + suffix
            }
        }
        return names
    }()
}
