import CostwhPipeline
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Stderr output for people: progress when stderr is a terminal, one summary line always.
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("costwh: error: " + message + "\n").utf8))
    }

    static func status(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static func progress(_ message: String) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + message).utf8))
    }

    static func endProgress() {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}

/// Exit codes, documented in the README and in `costwh --help`.
enum ExitCodes {
    static let failure: Int32 = 1
    static let partialFailure: Int32 = 2
    static let usage: Int32 = 64
    static let busy: Int32 = 75
    static let interrupted: Int32 = 130
}

/// SIGINT and SIGTERM ask the running load to stop and roll back instead of dying mid-way.
enum Interruption {
    static let requested = Atomic<Bool>(false)

    static func install() {
        // Past a file-size limit, writes should fail with EFBIG (a clear error and a
        // rollback), not kill the process with SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        let handler: @convention(c) (Int32) -> Void = { _ in
            Interruption.requested.store(true, ordering: .relaxed)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) }
}

extension PipelineError {
    /// Prints the error and exits with the code its kind calls for.
    func exit() -> Never {
        Terminal.endProgress()
        Terminal.error(description)
        if isUsage { Foundation.exit(ExitCodes.usage) }
        if isBusy { Foundation.exit(ExitCodes.busy) }
        if isInterrupted { Foundation.exit(ExitCodes.interrupted) }
        Foundation.exit(ExitCodes.failure)
    }
}
