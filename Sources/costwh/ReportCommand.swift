import ArgumentParser
import CostwhModel
import CostwhPipeline

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract:
            "Write a self-contained HTML report: daily and monthly charts, totals, utilisation and top beneficiaries.",
        discussion: "Example: costwh report --html costs.html --from 2026-09 --to 2026-11")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The HTML file to write.") var html: String
    @Option(help: "Only this scope.", transform: Parse.scope) var scope: Scope?
    @OptionGroup var periods: PeriodOptions
    @Option(help: "Rows in the top-benefit table.") var top: Int = 10

    func run() throws {
        global.warnIfExposed(global.makeLogger())
        do {
            try Report.write(
                databasePath: global.databasePath, html: html, scope: scope, periods: periods.range, top: top)
            Terminal.status("wrote \(html)")
        } catch {
            throw error.reported()
        }
    }
}
