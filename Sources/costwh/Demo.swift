import CostwhEmulator
import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhQuery
import Foundation
import Logging

/// `costwh demo`'s wiring: the emulator in-process (only the executable links it), three months of both metrics for an EA and an
/// MCA scope, then the actual-versus-amortized summary. No Azure account needed.
enum Demo {
    static let eaScope = "/providers/Microsoft.Billing/billingAccounts/8611537"
    static let mcaScope =
        "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB"
    static let defaultDatabase = "costwh-demo.sqlite"

    struct Outcome: Sendable {
        let report: RunReport
        let totals: ResultTable
        let from: BillingPeriod
        let to: BillingPeriod
    }

    static func run(
        databasePath: String, rowsPerMonth: Int = 2_000, months: Int = 3, logger: Logger,
        progress: (@Sendable (String) -> Void)? = nil
    ) async throws(PipelineError) -> Outcome {
        var configuration = EmulatorConfiguration()
        configuration.rowsPerMonth = rowsPerMonth
        configuration.pollRetryAfter = 0
        let emulator = AzureEmulator(configuration: configuration, logger: logger)
        do { try await emulator.start() } catch { throw .usage("cannot start the Azure emulator: \(error)") }
        progress?("Azure emulator on \(emulator.baseURL)")
        var environment = ProcessInfo.processInfo.environment
        environment["AZURE_TENANT_ID"] = configuration.tenantId
        environment["AZURE_CLIENT_ID"] = configuration.clientId
        environment["AZURE_CLIENT_SECRET"] = configuration.clientSecret
        environment["AZURE_AUTHORITY_HOST"] = emulator.baseURL
        environment["COSTWH_ACCESS_TOKEN"] = nil
        let settings = ExtractSettings(
            armEndpoint: emulator.baseURL, environment: environment, defaultPollInterval: 0.2)
        let today = Ingest.today(Date())
        let to = today.billingPeriod
        let from = to.adding(months: -(max(1, months) - 1))
        var report = RunReport()
        do throws(PipelineError) {
            let store = try DatabaseLocation.open(databasePath)
            for scope in [eaScope, mcaScope] {
                let options = BackfillOptions(
                    scope: try! Scope(parsing: scope), from: from, to: to,
                    metrics: [.actualCost, .amortizedCost],
                    settings: settings, force: true, progress: progress)
                let part = try await Backfill.run(options, store: store, logger: logger)
                report.results += part.results
            }
        } catch {
            await emulator.stop()
            throw error
        }
        await emulator.stop()
        let totals = try Query.run(
            QueryOptions(databasePath: databasePath, name: "totals", periods: PeriodRange(from: from, to: to)))
        return Outcome(report: report, totals: totals, from: from, to: to)
    }

    /// What the demo ends with, in at most 100 columns: per scope and month actual against
    /// amortized, the largest cause of the difference and commitment utilisation, then where
    /// to go next.
    static func summary(_ outcome: Outcome, database: String) -> String {
        let width = 100
        let summary = DifferenceSummary.table(fromTotals: outcome.totals)
        let layout = TableLayout(width: width, hidden: ["Scope", "Currency"])
        var out = "\nActual versus amortized cost, \(outcome.from) to \(outcome.to)\n"
        var scopes: [String] = []
        for row in summary.rows {
            if case .text(let scope) = row[0], !scopes.contains(scope) { scopes.append(scope) }
        }
        for scope in scopes {
            let rows = summary.rows.filter { $0[0] == .text(scope) }
            out += "\n" + TableFormatter.cut("\(layout.shortName(scope))  \(scope)", to: width) + "\n"
            out += TableFormatter.render(ResultTable(columns: summary.columns, rows: rows), as: .table, layout: layout)
        }
        // A URL is shown without its password; its own client is psql, not sqlite3.
        let shown = DatabaseLocation.printable(database)
        let sql = "'SELECT * FROM cost_details LIMIT 5'"
        let client = shown == database ? "sqlite3 \(database) \(sql)" : "psql (search_path set to costwh's schema)"
        let next = [
            ("costwh report --db \(shown) --html costwh-demo.html", "a report to open or send on"),
            ("costwh query --list --db \(shown)", "the canned queries: totals, savings, commitments…"),
            ("costwh runs --db \(shown)", "the ledger of every load"),
            (client, "your own SQL on the cost_details view"),
        ]
        out += """

            Difference = amortized − actual. Actual has commitments in the month they are bought; amortized
            spreads them over their term. Purchases lower the difference, amortized use and unused
            commitments (RI: reservations, SP: savings plans) raise it. UsedPercent: commitment utilisation.

            Next:

            """
        for (command, what) in next {
            // Whole, to be copied: only a very long database path makes one wider than 100.
            out += "  \(command)\n"
            out += "      \(what)\n"
        }
        return out
    }
}
