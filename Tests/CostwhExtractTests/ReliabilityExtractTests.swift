import CostwhEmulator
import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhSQLite
import CostwhTestSupport
import Foundation
import GRDB
import NIOHTTP1
import Testing

@testable import CostwhExtract

/// Loads 17 rows into the partition a reload of the fixture replaces.
func priorPartition(_ fixture: EmulatorFixture) throws -> (rows: Int, cost: Double) {
    let file = fixture.directory.appendingPathComponent("prior.csv").path
    try syntheticEA(rows: 17, costBase: 9).write(toFile: file, atomically: true, encoding: .utf8)
    let summary = try load(
        CostDatabase(path: fixture.databasePath), [file], scope: try Scope(parsing: eaAccount), period: lastMonth)
    return (summary.rowsLoaded, summary.costTotal)
}

@Suite(.serialized) struct FaultMatrixTests {
    enum Expected: String { case succeeded, failed, empty }

    /// An API source as the matrix runs it; EA Reporting twice, as JSON pages and as CSV.
    struct Variant: Sendable, Hashable, CustomStringConvertible {
        let source: SourceKind
        let eaFormat: EAReportingFormat
        var description: String { source == .eaReporting ? "ea-reporting \(eaFormat.rawValue)" : source.rawValue }

        static let costDetails = Variant(source: .costDetails, eaFormat: .v3)
        static let detailed = Variant(source: .detailedReport, eaFormat: .v3)
        static let usage = Variant(source: .usageDetails, eaFormat: .v3)
        static let eaPages = Variant(source: .eaReporting, eaFormat: .v2)
        static let eaCSV = Variant(source: .eaReporting, eaFormat: .v3)
        static let all: [Variant] = [costDetails, detailed, usage, eaPages, eaCSV]
        static let asynchronous: [Variant] = [costDetails, detailed]
        static let paged: [Variant] = [usage, eaPages]
    }

    struct Case: Sendable {
        let name: String
        let faults: EmulatorFaults
        /// Seconds the retries must have waited (the service's retry-after).
        let minimumWait: Double
        /// The ledger's warnings name this, when set.
        let recorded: String?
        /// The sources this fault exists for, each with its outcome.
        let outcomes: [Variant: Expected]
        /// Text the error must contain, for failed cells.
        let error: String?

        init(
            _ name: String, _ faults: EmulatorFaults, minimumWait: Double = 0, recorded: String? = nil,
            error: String? = nil, _ outcomes: [Variant: Expected]
        ) {
            self.name = name
            self.faults = faults
            self.minimumWait = minimumWait
            self.recorded = recorded
            self.error = error
            self.outcomes = outcomes
        }
    }

    static func faults(_ change: (inout EmulatorFaults) -> Void) -> EmulatorFaults {
        var f = EmulatorFaults()
        change(&f)
        return f
    }

    static func every(_ variants: [Variant], _ expected: Expected) -> [Variant: Expected] {
        Dictionary(uniqueKeysWithValues: variants.map { ($0, expected) })
    }

