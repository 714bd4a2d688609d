import CostwhEmulator
import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhTestSupport
import Foundation
import GRDB
import Testing

@Suite(.serialized) struct CostDetailsEndToEndTests {
    @Test(arguments: [
        "/providers/Microsoft.Billing/billingAccounts/8611537",
        "/providers/Microsoft.Billing/billingAccounts/8611537/departments/12",
        "/providers/Microsoft.Billing/billingAccounts/8611537/enrollmentAccounts/456",
        "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31",
        "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB",
        "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB/invoiceSections/XYZ1-AB2",
        "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/customers/cust-1",
        "/subscriptions/00000000-0000-0000-0000-000000000001",
    ])
    func loadsEveryScopeType(scope: String) async throws {
        try await withEmulator { fixture in
            let report = try await reload(fixture, scope: scope, metric: "both")
            #expect(report.results.count == 2)
            #expect(!report.anyFailed, "\(report.lines())")
            let partitions = try rows(
                fixture.databasePath, sql: "SELECT Scope, Metric, RowCount FROM partitions ORDER BY Metric")
            #expect(partitions.count == 2)
            #expect(partitions.allSatisfy { ($0["RowCount"] as Int) > 100 })
            #expect(partitions[0]["Scope"] == (try Scope(parsing: scope)).id)
            let schema = try rows(
                fixture.databasePath, sql: "SELECT COUNT(*) AS n FROM cost_details WHERE BillingCurrency = ?",
                [scope.contains(":") ? "EUR" : "USD"])
            #expect((schema[0]["n"] as Int) > 0)
            #expect(fixture.emulator.statistics["blobRequestsWithAuthorization"] == 0)
        }
    }

    @Test func bodyVariantsReachTheService() async throws {
        try await withEmulator { fixture in
            let session = ExtractSession(settings: fixture.settings, logger: quiet)
            defer { Task { await session.shutdown() } }
            let arm = try ARMClient(
                transport: session.transport, tokens: session.signIn(for: nil).tokens!,
                endpoint: fixture.settings.armEndpoint,
                logger: quiet)
            let client = CostDetailsClient(arm: arm, logger: quiet, defaultPollInterval: 0.05)
            let today = CalendarDate(iso: ISO8601DateFormatter().string(from: Date()))!
            let ea = try Scope(parsing: eaAccount)
            let mca = try Scope(parsing: mcaProfile)
            let requests = [
                CostDetailsRequest(
                    scope: ea, metric: .actualCost,
                    selection: .timePeriod(start: lastMonth.firstDay, end: lastMonth.lastDay)),
                CostDetailsRequest(scope: ea, metric: .amortizedCost, selection: .billingPeriod(lastMonth)),
                CostDetailsRequest(scope: mca, metric: .actualCost, selection: .invoice("M1234567")),
                CostDetailsRequest(
                    scope: ea, metric: .actualCost,
                    selection: .timePeriod(start: lastMonth.firstDay, end: lastMonth.firstDay)),
            ]
            for request in requests {
                let outcome = try await client.requestReport(request, today: today)
                guard case .completed(_, let blobs, _, _) = outcome else {
                    Issue.record("expected a completed report for \(request.selection)")
                    continue
                }
                #expect(blobs.count == 1)
            }
            #expect(fixture.emulator.statistics["generateCostDetailsReport"] == 4)
        }
    }

