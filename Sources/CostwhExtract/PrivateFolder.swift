import Foundation

/// A temporary folder readable by its owner only, removed when the work is done.
public final class PrivateFolder: Sendable {
    public let path: String

    public init(prefix: String = "costwh") throws(ExtractError) {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw .cannotOpen(path: base, reason: "cannot create a private temporary folder: \(String(cString: strerror(errno)))")
        }
        path = String(cString: made)
        chmod(path, 0o700)
    }

    /// Creates a new empty file, mode 0600; returns its path and an open descriptor.
    public func createFile(named name: String) throws(ExtractError) -> (String, Int32) {
        let file = "\(path)/\(name)"
        let fd = open(file, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: file, reason: String(cString: strerror(errno))) }
        return (file, fd)
    }

    public func removeAll() {
        if let names = try? FileManager.default.contentsOfDirectory(atPath: path) {
            for name in names { unlink("\(path)/\(name)") }
        }
    }

    /// Removes the folder and everything in it.
    public func remove() {
        removeAll()
        rmdir(path)
    }

    deinit { remove() }
}
