import CostwhEmulator
import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhTestSupport
import Foundation
import GRDB
import Synchronization
import Testing

@Suite(.serialized) struct IngestTests {
    func configuration(_ scopes: [String], database: String? = nil) -> IngestConfiguration {
        var config = IngestConfiguration(
            scopes: scopes.map { IngestConfiguration.ScopeEntry(scope: $0, metrics: nil, source: nil) })
        config.database = database
        return config
    }

    /// 02:00 on day 3 of costwh's current month: the previous month has not settled. Taken
    /// from costwh's clock (`COSTWH_NOW` moves it), as the ledger's timestamps are.
    static func dayThree() -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: CostwhClock.now())
        return calendar.date(from: DateComponents(year: parts.year, month: parts.month, day: 3, hour: 2))!
    }

    @Test func ingestSkipsRecentLoadsAndRecordsUnchangedReports() async throws {
        try await withEmulator { fixture in
            let config = configuration([eaAccount, mcaProfile])
            // Day 3 of a month: the previous month has not settled, so both months are asked for.
            let now = IngestTests.dayThree()
            var options = IngestOptions(
                configuration: config, settings: fixture.settings, now: now)

            let (plan, first) = try await Ingest.run(
                options, store: try DatabaseLocation.open(fixture.databasePath), logger: quiet)
            #expect(plan.count == 8)
            #expect(plan.allSatisfy { $0.request })
            #expect(first.results.count == 8)
            #expect(!first.anyFailed, "\(first.lines())")

            // Two hours later: everything was loaded within 20 h and is skipped.
            options.now = now.addingTimeInterval(2 * 3600)
            let (_, second) = try await Ingest.run(
                options, store: try DatabaseLocation.open(fixture.databasePath), logger: quiet)
            #expect(second.results.allSatisfy { if case .skipped = $0.outcome { true } else { false } })
            let reportsAfterSkip = fixture.emulator.statistics["reportsCreated"]
            #expect(reportsAfterSkip == 8, "a skipped partition costs no request")

            // Forced: the reports are requested again, are identical, and rewrite nothing.
            let before = try rows(
                fixture.databasePath,
                sql: "SELECT Scope, BillingPeriod, Metric, LoadId FROM partitions ORDER BY 1, 2, 3")
            options.force = true
            let (_, third) = try await Ingest.run(
                options, store: try DatabaseLocation.open(fixture.databasePath), logger: quiet)
            #expect(
                third.results.allSatisfy { if case .unchanged = $0.outcome { true } else { false } }, "\(third.lines())"
            )
            let after = try rows(
                fixture.databasePath,
                sql: "SELECT Scope, BillingPeriod, Metric, LoadId FROM partitions ORDER BY 1, 2, 3")
            #expect(before == after)
            let statuses = try rows(
                fixture.databasePath, sql: "SELECT Status, COUNT(*) AS n FROM loads GROUP BY Status ORDER BY Status")
            #expect(statuses.map { "\($0["Status"] as String)=\($0["n"] as Int)" } == ["succeeded=8", "unchanged=8"])
        }
    }

    /// `datasets` per scope: the nightly job loads them beside the cost details, each under
    /// the same window and skip rules; an MCA price sheet and the billing periods exist for
    /// the current month only.
    @Test func ingestLoadsTheConfiguredDatasets() async throws {
        try await withEmulator { fixture in
            var config = IngestConfiguration(scopes: [
                IngestConfiguration.ScopeEntry(
                    scope: eaAccount, metrics: ["actual"],
                    datasets: ["cost-details", "price-sheet", "balance-summary", "marketplace", "billing-periods"]),
                IngestConfiguration.ScopeEntry(scope: mcaProfile, datasets: ["price-sheet"]),
            ])
            config.window = IngestConfiguration.Window(months: 2, settleDays: 10)
            let now = IngestTests.dayThree()
            let options = IngestOptions(
                configuration: config, settings: fixture.settings, now: now)
            let (plan, report) = try await Ingest.run(
                options, store: try DatabaseLocation.open(fixture.databasePath), logger: quiet)
            let keys = plan.map(\.key.description).sorted()
            let current = Ingest.today(now).billingPeriod
            let (this, last) = (current.description, current.adding(months: -1).description)
            #expect(
                keys
                    == [
                        "\(eaAccount) \(last) ActualCost", "\(eaAccount) \(last) balance-summary",
                        "\(eaAccount) \(last) marketplace", "\(eaAccount) \(last) price-sheet",
                        "\(eaAccount) \(this) ActualCost", "\(eaAccount) \(this) balance-summary",
                        "\(eaAccount) \(this) marketplace", "\(eaAccount) \(this) price-sheet",
                        "\(eaAccount) \(this) billing-periods", "\(mcaProfile) \(this) price-sheet",
                    ].sorted(), "\(keys)")
            #expect(!report.anyFailed, "\(report.lines())")
            let loaded = try rows(
                fixture.databasePath,
                sql: "SELECT Dataset, COUNT(*) AS n FROM loads WHERE Status = 'succeeded' GROUP BY 1 ORDER BY 1")
            #expect(
                loaded.map { "\($0["Dataset"] as String)=\($0["n"] as Int)" } == [
                    "balance-summary=2", "billing-periods=1", "cost-details=2", "marketplace=2", "price-sheet=3",
                ])
            // The next night, everything was loaded within 20 hours: nothing is asked for.
            var later = options
            later.now = now.addingTimeInterval(3600)
            let (_, second) = try await Ingest.run(
                later, store: try DatabaseLocation.open(fixture.databasePath), logger: quiet)
            #expect(second.results.allSatisfy { if case .skipped = $0.outcome { true } else { false } })
        }
    }

    @Test func aSettledPreviousMonthIsNotRequestedAgain() async throws {
        try await withEmulator { fixture in
            let config = configuration([eaAccount])
            let day20 = Calendar(identifier: .gregorian).date(
                from: DateComponents(timeZone: TimeZone(identifier: "UTC"), year: 2026, month: 11, day: 20))!
            let options = IngestOptions(
                configuration: config, settings: fixture.settings, dryRun: true,
                now: day20)
            let (plan, report) = try await Ingest.run(
                options, store: try DatabaseLocation.open(fixture.databasePath), logger: quiet)
            #expect(report.results.isEmpty, "a dry run calls nothing")
            #expect(fixture.emulator.statistics["reportsCreated"] == 0)
            let october = plan.filter { $0.key.period.description == "2026-10" }
            #expect(october.count == 2)
            // Never loaded since it settled: its final version is requested once.
            #expect(october.allSatisfy { $0.request && $0.reason.contains("settled") })
        }
    }

    /// The nightly plan reads the calendar only through its injected `now`: for every month
    /// of a year, early (before the previous month settles) and late in the month, it asks
    /// for the current month and the previous one, for the reasons the day calls for.
    @Test func theNightlyPlanHoldsForEveryMonthOfAYear() async throws {
        try await withEmulator { fixture in
            let config = configuration([eaAccount])
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            for month in 1...12 {
                for day in [3, 20] {
                    let now = calendar.date(from: DateComponents(year: 2026, month: month, day: day, hour: 2))!
                    let options = IngestOptions(
                        configuration: config, settings: fixture.settings,
                        dryRun: true, now: now)
                    let (plan, _) = try await Ingest.run(
                        options, store: try DatabaseLocation.open(fixture.databasePath), logger: quiet)
                    let current = try BillingPeriod(year: 2026, month: month)
                    let previous = current.adding(months: -1)
                    #expect(Set(plan.map(\.key.period)) == [current, previous], "\(now): \(plan)")
                    #expect(plan.allSatisfy { $0.request }, "nothing was loaded, so everything is asked for")
                    for entry in plan where entry.key.period == current {
                        #expect(entry.reason.hasPrefix("current month"), "\(entry.reason)")
                    }
                    for entry in plan where entry.key.period == previous {
                        let settled = day > 10
                        #expect(entry.reason.hasPrefix(settled ? "settled" : "month ended"), "\(now): \(entry.reason)")
                    }
                }
            }
            #expect(fixture.emulator.statistics["reportsCreated"] == 0, "a dry run calls nothing")
        }
    }

    @Test func aStoppedBackfillResumesWhereItLeftOff() async throws {
        try await withEmulator { fixture in
            let calls = Mutex(0)
            let months = BillingPeriod.range(from: lastMonth.adding(months: -3), to: lastMonth)
            // isCancelled is asked a few times per partition; stop during the second month.
            let stopAfterTwo: @Sendable () -> Bool = {
                calls.withLock { count in
                    count += 1
                    return count > 4
                }
            }
            var options = BackfillOptions(
                scope: eaAccount, from: months.first!.description,
                to: months.last!.description,
                metrics: ["actual"], settings: fixture.settings, isCancelled: stopAfterTwo)
            do {
                _ = try await Backfill.run(
                    options, store: try DatabaseLocation.open(fixture.databasePath), logger: quiet)
                Issue.record("the run should have been interrupted")
            } catch {
                #expect((error as? PipelineError)?.isInterrupted == true)
            }
            let loadedFirst = try rows(fixture.databasePath, sql: "SELECT COUNT(*) AS n FROM partitions")[0]["n"] as Int
            #expect(loadedFirst >= 1 && loadedFirst < months.count)
            options.isCancelled = { false }
            let resumed = try await Backfill.run(
                options, store: try DatabaseLocation.open(fixture.databasePath), logger: quiet)
            let skipped = resumed.results.filter { if case .skipped = $0.outcome { true } else { false } }.count
            let loaded = resumed.results.filter { if case .loaded = $0.outcome { true } else { false } }.count
            #expect(skipped == loadedFirst)
            #expect(loaded == months.count - loadedFirst)
            #expect(try rows(fixture.databasePath, sql: "SELECT COUNT(*) AS n FROM partitions")[0]["n"] == months.count)
        }
    }

    @Test func backfillGoesOnPastAFailedMonth() async throws {
        var faults = EmulatorFaults()
        faults.throttle = 1
        faults.throttleSeconds = 0
        // One attempt only: the first month fails on its 429, the others succeed (one
        // partition at a time, so the first month is the one to meet the 429).
        try await withEmulator(faults: faults, retryPolicy: RetryPolicy(maxAttempts: 1)) { fixture in
            let months = BillingPeriod.range(from: lastMonth.adding(months: -2), to: lastMonth)
            var settings = fixture.settings
            settings.parallel = 1
            let report = try await Backfill.run(
                BackfillOptions(
                    scope: eaAccount, from: months.first!.description,
                    to: months.last!.description,
                    metrics: ["actual"], settings: settings), store: try DatabaseLocation.open(fixture.databasePath),
                logger: quiet)
            #expect(report.results.count == 3)
            #expect(report.results[0].outcome.failed)
            #expect(!report.results[1].outcome.failed && !report.results[2].outcome.failed)
        }
    }

    @Test(arguments: ["workload", "managed"])
    func otherCredentialsSignIn(kind: String) async throws {
        try await withEmulator { fixture in
            var environment = ["PATH": "/nonexistent"]
            let config = fixture.emulator.configuration
            let tokenFile = fixture.directory.appendingPathComponent("federated-token").path
            try "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl".write(
                toFile: tokenFile, atomically: true, encoding: .utf8)
            if kind == "workload" {
                environment["AZURE_TENANT_ID"] = config.tenantId
                environment["AZURE_CLIENT_ID"] = config.clientId
                environment["AZURE_FEDERATED_TOKEN_FILE"] = tokenFile
                environment["AZURE_AUTHORITY_HOST"] = fixture.emulator.baseURL
            } else {
                environment["IDENTITY_ENDPOINT"] = fixture.emulator.baseURL + "/metadata/identity/oauth2/token"
                environment["IDENTITY_HEADER"] = "identity-header-secret"
            }
            var settings = fixture.settings
            settings.environment = environment
            let report = try await Backfill.run(
                BackfillOptions(
                    scope: eaAccount, from: lastMonth.description,
                    to: lastMonth.description,
                    metrics: ["actual"], settings: settings, force: true),
                store: try DatabaseLocation.open(fixture.databasePath),
                logger: quiet)
            #expect(!report.anyFailed, "\(report.lines())")
            #expect(fixture.emulator.statistics[kind == "workload" ? "token" : "managed-identity"] == 1)
        }
    }
}
