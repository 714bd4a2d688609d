import CostwhTestSupport
import Foundation
import GRDB
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A real headless Chromium: Debian's `chromium`, or `$COSTWH_CHROMIUM`. Where none can be
/// had the browser test is skipped with this message, unless `COSTWH_REQUIRE_BROWSER` is set
/// (CI installs it), where it fails instead.
enum Browser {
    static let required = ProcessInfo.processInfo.environment["COSTWH_REQUIRE_BROWSER"] != nil

    static let path: String? = {
        let environment = ProcessInfo.processInfo.environment
        if let given = environment["COSTWH_CHROMIUM"], !given.isEmpty { return given }
        let folders = (environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for folder in folders where FileManager.default.isExecutableFile(atPath: folder + "/" + name) {
                return folder + "/" + name
            }
        }
        return nil
    }()

    static let skipMessage: Comment =
        "no Chromium: the report's browser test needs one (apt-get install -y chromium, or set COSTWH_CHROMIUM)"

    /// Runs headless Chromium on `page` at 1280 px wide; its stdout and its stderr (where
    /// `--enable-logging=stderr` writes the page's console messages as `CONSOLE` lines).
    static func run(_ mode: [String], page: String, profile: String) throws -> (stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0", "--window-size=1280,2400",
            ] + mode + [URL(fileURLWithPath: page).absoluteString]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // A browser that hangs must not hang the suite.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        watchdog.cancel()
        return (String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Measures a copy of `page` in the browser: the document's width against the viewport's,
    /// and the elements reaching past it. The copy drops the report's content security
    /// policy, which (rightly) forbids the measuring script.
    static func overflow(of page: String, in dir: TempDir) throws -> [String: Any] {
        let html = try String(contentsOfFile: page, encoding: .utf8)
        let probe = """
            <script>
            const root = document.documentElement, width = root.clientWidth;
            const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > width + 0.5)
              .slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').slice(0, 40));
            document.body.setAttribute('data-probe', JSON.stringify({scrollWidth: root.scrollWidth, clientWidth: width, wide}));
            </script>
            """
        let copy = html.replacingOccurrences(
            of: #"<meta http-equiv="Content-Security-Policy"[^>]*>"#, with: "", options: .regularExpression
        ).replacingOccurrences(of: "</body>", with: probe + "</body>")
        let probed = dir.path("probed-\(UUID().uuidString).html")
        try copy.write(toFile: probed, atomically: true, encoding: .utf8)
        let dom = try run(["--dump-dom"], page: probed, profile: dir.path("profile-probe")).stdout
        guard let start = dom.range(of: "data-probe=\""),
            let end = dom[start.upperBound...].firstIndex(of: "\"")
        else { return [:] }
        let json = String(dom[start.upperBound..<end]).replacingOccurrences(of: "&quot;", with: "\"")
            .replacingOccurrences(of: "&amp;", with: "&")
        return (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]) ?? [:]
    }
}

