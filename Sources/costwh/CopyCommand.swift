import ArgumentParser
import CostwhModel
import CostwhPipeline
import Foundation

struct CopyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy every current partition from one warehouse to another (SQLite ↔ PostgreSQL).",
        discussion: """
            Each partition is copied atomically, with its rejected rows and its content hash;
            a second run skips partitions the destination already holds, so an interrupted
            copy resumes. Nothing is asked of Azure.
            """)

    @Option(help: "The warehouse to copy from: a SQLite file or a postgres:// URL.")
    var from: String

    @Option(help: "The warehouse to copy to: a SQLite file or a postgres:// URL (created if needed).")
    var to: String

    @Option(help: "Only partitions of this scope.", transform: Parse.scope)
    var scope: Scope?

    @Option(
        name: .long,
        help: "Log level: trace, debug, info, notice, warning, error (default: $COSTWH_LOG_LEVEL, else warning).")
    var logLevel: String?

    func run() throws {
        var global = GlobalOptions()
        global.logFormat = nil
        global.progress = nil
        global.logLevel = logLevel
        let logger = global.makeLogger()
        do {
            let copied = try Copy.run(
                CopyOptions(from: from, to: to, scope: scope, isCancelled: { Interruption.isRequested }), logger: logger
            ) { partition in
                Terminal.status(
                    "\(partition.outcome.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(partition.scope) \(partition.period) \(partition.metric): \(partition.rows) rows"
                )
            }
            let fresh = copied.filter { $0.outcome == .copied }.count
            Terminal.status(
                "copy: \(fresh) copied, \(copied.count - fresh) already there, into \(DatabaseLocation.printable(to))")
        } catch {
            throw error.reported()
        }
    }
}
