import ArgumentParser
import CostwhEmulator
import CostwhModel
import Foundation

struct EmulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulate",
        abstract: "Serve the Azure emulator on loopback until interrupted.",
        discussion: "Point costwh at it with --arm-endpoint and the AZURE_* variables it prints.")

    @Option(help: "Port (0 picks a free one).") var port: Int = 8_765
    @Option(help: "Serve HTTPS with this PEM certificate (with --tls-key), for clients that refuse plain HTTP.")
    var tlsCert: String?
    @Option(help: "The PEM private key of --tls-cert.") var tlsKey: String?
    @Option(help: "Address to bind; loopback unless you say otherwise.") var host: String = "127.0.0.1"
    @Option(help: "Synthetic rows per scope, month and metric.") var rowsPerMonth: Int = 2_000
    @Option(help: "Seconds the client is told to wait between polls.") var pollRetryAfter: Int = 1
    @Option(help: "Answer the first N report requests with 429.") var throttle: Int = 0
    @Option(
        help:
            "Header carrying the 429 wait (Retry-After or x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after, …).")
    var throttleHeader: String = "Retry-After"
    @Option(help: "Seconds of the 429 wait.") var throttleSeconds: Int = 1
    @Option(help: "Answer the first N report requests with 503.") var unavailable: Int = 0
    @Option(help: "Extra 202 answers before a report is ready.") var slowPolls: Int = 0
    @Option(help: "Blobs per report.") var blobsPerReport: Int = 1
    @Flag(help: "Serve gzip blobs.") var gzip = false
    @Flag(help: "Serve report blobs as Parquet (Snappy), as exports in Parquet are.") var parquet = false
    @Flag(help: "Generate each Cost Details report once and serve the same bytes again (for benchmarks).")
    var keepReports = false
    @Option(help: "Refuse the links of the first N reports, as expired links are.") var expiredLinks: Int = 0
    @Option(help: "Cut the first N blob downloads half-way.") var cutDownloads: Int = 0
    @Flag(help: "End reports with status Failed.") var failReports = false
    @Flag(help: "End reports with status NoDataFound.") var noData = false
    @Flag(help: "Answer report requests with 204 No Content.") var noContent = false
    @Option(help: "Seconds a token lives.") var tokenLifetime: Int = 3_600
    @Flag(help: "Refuse the first token once, as an expired token is refused.") var rejectTokensOnce = false
    @Flag(help: "generateDetailedCostReport: write status as an object.") var statusAsObject = false
    @Option(help: "generateDetailedCostReport: end with Failed, NoDataFound or TimedOut.") var detailedFinalStatus:
        String?
    @Flag(help: "generateDetailedCostReport: answer 413 (over 2 GB).") var tooLarge = false
    @Option(help: "Records per usageDetails / EA Reporting JSON page.") var pageSize: Int = 100
    @Option(
        help: ArgumentHelp(
            "Restate a month: each later report of it changes this share of its usage rows (repeatable).",
            valueName: "YYYY-MM=SHARE"),
        transform: EmulateCommand.restatement)
    var restate: [(BillingPeriod, Double)] = []
    @Option(
        name: .customLong("tenant"),
        help: ArgumentHelp(
            "Serve another tenant (repeatable): its tenant id, client id, secret and scopes; its tokens work on its scopes only.",
            valueName: "TENANT:CLIENT:SECRET:SCOPE[,SCOPE…]"),
        transform: EmulateCommand.tenant)
    var tenants: [EmulatorTenant] = []

    static func tenant(_ text: String) throws -> EmulatorTenant {
        let parts = text.split(separator: ":", maxSplits: 3).map(String.init)
        guard parts.count == 4, !parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else {
            throw ValidationError("--tenant takes TENANT:CLIENT:SECRET:SCOPE[,SCOPE…]")
        }
        return EmulatorTenant(
            tenantId: parts[0], clientId: parts[1], clientSecret: parts[2],
            scopes: parts[3].split(separator: ",").map(String.init))
    }

    static func restatement(_ text: String) throws -> (BillingPeriod, Double) {
        let parts = text.split(separator: "=")
        guard parts.count == 2, let share = Double(parts[1]), (0...1).contains(share),
            let period = try? BillingPeriod(parsing: String(parts[0]))
        else {
            throw ValidationError("--restate takes YYYY-MM=SHARE with a share from 0 to 1, e.g. 2026-09=0.05")
        }
        return (period, share)
    }

    func run() async throws {
        var configuration = EmulatorConfiguration()
        configuration.port = port
        configuration.host = host
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?): configuration.tls = (cert, key)
        case (nil, nil): break
        default: throw ValidationError("--tls-cert and --tls-key go together")
        }
        configuration.rowsPerMonth = rowsPerMonth
        configuration.pollRetryAfter = pollRetryAfter
        configuration.keepReports = keepReports
        var faults = EmulatorFaults()
        faults.throttle = throttle
        faults.throttleHeader = throttleHeader
        faults.throttleSeconds = throttleSeconds
        faults.unavailable = unavailable
        faults.slowPolls = slowPolls
        faults.blobsPerReport = blobsPerReport
        faults.gzip = gzip
        faults.parquet = parquet
        faults.expiredLinks = expiredLinks
        faults.cutDownloads = cutDownloads
        faults.failReports = failReports
        faults.noData = noData
        faults.noContent = noContent
        faults.tokenLifetime = tokenLifetime
        faults.rejectTokensOnce = rejectTokensOnce
        faults.statusAsObject = statusAsObject
        faults.detailedFinalStatus = detailedFinalStatus
        faults.tooLarge = tooLarge
        faults.pageSize = pageSize
        configuration.faults = faults
        configuration.tenants = tenants
        for (period, share) in restate { configuration.restatements[period] = share }
        var global = GlobalOptions()
        global.logFormat = nil
        global.progress = nil
        global.logLevel = "info"
        let emulator = AzureEmulator(configuration: configuration, logger: global.makeLogger())
        try await emulator.start()
        print(
            """
            Azure emulator listening on \(emulator.baseURL)
              export COSTWH_ARM_ENDPOINT=\(emulator.baseURL)
              export AZURE_AUTHORITY_HOST=\(emulator.baseURL)
              export AZURE_TENANT_ID=\(configuration.tenantId)
              export AZURE_CLIENT_ID=\(configuration.clientId)
              export AZURE_CLIENT_SECRET=\(configuration.clientSecret)
              export COSTWH_EA_ENDPOINT=\(emulator.baseURL) COSTWH_EA_API_KEY=\(configuration.eaApiKey)
            """)
        // Scripts read these lines through a pipe, where stdout is buffered until exit.
        fflush(nil)
        try await emulator.wait()
    }
}
