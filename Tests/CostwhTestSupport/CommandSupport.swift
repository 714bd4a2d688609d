import Foundation

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

package func runCostwh(_ arguments: [String], environment: [String: String]) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: costwhExecutable())
    process.arguments = arguments
    process.environment = environment
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

