import ArgumentParser
import CostwhModel
import CostwhPipeline
import CostwhQuery
import Foundation

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check a configuration before the first night: sign-in, scopes, clock, database, disk.",
        discussion: """
            One line per check; each problem says what to do about it. Exits 1 when a check finds a problem. \
            Example: costwh doctor --config /etc/costwh.json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var extract: ExtractOptions

    @Option(help: "The nightly job's configuration file: its scopes, database and endpoint.")
    var config: String?

    @Option(
        name: .customLong("scope"), help: ArgumentHelp("A scope to check, repeatable.", valueName: "scope"),
        transform: Parse.scope)
    var scopes: [Scope] = []

    @Option(help: "text: a line per check; json: one object per check.")
    var format: RunFormat = .text

    func validate() throws {
        if config == nil && scopes.isEmpty { throw ValidationError("give --config FILE or at least one --scope") }
    }

    /// The scopes, database and endpoint: from the flags and the configuration file.
    func options() throws(PipelineError) -> DoctorOptions {
        var scopes = self.scopes
        var database = global.databasePath
        var settings = try extract.settings()
        if let config {
            let file = try IngestConfiguration.load(path: config)
            scopes += try file.parsedScopes()
            database = global.db ?? file.database ?? global.databasePath
            settings = try extract.settings(armEndpoint: file.armEndpoint, apiVersion: file.apiVersion)
            try settings.useCredentials(of: file, path: config)
        }
        var seen = Set<String>()
        scopes = scopes.filter { seen.insert($0.id).inserted }
        return DoctorOptions(databasePath: database, scopes: scopes, settings: settings)
    }

    func run() async throws {
        let logger = global.makeLogger()
        global.warnIfExposed(logger)
        let prepared: DoctorOptions
        do { prepared = try options() } catch { throw error.reported() }
        let checks = await Doctor.run(prepared, logger: logger)
        if format == .json {
            print(DoctorCommand.json(checks), terminator: "")
        } else {
            for check in checks { print(DoctorCommand.line(check)) }
        }
        let problems = checks.filter { $0.outcome == .problem }.count
        Terminal.status(
            problems == 0 ? "doctor: \(checks.count) checks, no problems" : "doctor: \(problems) problem(s) to fix")
        if problems > 0 { throw ExitCode(ExitCodes.failure) }
    }

    /// `ok       sign-in: …`, or `PROBLEM  scope …: … Fix: …` on one line.
    static func line(_ check: DoctorCheck) -> String {
        let label = ["ok": "ok      ", "warning": "warning ", "problem": "PROBLEM "][check.outcome.rawValue]!
        var text = "\(label) \(check.check): \(check.detail)"
        if let fix = check.fix { text += ". Fix: \(fix)" }
        return TerminalText.neutralised(text)
    }

    static func json(_ checks: [DoctorCheck]) -> String {
        checks.map { c in
            "{\"check\": \(JSONOutput.quoted(c.check)), \"outcome\": \"\(c.outcome.rawValue)\", \"detail\": \(JSONOutput.quoted(c.detail)), \"fix\": \(c.fix.map(JSONOutput.quoted) ?? "null")}\n"
        }.joined()
    }
}
