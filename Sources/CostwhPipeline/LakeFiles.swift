import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The file operations a lake is kept with: private folders, synced writes, renames that
/// replace atomically and are made durable, and the lake's lock.
enum LakeFiles {
    /// Creates `path` and its parents, readable by the owner only; refuses a symbolic link.
    static func makeFolder(_ path: String) throws(PipelineError) {
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw .export("\(path) is in the lake's way: it is not a folder")
            }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try makeFolder(parent) }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw .export("cannot create the folder \(path): \(String(cString: strerror(errno)))")
        }
    }

    static func writeSynced(_ data: Data, to path: String) throws(PipelineError) {
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .export("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var offset = 0
        while offset < data.count {
            let n = data.withUnsafeBytes { raw in write(fd, raw.baseAddress! + offset, raw.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .export("cannot write \(path): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw .export("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Renames `source` over `target` (atomic: a reader sees the old file or the new one) and
    /// syncs the folder, so the rename survives a crash.
    static func rename(_ source: String, over target: String) throws(PipelineError) {
        guard Glibc.rename(source, target) == 0 else {
            throw .export("cannot move \(source) to \(target): \(String(cString: strerror(errno)))")
        }
        syncFolder((target as NSString).deletingLastPathComponent)
    }

    static func syncFolder(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
    }

    /// Removes a file, then the folders above it that it leaves empty, up to `root`.
    static func remove(_ path: String, upTo root: String) {
        unlink(path)
        var folder = (path as NSString).deletingLastPathComponent
        while folder.count > root.count && folder.hasPrefix(root) {
            guard rmdir(folder) == 0 else { break }
            folder = (folder as NSString).deletingLastPathComponent
        }
    }

    /// Takes the lake's lock (`DIR/_costwh.lock`, flock): one export at a time per lake.
    /// Returns the descriptor that holds it; closing it releases the lock.
    static func lock(_ dir: String) throws(PipelineError) -> Int32 {
        let path = (dir as NSString).appendingPathComponent(LakeLayout.lock)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .permission("cannot open the lake's lock \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .busy("another costwh export is writing the lake \(dir); try again when it has finished")
        }
        return fd
    }

    /// Temporary files an interrupted export left (`.data.parquet.PID.tmp`, `._manifest.json.PID.tmp`).
    static func leftovers(in dir: String) -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: dir) else { return [] }
        var found: [String] = []
        while let name = walker.nextObject() as? String {
            let base = (name as NSString).lastPathComponent
            if base.hasPrefix(".") && base.hasSuffix(".tmp") { found.append((dir as NSString).appendingPathComponent(name)) }
        }
        return found
    }
}
