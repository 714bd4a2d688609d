import CostwhEmulator
import CostwhExtract
import CostwhModel
import CostwhPipeline
import CostwhTestSupport
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
                "load", focus, "--scope", "/providers/Microsoft.Billing/billingAccounts/1", "--db", db,
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

    /// Sends `signal` and expects costwh gone within 10 s with 130, its private folder removed
    /// and no ledger row left `running`. The wait it interrupts is 30 s (a poll) or unbounded (a
    /// hung download), so 10 s proves it did not wait; it is usually under a second, and the
    /// margin is for a machine running the whole suite on two cores.
    func expectPromptStop(_ process: Process, after signal: Int32, tmp: String, database: String) async throws {
        let sent = Date()
        kill(process.processIdentifier, signal)
        while process.isRunning && Date().timeIntervalSince(sent) < 20 {
            try await Task.sleep(nanoseconds: 20_000_000)
        }
        let elapsed = Date().timeIntervalSince(sent)
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        #expect(process.terminationStatus == 130)
        #expect(elapsed < 10, "costwh took \(elapsed) s to stop")
        let left = try FileManager.default.contentsOfDirectory(atPath: tmp)
        #expect(left.isEmpty, "left behind: \(left)")
        let ledger = try rows(database, sql: "SELECT Status FROM loads")
        #expect(ledger.allSatisfy { ($0["Status"] as String) != "running" })
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
            try await expectPromptStop(process, after: signal, tmp: tmp.path, database: fixture.databasePath)
        }
    }

    /// SIGTERM and SIGINT in the middle of a download that hangs half-way (bytes on disk, the
    /// connection open, the transport's timeout hours away): costwh stops within seconds
    /// with 130 and removes the half-written blob with its private folder.
    @Test(arguments: [SIGTERM, SIGINT])
    func aSignalStopsADownloadAtOnce(signal: Int32) async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        var faults = EmulatorFaults()
        faults.stallDownloads = true
        try await withEmulator(faults: faults, rows: 2_000) { fixture in
            let tmp = fixture.directory.appendingPathComponent("tmp")
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
            let probe = ProbeLog(path: fixture.directory.appendingPathComponent("probe").path)
            var env = probe.environment(base: environment(fixture))
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
            let deadline = Date().addingTimeInterval(30)
            // The loader reads behind the download, so its transaction may begin after the
            // first bytes: the download has started once they are on disk.
            func downloading() -> Bool { probe.entries.contains { $0.phase == "download" } }
            while !downloading() && process.isRunning && Date() < deadline {
                try await Task.sleep(nanoseconds: 10_000_000)
            }
            try #require(downloading(), "the download never started: \(probe.entries.map(\.phase))")
            // The half-written blob is on disk in the private folder.
            let folders = try FileManager.default.contentsOfDirectory(atPath: tmp.path)
            let written = folders.flatMap { folder in
                ((try? FileManager.default.contentsOfDirectory(atPath: tmp.path + "/" + folder)) ?? []).compactMap {
                    (try? FileManager.default.attributesOfItem(atPath: tmp.path + "/" + folder + "/" + $0))?[.size]
                        as? Int
                }
            }
            #expect(written.contains { $0 > 0 }, "no partial blob on disk: \(folders)")
            try await Task.sleep(nanoseconds: 200_000_000)
            try await expectPromptStop(process, after: signal, tmp: tmp.path, database: fixture.databasePath)
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

    /// Every file under `folder`, read whole (the database and its WAL as raw bytes too, so
    /// freed pages count), as one text.
    static func contents(under folder: String) -> (text: String, files: [String]) {
        var text = ""
        var files: [String] = []
        let enumerator = FileManager.default.enumerator(atPath: folder)
        while let name = enumerator?.nextObject() as? String {
            let path = folder + "/" + name
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), !isDir.boolValue,
                let data = FileManager.default.contents(atPath: path)
            else { continue }
            files.append(name)
            text += String(decoding: data, as: UTF8.self)
        }
        return (text, files)
    }

    /// A planted client secret, EA key and PostgreSQL password, a wrong secret and key, and
    /// every token and SAS signature the emulator issued are searched for in stdout, stderr
    /// (at log level trace), every table, and the bytes of every file left behind, after runs
    /// of every source under faults: none, 429, 503, an expired link, a cut download.
    @Test func secretsNeverReachLogsErrorsOrTheDatabase() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let secret = "Sup3r-S3cret-Client-Value-\(UUID().uuidString)"
        let eaKey = "EA-K3y-\(UUID().uuidString)"
        let wrongSecret = "Wr0ng-S3cret-\(UUID().uuidString)"
        let wrongKey = "Wr0ng-EA-K3y-\(UUID().uuidString)"
        let pgPassword = "Pg-Passw0rd-\(UUID().uuidString)"
        var everything = ""
        var issued: [String] = []
        var ledgerDetails: [String] = []
        let faultCases: [(String, (inout EmulatorFaults) -> Void)] = [
            ("no fault", { _ in }),
            (
                "429",
                {
                    $0.throttle = 1
                    $0.throttleSeconds = 1
                }
            ),
            ("503", { $0.unavailable = 1 }),
            ("expired link", { $0.expiredLinks = 1 }),
            ("cut download", { $0.cutDownloads = 1 }),
        ]
        for (name, fault) in faultCases {
            var faults = EmulatorFaults()
            fault(&faults)
            try await withEmulator(
                faults: faults,
                configure: {
                    $0.clientSecret = secret
                    $0.eaApiKey = eaKey
                }
            ) { fixture in
                let keyFile = fixture.directory.appendingPathComponent("ea.key").path
                let wrongKeyFile = fixture.directory.appendingPathComponent("wrong.key").path
                try eaKey.write(toFile: keyFile, atomically: true, encoding: .utf8)
                try wrongKey.write(toFile: wrongKeyFile, atomically: true, encoding: .utf8)
                let common = [
                    "reload", "--scope", eaAccount, "--period", lastMonth.description, "--metric", "actual", "--db",
                    fixture.databasePath, "--log-level", "trace", "--ea-endpoint", fixture.emulator.baseURL,
                ]
                for source in SourceKind.allCases {
                    let run = try runCostwh(
                        common + ["--source", source.rawValue, "--ea-api-key-file", keyFile],
                        environment: environment(fixture, secret: secret))
                    #expect(run.status == 0, "\(name) × \(source.rawValue): \(run.stderr.suffix(2000))")
                    everything += run.stdout + run.stderr
                }
                // The other datasets go through the same sign-in, retries and links.
                let datasets = try runCostwh(
                    common + Dataset.others.flatMap { ["--dataset", $0.rawValue] },
                    environment: environment(fixture, secret: secret))
                #expect(datasets.status == 0, "\(name) × datasets: \(datasets.stderr.suffix(2000))")
                everything += datasets.stdout + datasets.stderr
                let refused = try runCostwh(
                    common + ["--source", "cost-details"], environment: environment(fixture, secret: wrongSecret))
                #expect(refused.status == 2 && refused.stderr.contains("invalid_client"), "\(refused.stderr)")
                let refusedKey = try runCostwh(
                    common + ["--source", "ea-reporting", "--ea-api-key-file", wrongKeyFile],
                    environment: environment(fixture, secret: secret))
                #expect(refusedKey.status == 2 && refusedKey.stderr.contains("401"), "\(refusedKey.stderr)")
                everything += refused.stdout + refused.stderr + refusedKey.stdout + refusedKey.stderr
                // Every table, as text, then every file left (TMPDIR is this folder), as bytes;
                // the key files the test wrote are the only ones allowed to hold a key.
                let queue = try DatabaseQueue(path: fixture.databasePath)
                try queue.read { db in
                    for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                        for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                            everything += row.description
                        }
                    }
                    ledgerDetails += try String.fetchAll(
                        db, sql: "SELECT SourceDetail FROM loads WHERE SourceDetail IS NOT NULL")
                }
                try queue.close()
                try FileManager.default.removeItem(atPath: keyFile)
                try FileManager.default.removeItem(atPath: wrongKeyFile)
                let left = CommandLineTests.contents(under: fixture.directory.path)
                everything += left.text
                let unexpected = left.files.filter { !$0.hasPrefix("w.sqlite") }
                #expect(unexpected.isEmpty, "\(name): files left behind: \(unexpected)")
                issued += fixture.emulator.issuedSecrets
            }
        }
        // A PostgreSQL password given in the URL and in PGPASSWORD, in an error.
        let pgDir = TempDir()
        for url in [
            "postgres://costwh:\(pgPassword)@127.0.0.1:1/costwh",
            "postgresql://costwh@127.0.0.1:1/costwh?sslmode=disable",
        ] {
            for command in [["migrate"], ["runs"], ["query", "totals"]] {
                let run = try runCostwh(
                    command + ["--db", url, "--log-level", "trace"],
                    environment: ["PATH": "/usr/bin:/bin", "HOME": pgDir.url.path, "PGPASSWORD": pgPassword])
                #expect(run.status != 0, "\(command) against a closed port must fail")
                everything += run.stdout + run.stderr
            }
        }
        #expect(issued.count >= 10, "the emulator issued tokens and links")
        // Booleans first: an expectation on `everything` itself would print it whole.
        for planted in [secret, eaKey, wrongSecret, wrongKey, pgPassword] + issued {
            let leaked = everything.contains(planted)
            #expect(!leaked, "a secret leaked: \(planted.prefix(12))…")
        }
        let tokenLeaked = everything.contains("emu-token-")
        #expect(!tokenLeaked, "a bearer token leaked")
        // SAS signatures: the ledger keeps the links, but redacted.
        #expect(ledgerDetails.contains { $0.contains("sig=REDACTED") })
        let signatureLeaked = everything.replacingOccurrences(of: "sig=REDACTED", with: "").contains("sig=")
        #expect(!signatureLeaked, "a SAS signature leaked")
    }

    /// A 100 MiB line, measured in a child process: refused at the 64 MiB record limit with
    /// its line number, and the peak memory grows by less than the line (the reader holds at
    /// most the limit), while the partition loaded before stays.
    @Test func aHundredMegabyteLineIsRefusedInBoundedMemory() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let header = "BillingAccountId,SubscriptionId,Date,MeterCategory,Cost,BillingCurrency\n"
        let small = dir.write("small.csv", header + "1,s,09/01/2023,Compute,1.5,USD\n")
        let big = dir.path("big.csv")
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
        try handle.write(contentsOf: Data((header + "1,s,09/01/2023,Compute,1.0,USD\n1,s,09/01/2023,\"").utf8))
        let chunk = Data(repeating: UInt8(ascii: "x"), count: 1 << 20)
        for _ in 0..<100 { try handle.write(contentsOf: chunk) }
        try handle.write(contentsOf: Data("\",1.0,USD\n".utf8))
        try handle.close()
        let db = dir.path("w.sqlite")
        let common = ["--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", db]
        let base = try runCostwhMeasuringPeakRSS(["load", small] + common)
        #expect(base.status == 0, "\(base.stderr)")
        let refused = try runCostwhMeasuringPeakRSS(["load", big] + common)
        print(
            "aHundredMegabyteLineIsRefusedInBoundedMemory: peak RSS \(base.peakRSS >> 20) MiB for one row, \(refused.peakRSS >> 20) MiB for the 100 MiB line"
        )
        #expect(refused.status == 65, "\(refused.stderr)")
        #expect(refused.stderr.contains("big.csv:3: a record is longer than 64 MiB"), "\(refused.stderr)")
        #expect(refused.peakRSS - base.peakRSS < 96 << 20, "peak RSS \(refused.peakRSS >> 20) MiB")
        let kept = try rows(db, sql: "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS c FROM cost_details")[0]
        #expect(kept["n"] == 1 && kept["c"] == 1.5)
    }

    /// A FIFO (as `<(zcat …)` gives) is read once, into a private copy: the load sees the
    /// whole file, where a second open of the pipe would find other bytes or none.
    @Test func aPipeAsInputLoadsWhole() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let fifo = dir.path("costs.fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let text = syntheticEA(rows: 500, costBase: 2)
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(Data(text.utf8))
                try? handle.close()
            }
        }
        writer.start()
        let db = dir.path("w.sqlite")
        let run = try runCostwh(
            ["load", fifo, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", db],
            environment: [:])
        #expect(run.status == 0, "\(run.stderr)")
        let loaded = try rows(db, sql: "SELECT COUNT(*) AS n FROM cost_details")[0]
        #expect(loaded["n"] == 500)
        let detail = try rows(db, sql: "SELECT SourceDetail FROM loads")[0]["SourceDetail"] as String
        #expect(detail.contains("costs.fifo"), "the ledger names the pipe the operator gave: \(detail)")
    }

    /// costwh creates its database 0600; an existing one readable by others is named with
    /// the fix, as is a token file others can read. A private one is not.
    @Test func filesOthersCanReadAreWarnedAbout() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let file = dir.write("c.csv", syntheticEA(rows: 5))
        let db = dir.path("w.sqlite")
        let load = ["load", file, "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", db]
        let first = try runCostwh(load, environment: [:])
        #expect(first.status == 0 && !first.stderr.contains("can be read by"), "\(first.stderr)")
        #expect(chmod(db, 0o644) == 0)
        let exposed = try runCostwh(["runs", "--db", db], environment: [:])
        #expect(exposed.stderr.contains("the warehouse \(db) can be read by every user (mode 644); run chmod 600"), "\(exposed.stderr)")
        #expect(chmod(db, 0o600) == 0)
        let token = dir.write("token", "abc\n")
        #expect(chmod(token, 0o640) == 0)
        let withToken = try runCostwh(
            ["reload", "--scope", eaScope.id, "--period", "2023-09", "--metric", "actual", "--db", db,
             "--access-token-file", token, "--arm-endpoint", "http://127.0.0.1:9"], environment: [:])
        #expect(withToken.stderr.contains("the access token file \(token) can be read by its group"), "\(withToken.stderr)")
    }

    /// A lock file planted as a link to another file: the job refuses it with exit 77
    /// (a permission problem, not usage), and the link's target keeps its bytes.
    @Test func aPlantedLockLinkIsRefusedWithAPermissionError() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await withEmulator { fixture in
            let victim = fixture.directory.appendingPathComponent("victim.txt").path
            try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: victim))
            try FileManager.default.createSymbolicLink(
                atPath: fixture.databasePath + ".lock", withDestinationPath: victim)
            let run = try runCostwh(
                [
                    "reload", "--scope", eaAccount, "--period", lastMonth.description, "--metric", "actual", "--db",
                    fixture.databasePath,
                ], environment: environment(fixture))
            #expect(run.status == 77, "\(run.stderr)")
            #expect(run.stderr.contains("is a symbolic link"), "\(run.stderr)")
            #expect(try String(contentsOfFile: victim, encoding: .utf8) == "keep me\n")
        }
    }

    /// The emulator restates a closed month between requests. `reload` prints the change,
    /// exits 3 with --fail-on-restatement when it is larger than the threshold, and keeps the
    /// new data all the same; `ingest --force` reports it the same way.
    @Test func restatedClosedMonthsAreReportedAndCanFailTheJob() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        // Two months back: ended more than settleDays (10) before any load of this test.
        let month = lastMonth.adding(months: -1)
        try await withEmulator(configure: { $0.restatements[month] = 0.06 }) { fixture in
            let env = environment(fixture)
            let db = fixture.databasePath
            func reload(_ percent: String) throws -> CommandResult {
                try runCostwh(
                    [
                        "reload", "--scope", eaAccount, "--period", month.description, "--metric", "actual", "--db", db,
                        "--fail-on-restatement", percent,
                    ], environment: env)
            }
            // The threshold comes from the data, not the calendar: any restatement is above 0 %,
            // however small a share of the month the restated usage is (a month with an
            // upfront commitment purchase moves by a few hundredths of a percent).
            let first = try reload("0")
            #expect(first.status == 0, "a new partition is not a restatement: \(first.stderr)")
            #expect(!first.stderr.contains("RESTATED"))
            let second = try reload("0")
            #expect(second.status == 3, "\(second.stderr)")
            #expect(second.stderr.contains("RESTATED   \(eaAccount) \(month) ActualCost:"), "\(second.stderr)")
            #expect(second.stderr.contains("restated by more than 0.0 %; the new data is loaded"), "\(second.stderr)")
            // The restated data is what analysts see now, and the ledger says so.
            let current = try rows(
                db,
                sql: """
                    SELECT p.LoadId, l.Status, p.CostTotal FROM partitions p JOIN loads l ON l.LoadId = p.LoadId
                    WHERE p.BillingPeriod = ?
                    """, [month.description])
            let change = try rows(db, sql: "SELECT LoadId, Delta, DeltaPercent, Closed FROM partition_changes")
            try #require(current.count == 1 && change.count == 1)
            #expect(current[0]["LoadId"] as Int64 == change[0]["LoadId"] as Int64)
            #expect(current[0]["Status"] as String == "succeeded")
            #expect(change[0]["Closed"] as Int == 1)
            let percent: Double = change[0]["DeltaPercent"]
            #expect(abs(percent) > 0, "the emulator changed 6 % of the usage rows")
            // A threshold just under the change fails the job; one well above it does not.
            let under = try reload(String(abs(percent) / 4))
            #expect(under.status == 3, "\(under.stderr)")
            // Under a threshold larger than the change, the job succeeds and still says it.
            let third = try reload(String(abs(percent) * 100 + 100))
            #expect(third.status == 0, "\(third.stderr)")
            #expect(third.stderr.contains("RESTATED"))
            // The nightly job reports the same.
            let config = fixture.directory.appendingPathComponent("costwh.json").path
            try Data(
                """
                {"window": {"months": 3, "settleDays": 10},
                 "scopes": [{"scope": "\(eaAccount)", "metrics": ["actual"]}]}
                """.utf8
            ).write(to: URL(fileURLWithPath: config))
            // A settled month loaded since it settled is left alone, unless --force.
            let nightly = try runCostwh(
                ["ingest", "--config", config, "--db", db, "--fail-on-restatement", "0"], environment: env)
            #expect(nightly.status == 0, "\(nightly.stderr)")
            #expect(nightly.stderr.contains("\(month) ActualCost: settled and loaded after it settled"))
            let ingest = try runCostwh(
                ["ingest", "--config", config, "--db", db, "--force", "--fail-on-restatement", "0"], environment: env)
            #expect(ingest.status == 3, "\(ingest.stderr)")
            #expect(ingest.stderr.contains("RESTATED   \(eaAccount) \(month) ActualCost:"), "\(ingest.stderr)")
            let changes = try runCostwh(["changes", "--db", db, "--format", "csv"], environment: env)
            #expect(changes.status == 0)
            #expect(changes.stdout.split(separator: "\n").count == 5, "a header and four changes: \(changes.stdout)")
        }
    }

    /// `--log-format json` (or COSTWH_LOG_FORMAT): every log line is one JSON object with a
    /// timestamp, level, message and metadata, and no secret.
    @Test func logsCanBeOneJSONObjectPerLine() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await withEmulator { fixture in
            for (n, (flag, env)) in [
                (["--log-format", "json"], [String: String]()), ([], ["COSTWH_LOG_FORMAT": "json"]),
            ]
            .enumerated() {
                let run = try runCostwh(
                    [
                        "reload", "--scope", eaAccount, "--period", lastMonth.description, "--metric", "actual", "--db",
                        fixture.databasePath + ".\(n)", "--log-level", "info",
                    ] + flag, environment: environment(fixture).merging(env) { $1 })
                #expect(run.status == 0, "\(run.stderr)")
                let lines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("{") }
                #expect(!lines.isEmpty, "\(run.stderr)")
                // Every line of stderr is JSON: the per-partition results and the summary too.
                #expect(run.stderr.split(separator: "\n").allSatisfy { $0.hasPrefix("{") }, "\(run.stderr)")
                #expect(lines.contains { $0.contains("\"message\": \"loaded     \(eaAccount)") }, "\(run.stderr)")
                #expect(lines.contains { $0.contains("\"message\": \"reload: 1 loaded") }, "\(run.stderr)")
                for line in lines {
                    let object = try #require(
                        try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
                    #expect(object["timestamp"] is String && object["level"] is String && object["message"] is String)
                }
                let finished = lines.first { $0.contains("\"message\": \"load finished\"") }
                #expect(finished?.contains("\"rows\": \"") == true, "\(lines)")
                #expect(!run.stderr.contains(fixture.emulator.configuration.clientSecret))
            }
            let refused = try runCostwh(
                ["runs", "--log-format", "xml", "--db", fixture.databasePath], environment: [:])
            #expect(refused.status == 64 && refused.stderr.contains("--log-format takes text or json"))
        }
    }

    /// Every loading job ends with one summary line, or with `--format json` one JSON object
    /// on stdout: partitions by outcome, rows, cost per currency, wall time, each partition.
    @Test func jobsEndWithOneSummary() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try await withEmulator { fixture in
            let common = [
                "reload", "--scope", eaAccount, "--period", lastMonth.description, "--metric", "actual", "--db",
                fixture.databasePath,
            ]
            let text = try runCostwh(common, environment: environment(fixture))
            #expect(text.status == 0, "\(text.stderr)")
            let truth = emulatorTruth(fixture)
            let line = try #require(text.stderr.split(separator: "\n").last.map(String.init))
            #expect(
                line.hasPrefix("reload: 1 loaded, 0 unchanged, 0 skipped, 0 failed; \(truth.rows) rows; cost "),
                "\(line)")
            #expect(line.hasSuffix(" s") && line.contains(" USD; "), "\(line)")
            let json = try runCostwh(
                common + ["--format", "json", "--dataset", "cost-details", "--dataset", "price-sheet"],
                environment: environment(fixture))
            #expect(json.status == 0, "\(json.stderr)")
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], "\(json.stdout)")
            #expect(object["command"] as? String == "reload")
            #expect(object["unchanged"] as? Int == 1 && object["loaded"] as? Int == 1 && object["failed"] as? Int == 0)
            #expect(object["rows"] as? Int == 0, "the cost details were unchanged; a price sheet has no cost rows")
            #expect((object["seconds"] as? Double).map { $0 > 0 } == true)
            let partitions = try #require(object["partitions"] as? [[String: Any]])
            #expect(partitions.map { $0["outcome"] as? String } == ["unchanged", "loaded"])
            #expect(partitions.last?["dataset"] as? String == "price-sheet")
            #expect(json.stdout.split(separator: "\n").count == 1, "one line")
        }
    }
}
