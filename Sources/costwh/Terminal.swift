import CostwhLoad
import CostwhModel
import CostwhPipeline
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Stderr output for people: progress when stderr is a terminal, one summary line always.
enum Terminal {
    static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// The width of the terminal on stdout (or stderr), else `$COLUMNS`, else 80.
    static var columns: Int {
        var size = winsize()
        for fd: Int32 in [1, 2] where ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return ProcessInfo.processInfo.environment["COLUMNS"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 80
    }

    /// Messages quote file names, header cells and Azure's answers: their control
    /// characters are made visible before they reach the terminal or a log.
    static func error(_ message: String) {
        if jsonLines.withLock({ $0 }) { return event(message, level: .error) }
        FileHandle.standardError.write(
            Data(("costwh: error: " + TerminalText.neutralised(message, keepingNewlines: true) + "\n").utf8))
    }

    static func status(_ message: String) {
        if jsonLines.withLock({ $0 }) { return event(message, level: .notice) }
        FileHandle.standardError.write(Data((TerminalText.neutralised(message, keepingNewlines: true) + "\n").utf8))
    }

    /// With `--log-format json`, every line on stderr is a JSON object: the per-partition
    /// results, the summary and errors too, not only the log lines, so a collector reading
    /// stderr never meets plain text.
    static let jsonLines = Mutex(false)

    private static func event(_ message: String, level: Logger.Level) {
        FileHandle.standardError.write(
            Data(
                JSONLogHandler.line(label: "costwh", level: level, message: message, metadata: [:], source: "costwh")
                    .utf8))
    }

    /// `--progress` (true) or `--no-progress` (false); nil follows the terminal.
    static let progressChoice = Mutex<Bool?>(nil)

    static var showsProgress: Bool { progressChoice.withLock { $0 } ?? stderrIsTerminal }

    static func progress(_ message: String) {
        guard showsProgress else { return }
        // On a terminal the line rewrites itself; elsewhere (--progress into a log) each is a line.
        let text = TerminalText.neutralised(message)
        FileHandle.standardError.write(Data((stderrIsTerminal ? "\r\u{1B}[2K" + text : text + "\n").utf8))
    }

    static func endProgress() {
        guard showsProgress, stderrIsTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }

    /// A load's progress at most five times a second: rows, and with a known size the
    /// percentage, the rate and the time left.
    static func loadProgress(verb: String = "loading") -> @Sendable (LoadProgress) -> Void {
        let meter = ProgressMeter()
        return { p in
            guard showsProgress, let line = meter.line(verb: verb, p) else { return }
            progress(line)
        }
    }
}
