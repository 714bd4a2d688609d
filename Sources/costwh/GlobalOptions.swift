import ArgumentParser
import CostwhPipeline
import Foundation
import Logging

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "The warehouse: a SQLite file, or a postgres:// URL (default: $COSTWH_DB, else ./costwh.sqlite).")
    var db: String?

    @Option(
        name: .long,
        help: "Log level: trace, debug, info, notice, warning, error (default: $COSTWH_LOG_LEVEL, else warning).")
    var logLevel: String?

    @Option(
        name: .long,
        help:
            "Log lines as text, or json: one object per line for log collectors (default: $COSTWH_LOG_FORMAT, else text)."
    )
    var logFormat: String?

    @Flag(
        name: .customLong("progress"), inversion: .prefixedNo,
        help: "Show progress on stderr (default: only when stderr is a terminal).")
    var progress: Bool?

    var databasePath: String { DatabaseLocation.resolve(db) }

    /// Applies `--progress` / `--no-progress`. Commands that build their options by hand
    /// (copy, demo, emulate) do not call this: an unset option wrapper cannot be read.
    func applyProgressChoice() {
        Terminal.progressChoice.withLock { $0 = progress }
    }

    func validate() throws {
        if let logFormat, !["text", "json"].contains(logFormat.lowercased()) {
            throw ValidationError("--log-format takes text or json, not \(logFormat)")
        }
    }

    /// Warns when the warehouse file can be read by other users (costwh creates it 0600; an
    /// existing one keeps its mode). Not for options made by hand (copy, demo, emulate).
    func warnIfExposed(_ logger: Logger) {
        if let exposed = FileExposure.warning(for: databasePath, what: "the warehouse") {
            logger.warning("\(exposed)")
        }
    }

    /// Only the executable bootstraps logging; libraries just take a Logger.
    func makeLogger() -> Logger {
        let text = logLevel ?? ProcessInfo.processInfo.environment["COSTWH_LOG_LEVEL"] ?? "warning"
        let level = Logger.Level(rawValue: text.lowercased()) ?? .warning
        let format = (logFormat ?? ProcessInfo.processInfo.environment["COSTWH_LOG_FORMAT"] ?? "text").lowercased()
        LoggingBootstrap.once(level: level, json: format == "json")
        var logger = Logger(label: "costwh")
        logger.logLevel = level
        return logger
    }
}

enum LoggingBootstrap {
    private static let done = LockedFlag()

    static func once(level: Logger.Level, json: Bool = false) {
        guard done.setIfUnset() else { return }
        Terminal.jsonLines.withLock { $0 = json }
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, logLevel: level) }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}

final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    /// Sets the flag; returns true the first time only.
    func setIfUnset() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if value { return false }
        value = true
        return true
    }
}