    @Test func invalidRequestsAreRefusedBeforeAnyCall() async throws {
        try await withEmulator { fixture in
            let session = ExtractSession(settings: fixture.settings, logger: quiet)
            defer { Task { await session.shutdown() } }
            let arm = try ARMClient(
                transport: session.transport, tokens: session.signIn(for: nil).tokens!,
                endpoint: fixture.settings.armEndpoint,
                logger: quiet)
            let client = CostDetailsClient(arm: arm, logger: quiet)
            let today = CalendarDate(year: 2026, month: 11, day: 21)!
            let ea = try Scope(parsing: eaAccount)
            let mca = try Scope(parsing: mcaProfile)
            let sub = try Scope(parsing: "/subscriptions/00000000-0000-0000-0000-000000000001")
            let cases: [(CostDetailsRequest, String)] = [
                (
                    CostDetailsRequest(
                        scope: mca, metric: .actualCost,
                        selection: .billingPeriod(try BillingPeriod(parsing: "2026-10"))), "Enterprise Agreement"
                ),
                (
                    CostDetailsRequest(scope: sub, metric: .actualCost, selection: .invoice("M1")),
                    "billing profile or customer"
                ),
                (
                    CostDetailsRequest(
                        scope: ea, metric: .actualCost,
                        selection: .timePeriod(
                            start: CalendarDate(year: 2026, month: 9, day: 1)!,
                            end: CalendarDate(year: 2026, month: 10, day: 5)!)), "longer than one month"
                ),
                (
                    CostDetailsRequest(
                        scope: ea, metric: .actualCost,
                        selection: .timePeriod(
                            start: CalendarDate(year: 2025, month: 9, day: 1)!,
                            end: CalendarDate(year: 2025, month: 9, day: 30)!)), "13 months"
                ),
                (
                    CostDetailsRequest(
                        scope: ea, metric: .actualCost,
                        selection: .timePeriod(
                            start: CalendarDate(year: 2026, month: 9, day: 10)!,
                            end: CalendarDate(year: 2026, month: 9, day: 1)!)), "ends before it starts"
                ),
                (
                    CostDetailsRequest(
                        scope: ea, metric: .actualCost, selection: .billingPeriod(try BillingPeriod(parsing: "2024-01"))
                    ), "13 months"
                ),
                (
                    CostDetailsRequest(
                        scope: ea, metric: .actualCost,
                        selection: .billingPeriod(try BillingPeriod(parsing: "2026-10")), apiVersion: "latest&x=1"),
                    "api-version"
                ),
            ]
            for (request, expected) in cases {
                do {
                    _ = try await client.requestReport(request, today: today)
                    Issue.record("expected a refusal containing `\(expected)`")
                } catch {
                    #expect(String(describing: error).contains(expected), "\(error)")
                }
            }
            #expect(fixture.emulator.statistics["generateCostDetailsReport"] == nil)
        }
    }

    @Test(arguments: [
        "Retry-After", "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after",
        "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after",
        "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after",
        "x-ms-ratelimit-microsoft.costmanagement-clienttype-retry-after",
        "x-ms-ratelimit-microsoft.consumption-retry-after",
    ])
    func throttlingHonoursEachRetryAfterHeader(header: String) async throws {
        var faults = EmulatorFaults()
        faults.throttle = 2
        faults.throttleHeader = header
        faults.throttleSeconds = 1
        try await withEmulator(faults: faults) { fixture in
            let log = CapturedLog()
            let started = Date()
            let report = try await reload(fixture, logger: log.logger)
            let elapsed = Date().timeIntervalSince(started)
            #expect(!report.anyFailed, "\(report.lines())")
            #expect(elapsed >= 2.0, "two throttles of 1 s each must be waited out, took \(elapsed)")
            #expect(fixture.emulator.statistics["throttled"] == 2)
            #expect(log.all.contains("\"wait_source\": \(header)"), "the log must say which header set the wait")
            #expect(log.all.contains("HTTP 429"))
        }
    }

    @Test func serviceUnavailableIsRetried() async throws {
        var faults = EmulatorFaults()
        faults.unavailable = 2
        try await withEmulator(faults: faults) { fixture in
            let report = try await reload(fixture)
            #expect(!report.anyFailed, "\(report.lines())")
            #expect(fixture.emulator.statistics["unavailable"] == 2)
        }
    }

