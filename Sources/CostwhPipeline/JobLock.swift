import Foundation

/// One extracting job (ingest, reload, backfill) per database at a time.
///
/// A second job exits at once with a clear message instead of waiting: a nightly run that
/// overlaps the previous one should say so, not queue up behind it.
public final class JobLock {
    let fd: Int32
    public let path: String

    public init(databasePath: String) throws(PipelineError) {
        path = databasePath + ".lock"
        fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .usage("cannot create the lock file \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            let n = pread(fd, &buffer, 63, 0)
            let holder =
                n > 0
                ? String(decoding: buffer.prefix(n), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                : "another process"
            close(fd)
            throw .busy(
                "another costwh job (pid \(holder)) is extracting into \(databasePath); this run stops without doing anything"
            )
        }
        ftruncate(fd, 0)
        let pid = Array(String(getpid()).utf8)
        _ = pwrite(fd, pid, pid.count, 0)
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
