import ArgumentParser
import CostwhModel
import CostwhPipeline
import CostwhQuery
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Check every loaded partition against its ledger, and the two metrics against each other; exits 1 on a failure."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Only this scope.", transform: Parse.scope) var scope: Scope?
    @OptionGroup var periods: PeriodOptions
    @OptionGroup var display: DisplayOptions

    func run() throws {
        global.warnIfExposed(global.makeLogger())
        do {
            let checks = try Verify.run(databasePath: global.databasePath, scope: scope, periods: periods.range)
            print(try display.render(Verifier.table(checks)), terminator: "")
            let failed = checks.filter { !$0.passed }.count
            Terminal.status("verify: \(checks.count - failed) checks hold, \(failed) fail")
            if failed > 0 { throw ExitCode(ExitCodes.failure) }
        } catch let error as PipelineError {
            throw error.reported()
        }
    }
}
