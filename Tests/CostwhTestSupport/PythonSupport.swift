import Foundation

/// The Python interpreter of the test tools' virtual environment (`COSTWH_TEST_PYTHON`;
/// `.ci/run` makes it from scripts/test-tools.txt). Tests that drive Microsoft's SDKs, pyarrow,
/// DuckDB or the FOCUS validator are skipped with `skipMessage` without it, unless
/// `COSTWH_REQUIRE_PYTHON_TOOLS` is set (CI), where they fail instead.
package enum TestPython {
    package static let interpreter: String? = {
        let value = ProcessInfo.processInfo.environment["COSTWH_TEST_PYTHON"]
        return value?.isEmpty == false ? value : nil
    }()

    package static let required = ProcessInfo.processInfo.environment["COSTWH_REQUIRE_PYTHON_TOOLS"] != nil

    package static var available: Bool { interpreter != nil || required }

    package static let skipMessage =
        "no Python test tools: set COSTWH_TEST_PYTHON to a python with scripts/test-tools.txt installed (python3.12 -m venv V && V/bin/pip install -r scripts/test-tools.txt)"

    /// The repository's root, for its scripts.
    package static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// Runs a script of `scripts/` with the tools' interpreter; returns its status and output.
    package static func run(script: String, _ arguments: [String], environment: [String: String]? = nil) throws
        -> (status: Int32, output: String)
    {
        guard let interpreter else { throw TestPythonMissing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [repository.appendingPathComponent("scripts/\(script)").path] + arguments
        if let environment { process.environment = childEnvironment(environment) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

package struct TestPythonMissing: Error, CustomStringConvertible {
    package var description: String { "COSTWH_REQUIRE_PYTHON_TOOLS is set but COSTWH_TEST_PYTHON is not" }
}
