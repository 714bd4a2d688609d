import CostwhModel
import CostwhPipeline
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Stderr output for people: progress when stderr is a terminal, one summary line always.
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// Messages quote file names, header cells and Azure's answers: their control
    /// characters are made visible before they reach the terminal or a log.
    static func error(_ message: String) {
        FileHandle.standardError.write(
            Data(("costwh: error: " + TerminalText.neutralised(message, keepingNewlines: true) + "\n").utf8))
    }

    static func status(_ message: String) {
        FileHandle.standardError.write(Data((TerminalText.neutralised(message, keepingNewlines: true) + "\n").utf8))
    }

    static func progress(_ message: String) {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data(("\r\u{1B}[2K" + TerminalText.neutralised(message)).utf8))
    }

    static func endProgress() {
        guard stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
