import CostwhModel
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import Testing

/// Progress on stderr: percent, rate and time left against the known size; `--progress`
/// and `--no-progress` override the terminal check.
@Suite struct ProgressTests {
    @Test func progressShowsPercentAgainstTheFileSize() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-progress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scope = try Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/8611537")
        let period = try BillingPeriod(parsing: "2026-09")
        let file = dir.appendingPathComponent("month.csv").path
        let bytes = CostCSVWriter(
            month: SyntheticMonth(estate: SyntheticEstate(scope: scope), period: period, rows: 60_000)
        )
        .blobs(.actualCost, days: nil, count: 1)[0]
        #expect(FileManager.default.createFile(atPath: file, contents: Data(bytes)))
        let env = ["PATH": "/usr/bin:/bin", "HOME": dir.path]
        func load(_ flag: String) throws -> CommandResult {
            try runCostwh(
                [
                    "load", file, "--scope", scope.id, "--period", period.description, "--metric", "actual", "--db",
                    dir.appendingPathComponent("\(flag).sqlite").path, flag,
                ], environment: env)
        }
        let shown = try load("--progress")
        #expect(shown.status == 0, "\(shown.stderr)")
        let lines = shown.stderr.split(separator: "\n").filter { $0.hasPrefix("loading ") }
        #expect(!lines.isEmpty, "\(shown.stderr)")
        let megabytes = String(format: "%.0f", Double(bytes.count) / 1_048_576)
        for line in lines {
            // e.g. "loading /tmp/…/month.csv: 42.0 % · 25,000 rows · 24 of 57 MiB"
            #expect(line.contains(" % · "), "\(line)")
            #expect(line.contains("of \(megabytes) MiB"), "\(line)")
            #expect(line.contains(" rows"), "\(line)")
        }
        let hidden = try load("--no-progress")
        #expect(hidden.status == 0)
        #expect(!hidden.stderr.contains("loading "), "\(hidden.stderr)")
        // Not a terminal and no flag: no progress either.
        let plain = try load("--log-level=warning")
        #expect(!plain.stderr.contains("loading "), "\(plain.stderr)")
    }
}