    static let cases: [Case] = {
        var list: [Case] = [Case("no fault", EmulatorFaults(), every(Variant.all, .succeeded))]
        for header in [
            "Retry-After", "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after",
            "x-ms-ratelimit-microsoft.consumption-retry-after",
        ] {
            list.append(
                Case(
                    "429 \(header)",
                    faults {
                        $0.throttle = 1
                        $0.throttleHeader = header
                        $0.throttleSeconds = 1
                    }, minimumWait: 1, recorded: header, every(Variant.all, .succeeded)))
        }
        list.append(
            Case(
                "503", faults { $0.unavailable = 1 }, minimumWait: 1, recorded: "HTTP 503",
                every(Variant.all, .succeeded)))
        list.append(Case("slow reports", faults { $0.slowPolls = 2 }, every(Variant.asynchronous, .succeeded)))
        // The detailed report has one downloadUrl by contract; Cost Details splits into blobs.
        list.append(Case("three blobs", faults { $0.blobsPerReport = 3 }, [.costDetails: .succeeded]))
        list.append(Case("many pages", faults { $0.pageSize = 7 }, every(Variant.paged, .succeeded)))
        list.append(Case("gzip blobs", faults { $0.gzip = true }, every(Variant.asynchronous, .succeeded)))
        list.append(Case("expired links", faults { $0.expiredLinks = 1 }, every(Variant.asynchronous, .succeeded)))
        list.append(Case("cut downloads", faults { $0.cutDownloads = 1 }, every(Variant.asynchronous, .succeeded)))
        list.append(
            Case("failed report", faults { $0.failReports = true }, error: "", every(Variant.all, .failed)))
        list.append(Case("no data", faults { $0.noData = true }, every(Variant.all, .empty)))
        list.append(
            Case(
                "204 No Content", faults { $0.noContent = true },
                every([.costDetails, .detailed, .usage], .empty)))
        var tokens = every([.costDetails, .detailed, .usage], Expected.succeeded)
        // An API key cannot be refreshed: a refused key ends the load with a clear error.
        tokens[.eaPages] = .failed
        tokens[.eaCSV] = .failed
        list.append(Case("rejected token or key", faults { $0.rejectTokensOnce = true }, error: "401", tokens))
        list.append(
            Case(
                "detailed report TimedOut", faults { $0.detailedFinalStatus = "TimedOut" }, error: "ReportTimedOut",
                [.detailed: .failed]))
        list.append(Case("413 too large", faults { $0.tooLarge = true }, error: "413", [.detailed: .failed]))
        return list
    }()

    /// Every fault the emulator can inject, against every API source it exists for, with a
    /// cell that injects nothing. Cells that succeed must hold exactly the emulator's rows
    /// and cost; failed cells must keep the partition loaded before them.
    @Test func everyFaultAgainstEverySource() async throws {
        let rowsPerMonth = 200
        var cells = 0
        for c in FaultMatrixTests.cases {
            for variant in Variant.all {
                guard let expected = c.outcomes[variant] else { continue }
                cells += 1
                try await withEmulator(
                    faults: c.faults, rows: rowsPerMonth,
                    retryPolicy: RetryPolicy(maxAttempts: 4, baseDelay: 0.05, maxDelay: 0.2),
                    configure: { if $0.faults.pageSize == 100 { $0.faults.pageSize = 9 } }
                ) { fixture in
                    var settings = fixture.settings
                    settings.eaEndpoint = fixture.emulator.baseURL
                    settings.eaApiKey = fixture.emulator.configuration.eaApiKey
                    settings.eaFormat = variant.eaFormat
                    let label = "\(c.name) × \(variant)"
                    // A partition already there, written straight into the database, so a
                    // failure can be seen to keep it.
                    let before = try priorPartition(fixture)
                    let started = Date()
                    let report = try await reload(fixture, source: variant.source, settings: settings)
                    let elapsed = Date().timeIntervalSince(started)
                    let ledger = try rows(
                        fixture.databasePath,
                        sql:
                            "SELECT Status, RowsLoaded, CostTotal, Warnings, Error FROM loads ORDER BY LoadId DESC LIMIT 1"
                    )
                    let last = try #require(ledger.first, "\(label): no ledger row")
                    let loaded = try rows(
                        fixture.databasePath,
                        sql: "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS c FROM cost_details")[0]
                    let truth = emulatorTruth(fixture)
                    switch expected {
                    case .succeeded:
                        #expect(last["Status"] == "succeeded", "\(label): \(report.lines())")
                        #expect(last["RowsLoaded"] == truth.rows, "\(label)")
                        #expect(loaded["n"] == truth.rows, "\(label)")
                        #expect(abs((loaded["c"] as Double) - truth.cost) < 1e-6 * max(1, truth.cost), "\(label)")
                    case .empty:
                        #expect(last["Status"] == "succeeded", "\(label): \(report.lines())")
                        #expect(last["RowsLoaded"] == 0, "\(label)")
                        #expect(loaded["n"] == 0, "\(label): an empty report empties the partition")
                    case .failed:
                        #expect(last["Status"] == "failed", "\(label): \(report.lines())")
                        let error = last["Error"] as String? ?? ""
                        #expect(!error.isEmpty, "\(label)")
                        if let wanted = c.error, !wanted.isEmpty {
                            #expect(error.contains(wanted), "\(label): \(error)")
                        }
                        #expect(loaded["n"] == before.rows, "\(label): the earlier partition must stay")
                    }
                    if c.name == "many pages" {
                        let pages = (truth.rows + 6) / 7
                        let counter = variant == .usage ? "usageDetails" : "ea-v2-page"
                        #expect(
                            fixture.emulator.statistics[counter] == pages, "\(label): \(fixture.emulator.statistics)")
                    }
                    #expect(
                        elapsed >= c.minimumWait,
                        "\(label): waited \(elapsed) s, the service asked for \(c.minimumWait) s")
                    if let recorded = c.recorded {
                        #expect(
                            (last["Warnings"] as String?)?.contains(recorded) == true,
                            "\(label): the ledger does not record the retry: \(String(describing: last["Warnings"] as String?))"
                        )
                    }
                }
            }
        }
        #expect(cells == FaultMatrixTests.cases.map(\.outcomes.count).reduce(0, +))
        #expect(cells >= 55)
    }

    @Test(arguments: [
        ("not json at all", "the body is not a JSON object"),
        ("{\"status\": \"Completed\"}", "without manifest.blobs"),
        ("{\"status\": \"Completed\", \"manifest\": {\"blobs\": [{\"byteCount\": 3}]}}", "has no blobLink"),
        ("{\"status\": \"Exploded\"}", "unknown status"),
        ("{\"status\": \"Failed\"}", "unknown: no message"),
        ("{\"status\": \"Completed\", \"manifest\": {\"blobs\": []}, \"extra\": {\"nested\": [1, 2]}}", ""),
    ])
    func malformedReportBodiesGiveClearErrors(body: String, expected: String) throws {
        let result = HTTPResult(status: 200, headers: [:], body: Array(body.utf8))
        do {
            let outcome = try CostDetailsClient.outcome(result)
            #expect(expected.isEmpty, "expected an error containing `\(expected)`, got \(outcome)")
        } catch {
            let text = String(describing: error)
            #expect(!expected.isEmpty && text.contains(expected), "\(text)")
        }
    }
}

