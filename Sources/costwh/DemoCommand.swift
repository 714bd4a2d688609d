import ArgumentParser
import CostwhEmulator
import CostwhPipeline
import CostwhQuery
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Try costwh without Azure: ingest three months of an EA and an MCA scope from the built-in emulator.")

    @Option(help: "The database to fill (default ./costwh-demo.sqlite).")
    var db: String = Demo.defaultDatabase

    @Option(help: "Synthetic rows per scope, month and metric.")
    var rowsPerMonth: Int = 2_000

    @Option(name: .long, help: "Log level (default warning).")
    var logLevel: String?

    func run() async throws {
        var global = GlobalOptions()
        global.logFormat = nil
        global.progress = nil
        global.logLevel = logLevel
        let logger = global.makeLogger()
        do {
            let outcome = try await Demo.run(
                databasePath: db, rowsPerMonth: rowsPerMonth, logger: logger, progress: { Terminal.progress($0) })
            Terminal.endProgress()
            for line in outcome.report.lines() { Terminal.status(line) }
            print(Demo.summary(outcome, database: db), terminator: "")
            if outcome.report.anyFailed { throw ExitCode(ExitCodes.partialFailure) }
        } catch let error as PipelineError {
            throw error.reported()
        }
    }
}
