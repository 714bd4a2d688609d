import ArgumentParser
import CostwhPipeline
import Foundation

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "The nightly job: reload the current and previous month of every configured scope and metric.",
        discussion: """
            A partition loaded successfully in the last 20 hours is skipped unless --force; a report identical \
            to the last load is recorded as unchanged. Example: costwh ingest --config /etc/costwh.json
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var extract: ExtractOptions
    @OptionGroup var output: JobOutputOptions

    @Option(help: "The configuration file (JSON): scopes, metrics, window, endpoint.")
    var config: String

    @Flag(
        help:
            "Reload every partition of the window, even if loaded recently or after it settled (to catch restatements)."
    )
    var force = false

    @Flag(help: "Print which partitions would be requested and why, without calling Azure.")
    var dryRun = false

    @Option(
        help: ArgumentHelp(
            "After the run, bring this Parquet lake up to date (as `costwh export DIR` for the configured scopes; default: the configuration's \"export\").",
            valueName: "DIR"))
    var export: String?

    func run() async throws {
        let started = Date()
        let logger = global.makeLogger()
        global.warnIfExposed(logger)
        global.applyProgressChoice()
        Interruption.install()
        let report: RunReport
        var exportFailure: PipelineError?
        do {
            let file = try IngestConfiguration.load(path: config)
            if let text = try? String(contentsOfFile: config, encoding: .utf8), FileExposure.holdsSecret(text),
                let exposed = FileExposure.warning(for: config, what: "the configuration file, which holds a secret,")
            {
                logger.warning("\(exposed)")
            }
            var settings = try extract.settings(armEndpoint: file.armEndpoint, apiVersion: file.apiVersion)
            try settings.useCredentials(of: file, path: config)
            let databasePath = global.db ?? file.database ?? global.databasePath
            let store = try DatabaseLocation.open(databasePath)
            var options = IngestOptions(
                configuration: file, settings: settings,
                force: force, dryRun: dryRun, isCancelled: { Interruption.isRequested },
                progress: { Terminal.progress($0) })
            options.loadProgress = Terminal.loadProgress()
            let prepared = options
            let (plan, done) = try await Interruption.cancellable { try await Ingest.run(prepared, store: store, logger: logger) }
            report = done
            if dryRun {
                for item in plan {
                    print(
                        "\(item.request ? "request" : "skip   ")  \(item.key)  [\(item.source.rawValue)]  \(item.reason)"
                    )
                }
                return
            }
            if let lake = export ?? file.export {
                // The lake follows the warehouse: what this run changed is rewritten, the rest
                // is left alone. A failed export fails the job but never the loads it follows.
                do {
                    let exported = try Export.run(
                        ExportOptions(databasePath: databasePath, directory: lake, scopes: try file.parsedScopes()),
                        logger: logger)
                    Terminal.status(ExportCommand.summary(exported))
                } catch {
                    exportFailure = error
                }
            }
        } catch let error as PipelineError {
            throw error.reported()
        } catch {
            throw PipelineError.load(.interrupted).reported()
        }
        if let exportFailure { Terminal.error("the lake was not brought up to date: \(exportFailure.description)") }
        try RunOutput.finish(report, title: "ingest", output: output, started: started)
        if exportFailure != nil { throw ExitCode(ExitCodes.failure) }
    }
}