@Suite(.serialized) struct IngestCrashTests {
    /// SIGKILL at 60 moments of `costwh ingest` against the emulator, 40 aimed through the probe
    /// (mid-download, mid-insert, inside the commit hook, after a commit) and 20 at random. Two emulators with different data alternate, so every run
    /// really rewrites its partitions.
    @Test func killedIngestsLeaveWholePartitions() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        var faults = EmulatorFaults()
        faults.blobsPerReport = 2
        try await withEmulator(faults: faults, rows: 1_500) { first in
            try await withEmulator(faults: faults, rows: 2_500) { second in
                let dir = first.directory
                let config = dir.appendingPathComponent("costwh.json").path
                try #"{"window": {"months": 1}, "scopes": [{"scope": "\#(eaAccount)"}, {"scope": "\#(mcaProfile)"}]}"#
                    .write(toFile: config, atomically: true, encoding: .utf8)
                let tmp = dir.appendingPathComponent("tmp").path
                try FileManager.default.createDirectory(atPath: tmp, withIntermediateDirectories: true)
                func environment(_ fixture: EmulatorFixture) -> [String: String] {
                    let c = fixture.emulator.configuration
                    return [
                        "PATH": "/usr/bin:/bin", "TMPDIR": tmp, "COSTWH_ARM_ENDPOINT": fixture.emulator.baseURL,
                        "AZURE_AUTHORITY_HOST": fixture.emulator.baseURL,
                        "AZURE_TENANT_ID": c.tenantId, "AZURE_CLIENT_ID": c.clientId,
                        "AZURE_CLIENT_SECRET": c.clientSecret,
                    ]
                }
                func partitions(_ path: String) throws -> [String: PartitionShape] {
                    let list = try rows(
                        path,
                        sql:
                            "SELECT Scope || ' ' || Metric AS k, COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS c FROM cost_details GROUP BY 1"
                    )
                    return Dictionary(
                        uniqueKeysWithValues: list.map {
                            ($0["k"] as String, PartitionShape(rows: $0["n"], cost: $0["c"]))
                        })
                }
                // Reference states from uninterrupted runs.
                var references: [[String: PartitionShape]] = []
                var duration = 0.0
                for (i, fixture) in [first, second].enumerated() {
                    let path = dir.appendingPathComponent("ref\(i).sqlite").path
                    let start = Date()
                    let run = try runCostwh(
                        ["ingest", "--config", config, "--db", path, "--force"], environment: environment(fixture))
                    duration = max(duration, Date().timeIntervalSince(start))
                    #expect(run.status == 0, "\(run.stderr)")
                    references.append(try partitions(path))
                    #expect(references[i].count == 4)
                }
                let path = dir.appendingPathComponent("w.sqlite").path
                // Pauses hold a download half-written and SQLite inside its commit hook, so
                // aimed kills land there; the other kills are random.
                let pauses = ["download": 0.05, "commit": 0.05]
                let aims = ["download", "insert", "commit", "committed"]
                var tally = PhaseTally()
                var known: Set<String> = []
                for kill in 0..<60 {
                    let fixture = kill % 2 == 0 ? first : second
                    let probe = ProbeLog(path: dir.appendingPathComponent("probe-\(kill)").path)
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: costwhExecutable())
                    process.arguments = ["ingest", "--config", config, "--db", path, "--force"]
                    process.environment = probe.environment(pauses: pauses, base: environment(fixture))
                    process.standardError = FileHandle.nullDevice
                    process.standardOutput = FileHandle.nullDevice
                    try process.run()
                    if kill < 40 {
                        CostwhTestSupport.kill(process, when: probe, reaches: aims[(kill / 2) % aims.count])
                    } else {
                        try await Task.sleep(nanoseconds: UInt64(Double.random(in: 0...(duration * 1.1)) * 1e9))
                        Foundation.kill(process.processIdentifier, SIGKILL)
                        process.waitUntilExit()
                    }
                    let phase: String
                    switch probe.last {
                    case _ where process.terminationReason == .exit: phase = "after completion"
                    case nil, "opened"?: phase = "before any download"
                    case "download"?: phase = "mid-download"
                    case "ledger"?, "transaction"?, "insert"?, "summaries"?, "history"?, "closing"?:
                        phase = "parsing or inserting"
                    case "commit"?: phase = "during commit"
                    default: phase = "between partitions"
                    }
                    tally.add(phase)
                    let context = "kill \(kill) landed \(phase) [\(probe.last ?? "-")]"
                    guard FileManager.default.fileExists(atPath: path) else {
                        // Only a kill before the database was first created leaves none.
                        #expect(known.isEmpty && probe.last == nil, "\(context): the database vanished")
                        continue
                    }
                    let integrity = try rows(path, sql: "PRAGMA integrity_check")
                    #expect(integrity.first?[0] as String? == "ok", "\(context)")
                    let now = try partitions(path)
                    for (key, shape) in now {
                        #expect(
                            references.contains { $0[key].map { $0.matches(shape) } ?? false },
                            "\(context): \(key) is \(shape), neither run's data")
                    }
                    let vanished = known.subtracting(now.keys)
                    #expect(vanished.isEmpty, "\(context): partitions vanished: \(vanished.sorted())")
                    known.formUnion(now.keys)
                }
                print("killedIngestsLeaveWholePartitions: \(tally)")
                #expect(tally["mid-download"] >= 5, "\(tally)")
                #expect(tally["parsing or inserting"] >= 5, "\(tally)")
                #expect(tally["during commit"] >= 5, "\(tally)")
                #expect(known.count == 4, "every partition was loaded by some run: \(known.sorted())")
                // The next run starts cleanly, and leaves no temporary files behind.
                let final = try runCostwh(
                    ["ingest", "--config", config, "--db", path, "--force"], environment: environment(first))
                #expect(final.status == 0, "\(final.stderr)")
                let finalState = try partitions(path)
                for (key, shape) in references[0] {
                    #expect(finalState[key].map { $0.matches(shape) } == true, "\(key)")
                }
                let running = try rows(path, sql: "SELECT COUNT(*) AS n FROM loads WHERE Status = 'running'")
                #expect(running[0]["n"] == 0)
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: tmp).filter {
                    $0.hasPrefix("costwh-")
                }
                #expect(leftovers.isEmpty, "temporary folders left: \(leftovers)")
            }
        }
    }
}

