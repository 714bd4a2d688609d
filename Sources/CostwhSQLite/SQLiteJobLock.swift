import CostwhLoad
import Foundation

/// The SQLite store's job lock: one extracting job (ingest, reload, backfill) per database
/// at a time, as a locked file beside the database (`CostStore.lockForJob`).
///
/// A second job exits at once with a clear message instead of waiting: a nightly run that
/// overlaps the previous one should say so, not queue up behind it.
package final class SQLiteJobLock {
    let fd: Int32
    package let path: String

    /// Takes the lock file beside the database's real path, so a symbolic-link alias of the
    /// database is locked by the same file.
    ///
    /// The folder may be shared (`/tmp`, a team folder): anyone who can write it can plant a
    /// link or a file named like the lock. So the lock is opened without following links, must
    /// be a regular file owned by this user with one name, and is only rewritten when it holds
    /// nothing but a pid, which is all costwh ever writes into it.
    package init(databasePath: String) throws(LoadError) {
        path = SQLiteJobLock.realPath(of: databasePath) + ".lock"
        let flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK
        var descriptor = open(path, flags | O_CREAT | O_EXCL, 0o600)
        if descriptor < 0 && errno == EEXIST { descriptor = open(path, flags) }
        guard descriptor >= 0 else {
            let reason = errno
            if reason == ELOOP {
                throw .lockFile(
                    path: path, reason: "is a symbolic link; costwh does not follow it. Remove it and run again",
                    permission: true)
            }
            if reason == EACCES || reason == EPERM || reason == EROFS {
                throw .lockFile(
                    path: path, reason: "cannot be written: \(String(cString: strerror(reason)))", permission: true)
            }
            throw .lockFile(
                path: path, reason: "cannot be created: \(String(cString: strerror(reason)))", permission: false)
        }
        fd = descriptor
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(), info.st_nlink == 1
        else {
            close(fd)
            throw .lockFile(
                path: path,
                reason: "is not a regular file of this user's; costwh does not write into it. Remove it and run again",
                permission: true)
        }
        guard info.st_size <= 32, SQLiteJobLock.holdsOnlyAPid(fd) else {
            close(fd)
            throw .lockFile(
                path: path,
                reason: "holds something costwh did not write; costwh does not overwrite it. Remove it and run again",
                permission: true)
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = SQLiteJobLock.holder(of: fd)
            close(fd)
            throw .busy(holder: holder, location: databasePath)
        }
        ftruncate(fd, 0)
        let pid = Array(String(getpid()).utf8)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    /// The database's path with every symbolic link resolved: the file's when it exists, else
    /// its folder's and the name.
    static func realPath(of path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        guard let resolved = realpath(folder, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved) + "/" + url.lastPathComponent
    }

    /// Empty, or a pid and white space: the only contents costwh writes.
    static func holdsOnlyAPid(_ fd: Int32) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 33)
        let n = pread(fd, &buffer, 33, 0)
        guard n >= 0 else { return false }
        return buffer.prefix(n).allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == 10 || $0 == 32
        }
    }

    /// Who holds the lock: the kernel's lock table names the process (Linux `/proc/locks`,
    /// matched by the file's inode), else the pid the holder wrote into the file.
    static func holder(of fd: Int32) -> String {
        var info = stat()
        if fstat(fd, &info) == 0, let table = try? String(contentsOfFile: "/proc/locks", encoding: .utf8) {
            // "1: FLOCK  ADVISORY  WRITE 4711 08:01:1234567 0 EOF"
            for line in table.split(separator: "\n") {
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard fields.count >= 6, fields[1] == "FLOCK", let pid = Int32(fields[4]), pid != getpid() else {
                    continue
                }
                if fields[5].split(separator: ":").last.flatMap({ UInt64($0) }) == UInt64(info.st_ino) {
                    return "pid \(pid)"
                }
            }
        }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = pread(fd, &buffer, 63, 0)
        let written =
            n > 0
            ? String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : ""
        return Int32(written) != nil ? "pid \(written)" : "its pid is not recorded"
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
