import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where a run is, for the kill and reader tests that must prove a kill or a read landed in
/// the dangerous moment (mid-migration, mid-download, inside the write transaction, during
/// commit). Off unless `COSTWH_PROBE_FILE` names a file: then each phase is appended to it as
/// one line, `phase<TAB>seconds-since-1970`, with one `write(2)` on an `O_APPEND` descriptor,
/// so a `kill -9` leaves whole lines and the last one says where the process died.
///
/// `COSTWH_PROBE_PAUSE=phase=seconds,…` holds the process in a phase after marking it, so a
/// test can widen a window that is otherwise microseconds long (one migration, a commit).
/// Neither variable changes what is written to the database.
package enum PhaseProbe {
    private static let descriptor: Int32 = {
        guard let path = ProcessInfo.processInfo.environment["COSTWH_PROBE_FILE"], !path.isEmpty else { return -1 }
        return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
    }()

    private static let pauses: [String: Double] = {
        guard let text = ProcessInfo.processInfo.environment["COSTWH_PROBE_PAUSE"] else { return [:] }
        var out: [String: Double] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let seconds = Double(parts[1]) { out[String(parts[0])] = seconds }
        }
        return out
    }()

    /// True when a probe file is set; callers skip building phase names otherwise.
    package static var isActive: Bool { descriptor >= 0 }

    /// Records that the process entered `phase` (a short word such as `commit` or
    /// `migration:0002_x`); pauses when the phase's name, or its part before `:`, is listed.
    package static func mark(_ phase: @autoclosure () -> String) {
        guard descriptor >= 0 else { return }
        let name = phase()
        let line = "\(name)\t\(String(format: "%.6f", Date().timeIntervalSince1970))\n"
        _ = line.utf8CString.withUnsafeBufferPointer { buffer in
            write(descriptor, buffer.baseAddress, buffer.count - 1)
        }
        let key = name.split(separator: ":", maxSplits: 1).first.map(String.init) ?? name
        if let seconds = pauses[name] ?? pauses[key], seconds > 0 {
            usleep(useconds_t(seconds * 1_000_000))
        }
    }
}