struct PartitionShape: CustomStringConvertible {
    let rows: Int
    let cost: Double
    var description: String { "\(rows) rows costing \(cost)" }
    func matches(_ other: PartitionShape) -> Bool {
        rows == other.rows && abs(cost - other.cost) < 1e-6 * max(1, abs(cost))
    }
}

@Suite struct PrivateFolderTests {
    @Test func foldersArePrivateAndStaleOnesAreRemoved() throws {
        let folder = try PrivateFolder()
        var info = stat()
        #expect(stat(folder.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o700)
        let (file, fd) = try folder.createFile(named: "x")
        close(fd)
        #expect(stat(file, &info) == 0 && info.st_mode & 0o777 == 0o600)
        // A folder named for a process that has ended is removed; ours is not.
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        let stale = "\(base)/costwh-\(ended.processIdentifier)-ABCDEF"
        try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: stale + "/blob-1", contents: Data("secret".utf8)))
        #expect(PrivateFolder.removeStale() >= 1)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: folder.path))
        folder.remove()
        #expect(!FileManager.default.fileExists(atPath: folder.path))
    }

    /// An ActualCost export's manifest of a subscription for June 2026, listing `blobs`.
    static func manifest(blobs: [[String: Any]]) -> [String: Any] {
        [
            "exportConfig": [
                "resourceId":
                    "/subscriptions/00000000-0000-0000-0000-000000000001/providers/Microsoft.CostManagement/exports/x",
                "type": "ActualCost",
            ],
            "runInfo": ["startDate": "2026-06-01T00:00:00"],
            "blobs": blobs,
        ]
    }

    @Test func exportsManifestsCannotReachOutsideTheirFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-manifest-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let manifest = PrivateFolderTests.manifest(blobs: [["blobName": "../../etc/passwd"]])
        try JSONSerialization.data(withJSONObject: manifest).write(to: dir.appendingPathComponent("manifest.json"))
        #expect(throws: ExtractError.self) { try ExportsFolder(path: dir.path) }
    }

    /// A blob that is a link out of the export folder is refused, and the error never
    /// quotes the target's contents; a link that stays inside the folder is read.
    @Test func exportBlobsThatLinkOutOfTheirFolderAreRefused() throws {
        let dir = TempDir()
        let secret = dir.write("secret.txt", "root:x:0:0:SECRET-LINE\n")
        let export = dir.path("export")
        try FileManager.default.createDirectory(atPath: export, withIntermediateDirectories: true)
        let manifest = PrivateFolderTests.manifest(blobs: [["blobName": "x/part_0_0001.csv"]])
        try JSONSerialization.data(withJSONObject: manifest).write(
            to: URL(fileURLWithPath: export + "/manifest.json"))
        try FileManager.default.createSymbolicLink(atPath: export + "/part_0_0001.csv", withDestinationPath: secret)
        #expect {
            try ExportsFolder(path: export)
        } throws: { error in
            let text = "\(error)"
            return text.contains("leaves the export folder") && !text.contains("SECRET-LINE")
        }
        // Inside the folder, a link is just another name.
        try FileManager.default.removeItem(atPath: export + "/part_0_0001.csv")
        _ = dir.write("export/data.csv", "Date,Cost\n")
        try FileManager.default.createSymbolicLink(atPath: export + "/part_0_0001.csv", withDestinationPath: "data.csv")
        #expect(try ExportsFolder(path: export).files.count == 1)
    }

    /// A blob listed twice in a manifest would be loaded twice: refused, in an Exports
    /// manifest and in a Cost Details report's.
    @Test func aBlobListedTwiceIsRefused() throws {
        let dir = TempDir()
        _ = dir.write("part_0_0001.csv", "Date,Cost\n")
        let manifest = PrivateFolderTests.manifest(blobs: [
            ["blobName": "a/part_0_0001.csv"], ["blobName": "b/part_0_0001.csv"],
        ])
        try JSONSerialization.data(withJSONObject: manifest).write(to: URL(fileURLWithPath: dir.path("manifest.json")))
        #expect {
            try ExportsFolder(path: dir.path(""))
        } throws: { "\($0)".contains("is listed twice") }
        let report: [String: Any] = [
            "status": "Completed",
            "manifest": [
                "blobs": [
                    ["blobLink": "https://s.blob.core.windows.net/c/r/part_1.csv?sig=one", "byteCount": 10],
                    ["blobLink": "https://s.blob.core.windows.net/c/r/part_1.csv?sig=two", "byteCount": 10],
                ]
            ],
        ]
        let body = try JSONSerialization.data(withJSONObject: report)
        #expect {
            try CostDetailsClient.outcome(HTTPResult(status: 200, headers: [:], body: Array(body)))
        } throws: { "\($0)".contains("is listed twice") && !"\($0)".contains("sig=one") }
    }
}

