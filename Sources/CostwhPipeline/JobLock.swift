import CostwhLoad
import CostwhPostgres
import Foundation

/// One extracting job (ingest, reload, backfill) per database at a time.
///
/// A second job exits at once with a clear message instead of waiting: a nightly run that
/// overlaps the previous one should say so, not queue up behind it.
package final class JobLock {
    let fd: Int32
    package let path: String

    /// The job lock for a store: on PostgreSQL a session advisory lock held by the store's
    /// connection (every host sees it), on SQLite a file beside the database.
    package static func take(for store: any CostStore, at location: String) throws(PipelineError) -> AnyObject {
        guard let postgres = store as? PostgresStore else { return try JobLock(databasePath: location) }
        let holder: String?
        do { holder = try postgres.takeJobLock() } catch { throw .load(error) }
        if let holder {
            throw .busy(
                "another costwh job (\(holder)) is extracting into \(postgres.location); this run stops without doing anything"
            )
        }
        return postgres
    }

    package init(databasePath: String) throws(PipelineError) {
        path = databasePath + ".lock"
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .usage("cannot create the lock file \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let holder = JobLock.holder(of: fd)
            close(fd)
            throw .busy(
                "another costwh job (\(holder)) is extracting into \(databasePath); this run stops without doing anything"
            )
        }
        ftruncate(fd, 0)
        let pid = Array(String(getpid()).utf8)
        _ = pwrite(fd, pid, pid.count, 0)
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
