import CostwhLoad
import CostwhSQLite
import CostwhTestSupport
import Foundation
import Testing

/// The SQLite job lock in a folder others can write: it never follows a planted link, never
/// truncates a file costwh did not write, and locks the database's real path.
struct JobLockTests {
    func isPermission(_ error: LoadError) -> Bool {
        if case .lockFile(_, _, true) = error { return true }
        return false
    }

    @Test func aPlantedSymbolicLinkIsRefusedAndItsTargetUntouched() throws {
        let dir = TempDir()
        let victim = dir.write("victim.txt", "precious\n")
        let db = dir.path("w.sqlite")
        try FileManager.default.createSymbolicLink(atPath: db + ".lock", withDestinationPath: victim)
        #expect {
            _ = try SQLiteJobLock(databasePath: db)
        } throws: { error in
            guard let error = error as? LoadError else { return false }
            return isPermission(error) && error.description.contains("is a symbolic link")
        }
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "precious\n")
    }

    @Test func aLockFileCostwhDidNotWriteIsNeverTruncated() throws {
        let dir = TempDir()
        let db = dir.path("w.sqlite")
        _ = dir.write("w.sqlite.lock", "not a pid: somebody's data\n")
        #expect {
            _ = try SQLiteJobLock(databasePath: db)
        } throws: { error in
            guard let error = error as? LoadError else { return false }
            return isPermission(error) && error.description.contains("holds something costwh did not write")
        }
        #expect(try String(contentsOfFile: db + ".lock", encoding: .utf8) == "not a pid: somebody's data\n")
        // A hard link to another file is refused too: it has two names.
        let other = dir.write("other.txt", "other\n")
        try FileManager.default.removeItem(atPath: db + ".lock")
        try FileManager.default.linkItem(atPath: other, toPath: db + ".lock")
        #expect(throws: LoadError.self) { _ = try SQLiteJobLock(databasePath: db) }
        #expect(try String(contentsOfFile: other, encoding: .utf8) == "other\n")
    }

    @Test func aLockLeftByAnEarlierJobIsTakenAndHoldsThePid() throws {
        let dir = TempDir()
        let db = dir.path("w.sqlite")
        _ = dir.write("w.sqlite.lock", "4711")
        let lock = try SQLiteJobLock(databasePath: db)
        #expect(try String(contentsOfFile: lock.path, encoding: .utf8) == String(getpid()))
        #expect(lock.path == JobLockTests.real(dir.path("")) + "/w.sqlite.lock")
    }

    /// A symbolic-link alias of the database is locked by the real database's lock.
    @Test func anAliasOfTheDatabaseMeetsTheSameLock() throws {
        let dir = TempDir()
        let db = dir.path("real.sqlite")
        _ = dir.write("real.sqlite", "")
        let alias = dir.path("alias.sqlite")
        try FileManager.default.createSymbolicLink(atPath: alias, withDestinationPath: db)
        let held = try SQLiteJobLock(databasePath: db)
        #expect {
            _ = try SQLiteJobLock(databasePath: alias)
        } throws: { error in
            guard case .busy = error as? LoadError else { return false }
            return true
        }
        _ = held
    }

    static func real(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