/// Credentials go only to the configured endpoint: a Location or nextLink naming another
/// host is refused, and that host receives nothing.
@Suite(.serialized) struct CredentialOriginTests {
    func withStranger<T>(_ body: (AzureEmulator) async throws -> T) async throws -> T {
        let stranger = AzureEmulator(configuration: EmulatorConfiguration(), logger: quiet)
        try await stranger.start()
        do {
            let result = try await body(stranger)
            await stranger.stop()
            return result
        } catch {
            await stranger.stop()
            throw error
        }
    }

    @Test func theBearerTokenDoesNotFollowALocationToAnotherHost() async throws {
        try await withStranger { stranger in
            try await withEmulator(configure: { $0.faults.foreignLinkBase = stranger.baseURL }) { fixture in
                let report = try await reload(fixture)
                let message = try #require(failure(report), "\(report.lines())")
                let port = URLComponents(string: stranger.baseURL)!.port!
                #expect(message.contains("refusing to send the Azure token to 127.0.0.1:\(port)"), "\(message)")
                #expect(
                    stranger.statistics.values.reduce(0, +) == 0, "the other host was called: \(stranger.statistics)")
            }
        }
    }

    @Test func theEAKeyDoesNotFollowANextLinkToAnotherHost() async throws {
        try await withStranger { stranger in
            try await withEmulator(configure: {
                $0.faults.foreignLinkBase = stranger.baseURL
                $0.faults.pageSize = 16
            }) { fixture in
                var settings = fixture.settings
                settings.eaEndpoint = fixture.emulator.baseURL
                settings.eaApiKey = fixture.emulator.configuration.eaApiKey
                settings.eaFormat = .v1
                let report = try await Backfill.run(
                    BackfillOptions(
                        scope: eaAccount, from: lastMonth.description,
                        to: lastMonth.description,
                        metrics: ["actual"], source: .eaReporting, settings: settings, force: true),
                    store: try DatabaseLocation.open(fixture.databasePath),
                    logger: quiet)
                let message = try #require(failure(report), "\(report.lines())")
                #expect(message.contains("refusing to send the EA API key"), "\(message)")
                #expect(stranger.statistics.values.reduce(0, +) == 0)
            }
        }
    }
}

