import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process's wall time, its own peak RSS (from `wait4`, not this process's) and status.
package struct Spawned: Sendable {
    package let seconds: Double
    package let rssMiB: Double
    package let status: Int32
}

/// Running the measured commands, and the clock and file sizes figures are made of.
package enum Processes {
    /// The monotonic clock, in seconds.
    package static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    package static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// When the file was last modified, in seconds since 1970 (0 when it is not there): a copy
    /// made from it is stale when this changes.
    package static func modified(_ path: String) -> Int {
        Int(((try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date)?
            .timeIntervalSince1970 ?? 0)
    }

    /// This process's peak RSS (the in-process figures: parse, normalise).
    package static func selfPeakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// Runs a command to its end, stdin from a file when given, stdout discarded when quiet.
    /// posix_spawn, not Process: the child's peak RSS comes from `wait4`'s usage.
    @discardableResult
    package static func spawn(_ argv: [String], stdin: String? = nil, quiet: Bool = true) throws(BenchError) -> Spawned
    {
        guard let program = argv.first else { throw BenchError("nothing to run") }
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin { posix_spawn_file_actions_addopen(&actions, 0, stdin, O_RDONLY, 0) }
        if quiet { posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0) }
        let cArgs = argv.map { strdup($0) } + [nil]
        defer { cArgs.forEach { free($0) } }
        let start = now()
        let started = posix_spawn(&pid, program, &actions, nil, cArgs, environ)
        guard started == 0 else { throw BenchError("cannot run \(program): \(String(cString: strerror(started)))") }
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        return Spawned(seconds: now() - start, rssMiB: Double(usage.ru_maxrss) / 1024, status: status)
    }

    /// Runs a command that must succeed; `what` names it in the error.
    @discardableResult
    package static func run(_ argv: [String], _ what: String, stdin: String? = nil) throws(BenchError) -> Spawned {
        let result = try spawn(argv, stdin: stdin)
        guard result.status == 0 else { throw BenchError("\(what) failed (status \(result.status))") }
        return result
    }

    /// What a command printed, trimmed (sqlite3's and psql's answers); empty when it cannot run.
    package static func output(_ argv: [String]) -> String {
        guard let program = argv.first else { return "" }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = Array(argv.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return "" }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Removes a SQLite database and its companions.
    package static func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm", ".lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    /// The first executable of `candidates`.
    package static func find(_ candidates: [String]) -> String? {
        candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
