import Foundation

/// A temporary folder readable by its owner only, removed when the work is done.
package final class PrivateFolder: Sendable {
    package let path: String

    static var base: String {
        ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
    }

    /// The folder's name carries the owner's pid, so a later run can tell a folder left by
    /// a killed process (which could not clean up) from one still in use.
    package init(prefix: String = "costwh") throws(ExtractError) {
        let base = PrivateFolder.base
        var template = Array("\(base)/\(prefix)-\(getpid())-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .cannotOpen(
                path: base, reason: "cannot create a private temporary folder: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
        chmod(path, 0o700)
    }

    /// Creates a new empty file, mode 0600; returns its path and an open descriptor.
    package func createFile(named name: String) throws(ExtractError) -> (String, Int32) {
        let file = "\(path)/\(name)"
        let fd = open(file, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: file, reason: String(cString: strerror(errno))) }
        return (file, fd)
    }

    package func removeAll() {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for name in names { unlink("\(path)/\(name)") }
        }
    }

    /// Removes the folder and everything in it.
    package func remove() {
        removeAll()
        rmdir(path)
    }

    deinit { remove() }

    /// Removes the folders of costwh processes that no longer exist; returns how many.
    @discardableResult
    package static func removeStale(prefix: String = "costwh") -> Int {
        let base = PrivateFolder.base
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return 0 }
        var removed = 0
        for name in names where name.hasPrefix(prefix + "-") {
            let parts = name.split(separator: "-")
            guard parts.count == 3, let pid = Int32(parts[1]), pid != getpid() else { continue }
            // kill(pid, 0) fails with ESRCH once the process is gone.
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            var info = stat()
            guard lstat("\(base)/\(name)", &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid()
            else { continue }
            let folder = "\(base)/\(name)"
            if let files = try? FileManager.default.contentsOfDirectory(atPath: folder) {
                for file in files { unlink("\(folder)/\(file)") }
            }
            if rmdir(folder) == 0 { removed += 1 }
        }
        return removed
    }
}
