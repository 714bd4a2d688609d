import CostwhModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The `costwh` executable SwiftPM built beside the test bundle (the test targets that run it
/// depend on it, so `swift test` alone builds it), or `$COSTWH_BIN`.
package func costwhExecutable() -> String {
    if let given = ProcessInfo.processInfo.environment["COSTWH_BIN"], !given.isEmpty { return given }
    // The products folder holds both the test bundle and the executables.
    let bundle = Bundle.main.bundleURL
    for folder in [bundle, bundle.deletingLastPathComponent()] {
        let candidate = folder.appendingPathComponent("costwh")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
    }
    return bundle.appendingPathComponent("costwh").path
}

package struct CommandResult: Sendable {
    package let status: Int32
    package let stdout: String
    package let stderr: String
}

/// A child's environment: the given one, with the pinned clock (`COSTWH_NOW`) of this
/// process, so a child and the tests agree on "today" whatever environment a test gives it.
package func childEnvironment(_ environment: [String: String]) -> [String: String] {
    var environment = environment
    if let now = ProcessInfo.processInfo.environment["COSTWH_NOW"], environment["COSTWH_NOW"] == nil {
        environment["COSTWH_NOW"] = now
    }
    return environment
}

package func runCostwh(_ arguments: [String], environment: [String: String]) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: costwhExecutable())
    process.arguments = arguments
    process.environment = childEnvironment(environment)
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
        stderr: String(decoding: stderr, as: UTF8.self))
}

/// Runs `costwh` as a child of this process alone and returns its exit status, its stderr
/// and its peak resident set size in bytes (from `wait4`'s rusage, which covers exactly
/// this child, unlike RUSAGE_CHILDREN).
package func runCostwhMeasuringPeakRSS(_ arguments: [String]) throws -> (status: Int32, stderr: String, peakRSS: Int) {
    let errPath = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-rss-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    let argv = ([costwhExecutable()] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, costwhExecutable(), &actions, nil, argv, environ)
    guard spawned == 0 else { throw POSIXError(POSIXErrorCode(rawValue: spawned) ?? .EINVAL) }
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
    // Linux reports ru_maxrss in KiB. WIFEXITED/WEXITSTATUS by hand: Glibc's macros are not imported.
    let exitStatus: Int32 = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (exitStatus, stderr, Int(usage.ru_maxrss) * 1024)
}