@Suite(.serialized) struct DemoAndReportTests {
    static func environment(_ dir: TempDir) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = dir.url.path
        env["COSTWH_DB"] = nil
        return env
    }

    /// The demo fills a database from the built-in emulator, whose estate buys commitments
    /// the ways real estates do, and ends with a summary that fits in 100 columns.
    @Test func theDemoShowsHowActualAndAmortizedDiffer() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        let dir = TempDir()
        let db = dir.path("demo.sqlite")
        let demo = try runCostwh(
            ["demo", "--db", db, "--rows-per-month", "500"], environment: DemoAndReportTests.environment(dir))
        #expect(demo.status == 0, "\(demo.stderr)")
        let lines = demo.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        // The commands to try next name the database as given: with the default
        // `costwh-demo.sqlite` they fit too; this test's longer path widens them by its excess.
        let excess = max(db.count - "costwh-demo.sqlite".count, 0)
        let wide = lines.filter { $0.count > ($0.contains(db) ? 100 + excess : 100) }
        #expect(wide.isEmpty, "\(wide)")
        for text in [
            "Actual versus amortized cost", "LargestCause", "UsedPercent", "8611537", "AB12-CD34-BG7-TGB",
            "costwh report --db", "costwh query --list", "sqlite3 ", "Next:",
        ] {
            #expect(demo.stdout.contains(text), "missing \(text): \(demo.stdout)")
        }
        #expect(demo.stdout.contains(" USD") && demo.stdout.contains(" EUR") && demo.stdout.contains(" %"))

        // The estate: upfront purchases of 1- and 3-year terms in some months only, monthly
        // commitments every month, a refund, unused hours, and so actual ≠ amortized.
        let commitments = try rows(
            db,
            sql: """
                SELECT Scope, BillingPeriod,
                    SUM(ChargeType = 'Purchase' AND Frequency = 'OneTime') AS upfront,
                    SUM(ChargeType = 'Purchase' AND Frequency = 'Recurring') AS monthly,
                    SUM(ChargeType = 'Refund') AS refunds
                FROM cost_details WHERE Metric = 'ActualCost' AND PricingModel IN ('Reservation', 'SavingsPlan')
                GROUP BY 1, 2 ORDER BY 1, 2
                """)
        #expect(commitments.count == 6, "two scopes, three months")
        #expect(commitments.allSatisfy { ($0["monthly"] as Int) == 2 }, "one reservation and one savings plan")
        for scope in Set(commitments.map { $0["Scope"] as String }) {
            let months = commitments.filter { ($0["Scope"] as String) == scope }
            #expect(months.contains { ($0["upfront"] as Int) > 0 }, "an upfront purchase in any three months")
            #expect(months.contains { ($0["upfront"] as Int) == 0 }, "upfront purchases are not monthly")
            #expect(months.map { $0["refunds"] as Int }.reduce(0, +) == 1, "a refund a quarter")
        }
        let terms = try rows(
            db,
            sql: """
                SELECT DISTINCT Term FROM cost_details
                WHERE ChargeType = 'Purchase' AND Frequency = 'OneTime' AND Term IS NOT NULL
                """)
        #expect(!terms.isEmpty)
        let unused = try rows(
            db,
            sql: "SELECT COUNT(*) AS n FROM cost_details WHERE ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan')"
        )
        #expect((unused[0]["n"] as Int) > 0)
        let totals = try rows(db, sql: "SELECT Difference FROM cost_comparison_totals")
        #expect(totals.count == 6 && totals.allSatisfy { abs($0["Difference"] as Double) > 1 })
    }

    /// The report of the demo's months, rendered by a real headless browser: no console
    /// messages (a blocked fetch or script would log one), nothing wider than a 1280 px
    /// window, and a screenshot for people to look at.
    @Test(.enabled(if: Browser.path != nil || Browser.required, Browser.skipMessage))
    func theReportRendersInABrowserWithoutErrorsOrOverflow() throws {
        let browser = try #require(Browser.path, "COSTWH_REQUIRE_BROWSER is set but no Chromium was found")
        try #require(FileManager.default.isExecutableFile(atPath: browser))
        let dir = TempDir()
        let db = dir.path("demo.sqlite")
        let env = DemoAndReportTests.environment(dir)
        let demo = try runCostwh(["demo", "--db", db, "--rows-per-month", "500"], environment: env)
        try #require(demo.status == 0, "\(demo.stderr)")
        let page = dir.path("report.html")
        let report = try runCostwh(["report", "--db", db, "--html", page], environment: env)
        try #require(report.status == 0, "\(report.stderr)")

        let artifacts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("report-1280.png").path
        try? FileManager.default.removeItem(atPath: screenshot)
        let shot = try Browser.run(["--screenshot=\(screenshot)"], page: page, profile: dir.path("profile"))
        let console = shot.stderr.split(separator: "\n").filter { $0.contains(":CONSOLE") }
        #expect(console.isEmpty, "the page logged: \(console)")
        let size = (try? FileManager.default.attributesOfItem(atPath: screenshot)[.size] as? Int) ?? 0
        #expect(size > 10_000, "no screenshot at \(screenshot): \(shot.stderr.suffix(500))")
        print("report screenshot: \(screenshot)")

        let measured = try Browser.overflow(of: page, in: dir)
        let client = try #require(measured["clientWidth"] as? Int, "the probe did not run: \(measured)")
        #expect(client == 1280)
        #expect(measured["scrollWidth"] as? Int == client, "horizontal overflow: \(measured)")
        #expect((measured["wide"] as? [String])?.isEmpty == true, "\(measured)")

        // The probe can fail: a page with a 2000 px block overflows.
        let wide = dir.path("wide.html")
        try "<!DOCTYPE html><html><body><div style=\"width:2000px\">wide</div></body></html>".write(
            toFile: wide, atomically: true, encoding: .utf8)
        let overflowing = try Browser.overflow(of: wide, in: dir)
        #expect((overflowing["scrollWidth"] as? Int ?? 0) > 1280, "\(overflowing)")
    }
}

/// Tables on a real terminal (util-linux `script` gives the command a pseudo-terminal):
/// they fit its width with short scope names, `--wide` shows them whole, and a pipe is
/// never cut.
@Suite struct TerminalTableTests {
    /// Runs `costwh ARGS` on a pseudo-terminal `columns` wide; its output as the terminal shows it.
    static func onTerminal(_ arguments: [String], columns: Int, _ dir: TempDir) throws -> String {
        let command = ([costwhExecutable()] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-qec", "stty cols \(columns) rows 50; \(command)", "/dev/null"]
        var env = DemoAndReportTests.environment(dir)
        env["COLUMNS"] = String(columns)
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\r", with: "")
    }

    @Test func tablesFitTheTerminalAndWideOrPipedOutputIsWhole() throws {
        try #require(FileManager.default.isExecutableFile(atPath: costwhExecutable()))
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "util-linux script is needed")
        let dir = TempDir()
        let db = dir.path("demo.sqlite")
        let demo = try runCostwh(
            ["demo", "--db", db, "--rows-per-month", "300"], environment: DemoAndReportTests.environment(dir))
        try #require(demo.status == 0, "\(demo.stderr)")
        let mca = "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB"
        let arguments = ["runs", "--db", db, "--limit", "4"]
        let fitted = try TerminalTableTests.onTerminal(arguments, columns: 100, dir)
        let lines = fitted.split(separator: "\n").filter { !$0.isEmpty }
        #expect(lines.count >= 4 && lines.allSatisfy { $0.count <= 100 }, "\(fitted)")
        #expect(fitted.contains("AB12-CD34-BG7-TGB") && !fitted.contains(mca), "\(fitted)")
        let wide = try TerminalTableTests.onTerminal(arguments + ["--wide"], columns: 100, dir)
        #expect(wide.contains(mca) && wide.split(separator: "\n").contains { $0.count > 100 }, "\(wide)")
        let piped = try runCostwh(arguments, environment: DemoAndReportTests.environment(dir))
        #expect(piped.stdout.contains(mca) && !piped.stdout.contains("…"), "\(piped.stdout)")
    }
}