    @Test func persistentThrottlingGivesUpWithAClearError() async throws {
        var faults = EmulatorFaults()
        faults.throttle = 100
        faults.throttleSeconds = 0
        try await withEmulator(
            faults: faults, retryPolicy: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02)
        ) { fixture in
            let report = try await reload(fixture)
            let error = try #require(failure(report))
            #expect(error.contains("gave up after 3 attempts"))
            #expect(error.contains("429"))
            let ledger = try rows(fixture.databasePath, sql: "SELECT Status, Error FROM loads")
            #expect(ledger.count == 1 && ledger[0]["Status"] == "failed")
        }
    }

    @Test func slowReportsArePolledUntilReady() async throws {
        var faults = EmulatorFaults()
        faults.slowPolls = 4
        try await withEmulator(faults: faults) { fixture in
            let report = try await reload(fixture)
            #expect(!report.anyFailed)
            #expect(fixture.emulator.statistics["costDetailsOperationResults"] == 5)
        }
    }

    @Test func multiBlobAndGzipReportsLoadAsOnePartition() async throws {
        let single = try await withEmulator { fixture in try #require(summary(try await reload(fixture))) }
        var faults = EmulatorFaults()
        faults.blobsPerReport = 3
        faults.gzip = true
        try await withEmulator(faults: faults) { fixture in
            let multi = try #require(summary(try await reload(fixture)))
            #expect(multi.rowsLoaded == single.rowsLoaded)
            #expect(abs(multi.costTotal - single.costTotal) < 1e-6)
            let parts = try rows(fixture.databasePath, sql: "SELECT COUNT(DISTINCT SourcePart) AS n FROM cost_details")
            #expect(parts[0]["n"] == 3)
            #expect(fixture.emulator.statistics["blob"] == 3)
        }
    }

    @Test func expiredLinksGetAFreshReport() async throws {
        var faults = EmulatorFaults()
        faults.expiredLinks = 1
        try await withEmulator(faults: faults) { fixture in
            let report = try await reload(fixture)
            #expect(!report.anyFailed, "\(report.lines())")
            #expect(fixture.emulator.statistics["reportsCreated"] == 2)
            #expect(fixture.emulator.statistics["expiredLinksServed"] == 1)
        }
    }

    @Test func cutDownloadsResume() async throws {
        let single = try await withEmulator { fixture in try #require(summary(try await reload(fixture))) }
        var faults = EmulatorFaults()
        faults.cutDownloads = 2
        try await withEmulator(faults: faults) { fixture in
            let resumed = try #require(summary(try await reload(fixture)))
            #expect(resumed.rowsLoaded == single.rowsLoaded)
            #expect(resumed.contentHash == single.contentHash)
            #expect(fixture.emulator.statistics["downloadsCut"] == 2)
        }
    }

    @Test func failedReportsCarryAzuresCodeAndKeepOldData() async throws {
        var faults = EmulatorFaults()
        faults.failReports = true
        try await withEmulator(faults: faults) { fixture in
            let report = try await reload(fixture)
            let error = try #require(failure(report))
            #expect(error.contains("ReportGenerationFailed"))
            let ledger = try rows(fixture.databasePath, sql: "SELECT Status, Error FROM loads")
            #expect(ledger.first?["Status"] == "failed")
            #expect((ledger.first?["Error"] as String?)?.contains("ReportGenerationFailed") == true)
        }
    }

    @Test(arguments: [true, false])
    func noDataEmptiesThePartition(viaNoContent: Bool) async throws {
        var faults = EmulatorFaults()
        if viaNoContent { faults.noContent = true } else { faults.noData = true }
        try await withEmulator(faults: faults) { fixture in
            let s = try #require(summary(try await reload(fixture)))
            #expect(s.rowsLoaded == 0)
            let partitions = try rows(fixture.databasePath, sql: "SELECT RowCount FROM partitions")
            #expect(partitions.count == 1 && partitions[0]["RowCount"] == 0)
            let detail = try rows(fixture.databasePath, sql: "SELECT SourceDetail FROM loads")
            #expect((detail[0]["SourceDetail"] as String?)?.contains("noData") == true)
        }
    }

    @Test func expiringTokensAreRefreshed() async throws {
        var faults = EmulatorFaults()
        faults.rejectTokensOnce = true
        try await withEmulator(faults: faults) { fixture in
            let report = try await reload(fixture, metric: "both")
            #expect(!report.anyFailed, "\(report.lines())")
            #expect((fixture.emulator.statistics["tokensIssued"] ?? 0) >= 2)
            #expect((fixture.emulator.statistics["tokensRejected"] ?? 0) >= 1)
        }
    }

    @Test func aRefusedStaticTokenFailsNamingTheScope() async throws {
        try await withEmulator(staticToken: "the-right-token") { fixture in
            var settings = fixture.settings
            settings.accessToken = "a-wrong-token"
            let report = try await Backfill.run(
                BackfillOptions(
                    scope: eaAccount, from: lastMonth.description,
                    to: lastMonth.description,
                    metrics: ["actual"], settings: settings, force: true),
                store: try DatabaseLocation.open(fixture.databasePath),
                logger: quiet)
            let error = try #require(failure(report))
            #expect(error.contains("401"))
            #expect(error.contains("InvalidAuthenticationToken"))
            #expect(!error.contains("a-wrong-token"))
        }
    }

    /// A token with a line break inside (a file saved with CR/LF between two lines) is
    /// refused at once, without a request: sent, it would be retried as a connection problem
    /// for minutes.
    @Test func aTokenWithALineBreakIsRefusedAtOnce() async throws {
        try await withEmulator(staticToken: "the-right-token") { fixture in
            var settings = fixture.settings
            settings.accessToken = "the-right\r\n-token"
            let started = Date()
            let report = try await Backfill.run(
                BackfillOptions(
                    scope: eaAccount, from: lastMonth.description,
                    to: lastMonth.description, metrics: ["actual"], settings: settings, force: true),
                store: try DatabaseLocation.open(fixture.databasePath),
                logger: quiet)
            let error = try #require(failure(report))
            #expect(error.contains("a line break"), "\(error)")
            #expect(Date().timeIntervalSince(started) < 5)
            #expect(fixture.emulator.statistics["generateCostDetailsReport", default: 0] == 0)
        }
    }

    @Test func plainHTTPIsRefusedExceptToLoopback() async throws {
        #expect(throws: ExtractError.self) { try HTTPTransport.checkSafe(url: "http://management.example.com/x") }
        #expect(throws: ExtractError.self) { try HTTPTransport.checkSafe(url: "ftp://127.0.0.1/x") }
        try HTTPTransport.checkSafe(url: "http://127.0.0.1:8080/x")
        try HTTPTransport.checkSafe(url: "http://[::1]:8080/x")
        try HTTPTransport.checkSafe(url: "https://management.azure.com/x")
        let settings = ExtractSettings(armEndpoint: "http://management.example.com", accessToken: "t", environment: [:])
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-http-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = try await Backfill.run(
            BackfillOptions(
                scope: eaAccount,
                from: lastMonth.description,
                to: lastMonth.description, metrics: ["actual"], settings: settings, force: true),
            store: try DatabaseLocation.open(dir.appendingPathComponent("w.sqlite").path),
            logger: quiet)
        #expect(failure(report)?.contains("refusing plain http://") == true)
    }
}

/// A credential that counts how often it is asked, with tokens of a set lifetime.
final class CountingCredential: TokenCredential, @unchecked Sendable {
    let lifetime: TimeInterval
    private(set) var calls = 0
    init(lifetime: TimeInterval) { self.lifetime = lifetime }
    var name: String { "counting" }
    var canRefresh: Bool { true }
    func fetchToken(_ transport: HTTPTransport) async throws(ExtractError) -> AccessToken {
        calls += 1
        return AccessToken(token: "token-\(calls)", expiresOn: Date().addingTimeInterval(lifetime))
    }
}

@Suite struct TokenCacheTests {
    @Test func tokensAreReusedUntilCloseToExpiry() async throws {
        let transport = HTTPTransport(logger: quiet)
        defer { Task { await transport.shutdown() } }
        let longLived = CountingCredential(lifetime: 3600)
        let cache = TokenCache(credential: longLived, margin: 300)
        let first = try await cache.token(transport)
        let second = try await cache.token(transport)
        #expect(first == second && longLived.calls == 1)
        let forced = try await cache.token(transport, forceRefresh: true)
        #expect(forced != first && longLived.calls == 2)

        let shortLived = CountingCredential(lifetime: 60)
        let refreshing = TokenCache(credential: shortLived, margin: 300)
        _ = try await refreshing.token(transport)
        _ = try await refreshing.token(transport)
        #expect(shortLived.calls == 2, "a token within the margin of its expiry is refreshed before use")
    }

    @Test func theChainFollowsTheSDKOrder() throws {
        let sp = [
            "AZURE_TENANT_ID": "t", "AZURE_CLIENT_ID": "c", "AZURE_CLIENT_SECRET": "s",
            "AZURE_FEDERATED_TOKEN_FILE": "/f", "PATH": "/nonexistent",
        ]
        #expect(try Credentials.chain(explicitToken: "x", environment: sp) is StaticTokenCredential)
        #expect(
            try Credentials.chain(explicitToken: nil, environment: sp.merging(["COSTWH_ACCESS_TOKEN": "y"]) { $1 })
                is StaticTokenCredential)
        #expect(try Credentials.chain(explicitToken: nil, environment: sp) is ClientSecretCredential)
        var workload = sp
        workload["AZURE_CLIENT_SECRET"] = nil
        #expect(try Credentials.chain(explicitToken: nil, environment: workload) is WorkloadIdentityCredential)
        let managed = ["IDENTITY_ENDPOINT": "http://127.0.0.1:1/msi", "IDENTITY_HEADER": "h", "PATH": "/nonexistent"]
        #expect(try Credentials.chain(explicitToken: nil, environment: managed) is ManagedIdentityCredential)
        #expect(throws: ExtractError.self) {
            try Credentials.chain(explicitToken: nil, environment: ["PATH": "/nonexistent"])
        }
        #expect(throws: ExtractError.self) {
            try Credentials.chain(
                explicitToken: nil, environment: sp.merging(["AZURE_AUTHORITY_HOST": "http://login.example.com"]) { $1 }
            )
        }
    }
}
