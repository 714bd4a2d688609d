import Foundation

/// The phases a `costwh` process wrote to its `COSTWH_PROBE_FILE` (see `PhaseProbe`).
package struct ProbeLog: Sendable {
    package let path: String

    package init(path: String) {
        self.path = path
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Each phase with the wall-clock second it was entered.
    package var entries: [(phase: String, time: Double)] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "\t")
            guard parts.count == 2, let time = Double(parts[1]) else { return nil }
            return (String(parts[0]), time)
        }
    }

    package var last: String? { entries.last?.phase }

    /// The environment that makes a child process write here, and pause in some phases.
    package func environment(pauses: [String: Double] = [:], base: [String: String]? = nil) -> [String: String] {
        var env = childEnvironment(base ?? ProcessInfo.processInfo.environment)
        env["COSTWH_PROBE_FILE"] = path
        if !pauses.isEmpty {
            env["COSTWH_PROBE_PAUSE"] = pauses.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
        return env
    }
}

/// Sends SIGKILL once the process's last recorded phase matches `phase` (a prefix match, so
/// `migration:` matches any migration); returns false when the process ended first.
@discardableResult
package func kill(_ process: Process, when probe: ProbeLog, reaches phase: String, timeout: Double = 30) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline {
        if let last = probe.last, last.hasPrefix(phase) {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return true
        }
        usleep(500)
    }
    if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    process.waitUntilExit()
    return false
}

/// Counts of kills per phase, printed so `docs/RELIABILITY.md` can quote a typical run.
package struct PhaseTally: CustomStringConvertible {
    package private(set) var counts: [String: Int] = [:]
    package init() {}
    package mutating func add(_ phase: String) { counts[phase, default: 0] += 1 }
    package subscript(_ phase: String) -> Int { counts[phase] ?? 0 }
    package var description: String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
    }
}