/// Round three: a download is held to the size the manifest announced and to a pace, and a
/// report answering `Retry-After: 0` is not polled without pause.
@Suite(.serialized) struct DownloadBoundsTests {
    /// Storage answers with the blob and then more, without end: the download stops a
    /// little past the announced byteCount, fails the partition, keeps the previous data,
    /// and leaves nothing large behind.
    @Test func anEndlessBlobStopsAtItsAnnouncedSize() async throws {
        var faults = EmulatorFaults()
        faults.endlessBlobs = true
        try await withEmulator(faults: faults) { fixture in
            let prior = try priorPartition(fixture)
            let report = try await reload(fixture)
            let message = try #require(failure(report), "\(report.lines())")
            #expect(message.contains("more than the") && message.contains("bytes the manifest announced"), "\(message)")
            let kept = try rows(
                fixture.databasePath, sql: "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS c FROM cost_details"
            )[0]
            #expect(kept["n"] == prior.rows && abs((kept["c"] as Double) - prior.cost) < 1e-9)
            // What reached the disk: the announced size, the margin, and at most one more chunk.
            let stopped = message.components(separatedBy: "stopped after ").last?.split(separator: " ").first
            let written = try #require(stopped.flatMap { Int($0) }, "\(message)")
            #expect(written < (1 << 20) + (2 << 20), "\(written) bytes written for a blob of less than a MiB")
        }
    }

