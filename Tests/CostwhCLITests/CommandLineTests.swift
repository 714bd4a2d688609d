import CostwhEmulator
import CostwhModel
import CostwhPipeline
import CostwhTestSupport
import CostwhExtract
import Foundation
import GRDB
import Testing

@Suite(.serialized) struct CommandLineTests {
    func environment(_ fixture: EmulatorFixture, secret: String? = nil) -> [String: String] {
        let c = fixture.emulator.configuration
        return [
            "PATH": "/usr/bin:/bin", "HOME": fixture.directory.path, "TMPDIR": fixture.directory.path,
            "COSTWH_ARM_ENDPOINT": fixture.emulator.baseURL, "AZURE_AUTHORITY_HOST": fixture.emulator.baseURL,
            "AZURE_TENANT_ID": c.tenantId, "AZURE_CLIENT_ID": c.clientId,
            "AZURE_CLIENT_SECRET": secret ?? c.clientSecret,
        ]
    }

    /// `costwh load` is given a saved usageDetails page with no flag, and a FOCUS file
    /// with no --metric: it recognises both from their bytes.
    @Test func loadRecognisesJSONPagesAndFocusFilesWithoutFlags() throws {
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/real-world")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("w.sqlite").path
        let page = fixtures.appendingPathComponent(
            "usagedetails-recordings/pwsh_TestListBillingPeriodUsageDetails_201710.page1.json"
        ).path
        let json = try runCostwh(
            [
                "load", page, "--scope", "/subscriptions/00000000-0000-0000-0000-000000000001", "--period", "2017-10",
                "--metric", "actual", "--db", db,
            ], environment: ["PATH": "/usr/bin:/bin"])
        #expect(json.status == 0, "\(json.stderr)")
        #expect((json.stdout + json.stderr).contains("10 rows loaded, 0 rejected"), "\(json.stdout)\(json.stderr)")
        let focus = fixtures.appendingPathComponent("focus-sample-data/FOCUS-1.0_focus_sample.csv").path
        let both = try runCostwh(
            [
                "load", focus, "--scope", "/providers/Microsoft.Billing/billingAccounts/1", "--period", "2024-09",
                "--db", db,
            ], environment: ["PATH": "/usr/bin:/bin"])
        #expect(both.status == 0, "\(both.stderr)")
        #expect(
            (both.stdout + both.stderr).contains("2024-09 ActualCost")
                && (both.stdout + both.stderr).contains("2024-09 AmortizedCost"), "\(both.stderr)")
        let junk = dir.appendingPathComponent("notes.txt")
        try Data("Name,Amount\nlunch,12\n".utf8).write(to: junk)
        let refused = try runCostwh(
            [
                "load", junk.path, "--scope", "/subscriptions/00000000-0000-0000-0000-000000000001", "--period",
                "2017-10", "--metric", "actual", "--db", db,
            ], environment: ["PATH": "/usr/bin:/bin"])
        #expect(refused.status == 65, "an unreadable file is bad data (EX_DATAERR)")
        #expect(refused.stderr.contains("notes.txt:1") && refused.stderr.contains("Accepted:"), "\(refused.stderr)")
    }

    /// sysexits: 64 for the command line, 65 for bad data, 66 for an input that is not there.
    @Test func loadExitCodesTellBadDataFromMissingInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-exit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("w.sqlite").path
        let common = [
            "--scope", "/subscriptions/00000000-0000-0000-0000-000000000001", "--period", "2026-09", "--metric",
            "actual", "--db", db,
        ]
        let env = ["PATH": "/usr/bin:/bin"]
        let missing = try runCostwh(["load", dir.appendingPathComponent("nope.csv").path] + common, environment: env)
        #expect(missing.status == 66, "\(missing.stderr)")
        #expect(missing.stderr.contains("nope.csv"))
        let unreadable = dir.appendingPathComponent("locked.csv")
        try Data("Date,Cost\n09/01/2026,1\n".utf8).write(to: unreadable)
        chmod(unreadable.path, 0)
        if getuid() != 0 {
            #expect(try runCostwh(["load", unreadable.path] + common, environment: env).status == 66)
        }
        // Half the rows rejected: bad data, and the message names the flag that would allow it.
        let half = dir.appendingPathComponent("half.csv")
        try Data("Date,Cost\n09/01/2026,1\n09/02/2026,abc\n".utf8).write(to: half)
        let rejected = try runCostwh(["load", half.path] + common, environment: env)
        #expect(rejected.status == 65, "\(rejected.stderr)")
        #expect(rejected.stderr.contains("raise --max-rejected"))
        let usage = try runCostwh(
            ["load", half.path, "--scope", "/nope", "--period", "2026-09", "--metric", "actual", "--db", db],
            environment: env)
        #expect(usage.status == 64)
        // A hostile header is quoted in the error, but its escape sequences are not sent raw.
        let hostile = dir.appendingPathComponent("hostile.csv")
        try Data("Name\u{1B}]0;pwned\u{07},Amount\nx,1\n".utf8).write(to: hostile)
        let refused = try runCostwh(["load", hostile.path] + common, environment: env)
        #expect(refused.status == 65)
        #expect(
            !refused.stderr.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 },
            "\(refused.stderr.debugDescription)")
        #expect(refused.stderr.contains(#"Name\u{1B}]0;pwned\u{7}"#))
    }

    /// SIGTERM and SIGINT cancel a poll wait at once (structured cancellation, not a flag
    /// looked at after the wait): the emulator asks for 30 s between polls, and costwh must be
    /// gone with 130 within a few seconds, its private download folder removed.
    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalStopsAWaitOnAzureAtOnce(signal: Int32) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await withEmulator(configure: { $0.pollRetryAfter = 30 }) { fixture in
            let tmp = fixture.directory.appendingPathComponent("tmp")
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
            var env = environment(fixture)
            env["TMPDIR"] = tmp.path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: costwhExecutable())
            process.arguments = [
                "reload", "--scope", eaAccount, "--period", lastMonth.description, "--metric", "actual", "--db",
                fixture.databasePath,
            ]
            process.environment = env
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait until the report was requested: costwh is now in its 30 s wait.
            let deadline = Date().addingTimeInterval(30)
            while (fixture.emulator.statistics["reportsCreated"] ?? 0) < 1 && Date() < deadline {
                try await Task.sleep(nanoseconds: 50_000_000)
            }
            #expect((fixture.emulator.statistics["reportsCreated"] ?? 0) == 1)
            try await Task.sleep(nanoseconds: 300_000_000)
            let sent = Date()
            kill(process.processIdentifier, signal)
            while process.isRunning && Date().timeIntervalSince(sent) < 20 {
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            let elapsed = Date().timeIntervalSince(sent)
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            #expect(process.terminationStatus == 130)
            #expect(elapsed < 3, "costwh took \(elapsed) s to stop")
            let left = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
            #expect(left.isEmpty, "left behind: \(left)")
            let ledger = try rows(fixture.databasePath, sql: "SELECT Status FROM loads")
            #expect(ledger.allSatisfy { ($0["Status"] as String) != "running" })
        }
    }

    @Test func exitCodesTellCronWhatHappened() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await withEmulator { fixture in
            let env = environment(fixture)
            let db = fixture.databasePath
            let ok = try runCostwh(
                ["reload", "--scope", eaAccount, "--period", lastMonth.description, "--metric", "actual", "--db", db],
                environment: env)
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(ok.stderr.contains("1 loaded, 0 unchanged, 0 skipped, 0 failed"))

            let usage = try runCostwh(
                ["reload", "--scope", "/not/a/scope", "--period", lastMonth.description, "--db", db], environment: env)
            #expect(usage.status == 64)
            #expect(usage.stderr.contains("invalid scope"))

            let badPeriod = try runCostwh(
                ["backfill", "--scope", eaAccount, "--from", "2026-13", "--to", "2026-01", "--db", db], environment: env
            )
            #expect(badPeriod.status == 64)

            // A job already holds the database (this test process, with an empty lock file): the
            // second one exits at once, names the holder's pid, and does nothing at all.
            let lockPath = db + ".lock"
            let fd = open(lockPath, O_CREAT | O_RDWR | O_TRUNC, 0o600)
            #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
            let ledgerBefore = try rows(db, sql: "SELECT COUNT(*) AS n FROM loads")[0]["n"] as Int
            let requestsBefore = fixture.emulator.statistics
            let busy = try runCostwh(
                ["reload", "--scope", eaAccount, "--period", lastMonth.description, "--db", db], environment: env)
            flock(fd, LOCK_UN)
            close(fd)
            #expect(busy.status == 75)
            #expect(busy.stderr.contains("another costwh job (pid \(getpid()))"), "\(busy.stderr)")
            #expect(try rows(db, sql: "SELECT COUNT(*) AS n FROM loads")[0]["n"] as Int == ledgerBefore)
            #expect(fixture.emulator.statistics == requestsBefore, "the blocked job called Azure")
        }
        var faults = EmulatorFaults()
        faults.failReports = true
        try await withEmulator(faults: faults) { fixture in
            let failed = try runCostwh(
                ["reload", "--scope", eaAccount, "--period", lastMonth.description, "--db", fixture.databasePath],
                environment: environment(fixture))
            #expect(failed.status == 2)
            #expect(failed.stderr.contains("FAILED"))
            #expect(failed.stderr.contains("ReportGenerationFailed"))
        }
    }

    @Test func secretsNeverReachLogsErrorsOrTheDatabase() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let secret = "Sup3r-S3cret-Client-Value-\(UUID().uuidString)"
        try await withEmulator(configure: { $0.clientSecret = secret }) { fixture in
            let env = environment(fixture, secret: secret)
            let run = try runCostwh(
                [
                    "reload", "--scope", eaAccount, "--period", lastMonth.description, "--db", fixture.databasePath,
                    "--log-level", "trace",
                ], environment: env)
            #expect(run.status == 0, "\(run.stderr)")
            // A wrong secret makes an error message, which must not echo it either.
            let wrong = "Wr0ng-S3cret-\(UUID().uuidString)"
            let refused = try runCostwh(
                [
                    "reload", "--scope", eaAccount, "--period", lastMonth.description, "--db", fixture.databasePath,
                    "--log-level", "trace",
                ],
                environment: environment(fixture, secret: wrong))
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("invalid_client"))

            let tokens = fixture.emulator.statistics["tokensIssued"] ?? 0
            #expect(tokens >= 1)
            var everything = run.stdout + run.stderr + refused.stdout + refused.stderr
            // Every table of the database, as text.
            let queue = try DatabaseQueue(path: fixture.databasePath)
            try queue.read { db in
                for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                    for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                        everything += row.description
                    }
                }
            }
            // And every file left in the private temp folder area.
            for name in (try? FileManager.default.contentsOfDirectory(atPath: fixture.directory.path)) ?? []
            where !name.hasSuffix(".sqlite") {
                let path = fixture.directory.appendingPathComponent(name).path
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                    Issue.record("a temporary folder was left behind: \(name)")
                }
            }
            #expect(!everything.contains(secret))
            #expect(!everything.contains(wrong))
            #expect(!everything.contains("emu-token-"), "a bearer token leaked")
            // SAS signatures: the ledger keeps the links, but redacted.
            let detail = try queue.read {
                try String.fetchAll($0, sql: "SELECT SourceDetail FROM loads WHERE SourceDetail IS NOT NULL")
            }
            #expect(detail.contains { $0.contains("sig=REDACTED") })
            #expect(
                !everything.replacingOccurrences(of: "sig=REDACTED", with: "").contains("sig="),
                "a SAS signature leaked")
        }
    }
}