    /// One byte every 0.2 s is never idle for a read timeout, but makes too little progress
    /// in each stall interval: every attempt is cut, and the partition fails in seconds
    /// instead of hours, keeping its data.
    @Test func aTricklingBlobIsCutAfterTheStallInterval() async throws {
        var faults = EmulatorFaults()
        faults.trickleSeconds = 0.2
        let policy = RetryPolicy(maxAttempts: 2, baseDelay: 0.05, maxDelay: 0.1, downloadStall: 1)
        try await withEmulator(faults: faults, retryPolicy: policy) { fixture in
            let prior = try priorPartition(fixture)
            let started = Date()
            let report = try await reload(fixture)
            let elapsed = Date().timeIntervalSince(started)
            let message = try #require(failure(report), "\(report.lines())")
            #expect(message.contains("stalled"), "\(message)")
            // Whole, the trickle would take hours; a loaded CI machine may take a while to cut it.
            #expect(elapsed < 60, "the trickle ran for \(elapsed) s")
            let kept = try rows(fixture.databasePath, sql: "SELECT COUNT(*) AS n FROM cost_details")[0]
            #expect(kept["n"] == prior.rows)
        }
    }

    /// Two partitions extracted at once, and the first blob download cut half-way while it
    /// is parsed: the ledger records exactly one retry, on the partition whose download it
    /// was, and none on the other.
    @Test func retriesAreCountedOnTheirOwnPartition() async throws {
        var faults = EmulatorFaults()
        faults.cutDownloads = 1
        try await withEmulator(faults: faults) { fixture in
            var settings = fixture.settings
            settings.parallel = 2
            let report = try await Backfill.run(
                BackfillOptions(
                    scope: eaAccount, from: lastMonth.description,
                    to: lastMonth.description, metrics: ["actual", "amortized"], settings: settings, force: true),
                store: try DatabaseLocation.open(fixture.databasePath),
                logger: quiet)
            #expect(!report.anyFailed, "\(report.lines())")
            let loads = try rows(fixture.databasePath, sql: "SELECT Metric, Warnings FROM loads ORDER BY Metric")
            #expect(loads.count == 2)
            var retried: [String: Int] = [:]
            for load in loads {
                let text: String = load["Warnings"] ?? "{}"
                let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
                let counts = object["retried requests"] as? [String: Int] ?? [:]
                retried[load["Metric"] as String] = counts.values.reduce(0, +)
            }
            #expect(retried.values.reduce(0, +) == 1, "\(retried)")
            #expect(retried.values.contains(0), "the other partition counts none: \(retried)")
        }
    }

    /// The floor under a poll's wait: 50 ms doubling per poll up to a second, whatever
    /// `Retry-After` says, so `Retry-After: 0` for an hour is about 3,600 polls, not millions.
    @Test func pollsHaveAFloorUnderRetryAfterZero() {
        let zero: HTTPHeaders = ["Retry-After": "0"]
        let waits = (0..<12).map { RetryPolicy.pollWait(zero, fallback: 0, poll: $0) }
        #expect(waits[0] == 0.05)
        #expect(waits == waits.sorted(), "\(waits)")
        #expect(waits.last == 1)
        let polls = waits.count + Int(3600 - waits.reduce(0, +))
        #expect(polls < 3_700, "\(polls) polls in an hour")
        // What the service asks for, when longer, is honoured.
        #expect(RetryPolicy.pollWait(["Retry-After": "30"], fallback: 10, poll: 0) == 30)
        #expect(RetryPolicy.pollWait([:], fallback: 10, poll: 3) == 10)
    }
}
