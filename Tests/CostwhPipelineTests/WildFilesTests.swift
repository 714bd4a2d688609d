import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhSQLite
import CostwhSynthetic
import CostwhTransform
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// Files from the wild: every real file other tools wrote, and the project's own synthetic
/// files re-saved the ways spreadsheets and other locales re-save them.
@Suite struct WildFilesTests {
    struct Expected: Sendable, CustomStringConvertible {
        let path: String
        let rows: Int
        let sum: Double
        let focusEffectiveSum: Double?
        /// The month of the file's first date, for files that name no billing period.
        let firstMonth: String?
        var description: String { path }
    }

    static let expected: [Expected] = {
        let url = URL(fileURLWithPath: fixture("real-world/MANIFEST.json"))
        let manifest = (try? JSONSerialization.jsonObject(with: Data(contentsOf: url))) as? [String: Any] ?? [:]
        return (manifest["files"] as? [[String: Any]] ?? []).map { file in
            let column = file["primary_cost_column"] as? String ?? ""
            let columns = file["cost_columns"] as? [String: [String: Any]] ?? [:]
            let sum = Double(columns[column]?["sum"] as? String ?? "") ?? .nan
            let path = file["path"] as? String ?? ""
            let effective = path.hasPrefix("focus") ? Double(columns["EffectiveCost"]?["sum"] as? String ?? "") : nil
            return Expected(
                path: path, rows: (file["data_rows"] ?? file["records"]) as? Int ?? -1, sum: sum,
                focusEffectiveSum: effective, firstMonth: (file["date_min_parsed"] as? String).map { String($0.prefix(7)) })
        }
    }()

    @Test func theManifestListsEveryRealFile() {
        #expect(WildFilesTests.expected.count == 19)
    }

    /// Each real file loads with no flag but the scope (and the metric, except for FOCUS),
    /// into the billing periods its rows name, or, naming none, with the period of its dates;
    /// with the manifest's row count and exact cost sum, every row in one period only.
    @Test(arguments: WildFilesTests.expected)
    func realFilesLoadWithTheirRowsAndSums(file: Expected) throws {
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        let focus = file.path.hasPrefix("focus")
        var options = LoadFilesOptions(
            databasePath: path, files: [fixture("real-world/" + file.path)],
            scope: "/providers/Microsoft.Billing/billingAccounts/1000", period: nil,
            metric: focus ? nil : "actual")
        var summaries: [LoadSummary] = []
        do {
            summaries = try LoadFiles.run(options, logger: quietLogger)
        } catch {
            // No billing periods in the file: it is loaded into the month of its dates (an
            // empty file into any month).
            let usage = error.isUsage
            #expect(usage, "\(error)")
            options.period = try BillingPeriod(parsing: file.firstMonth ?? "2024-01")
            summaries = try LoadFiles.run(options, logger: quietLogger)
        }
        #expect(Set(summaries.map(\.metric)) == (focus ? [.actualCost, .amortizedCost] : [.actualCost]))
        let db = try CostDatabase(path: path)
        let actual = try db.pool.read {
            try Row.fetchOne(
                $0,
                sql:
                    "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS c FROM cost_details WHERE Metric = 'ActualCost'"
            )
        }!
        #expect(summaries.allSatisfy { $0.rowsRejected == 0 })
        #expect(
            abs((actual["c"] as Double) - file.sum) <= 1e-9 * max(1, abs(file.sum)),
            "sum \(actual["c"] as Double) against \(file.sum)")
        if let effective = file.focusEffectiveSum {
            let amortized = try db.pool.read {
                try Double.fetchOne(
                    $0, sql: "SELECT TOTAL(CostInBillingCurrency) FROM cost_details WHERE Metric = 'AmortizedCost'")
            }!
            #expect(abs(amortized - effective) <= 1e-9 * max(1, abs(effective)))
            // Every row is in one metric or both; the rows left out of one are counted.
            var counts: [Metric: Int] = [:]
            for s in summaries {
                counts[s.metric, default: 0] +=
                    s.rowsLoaded
                    + (s.warnings.counts.first { $0.key.hasPrefix("FOCUS rows") }?.value.values.reduce(0, +) ?? 0)
            }
            #expect(counts == [.actualCost: file.rows, .amortizedCost: file.rows])
        } else {
            #expect(actual["n"] as Int == file.rows)
        }
    }

    @Test func focusColumnsComeBackThroughFocusCostsAsGiven() throws {
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        let options = LoadFilesOptions(
            databasePath: path, files: [fixture("real-world/focus-sample-data/FOCUS-1.0_focus_sample.csv")],
            scope: "/providers/Microsoft.Billing/billingAccounts/1000", period: nil, metric: nil)
        _ = try LoadFiles.run(options, logger: quietLogger)
        let db = try CostDatabase(path: path)
        try db.pool.read { db in
            let providers = try Row.fetchAll(
                db,
                sql:
                    "SELECT Provider, COUNT(*) AS n FROM cost_details WHERE Metric = 'AmortizedCost' GROUP BY 1 ORDER BY 1"
            )
            #expect(
                providers.map { "\($0["Provider"] as String)=\($0["n"] as Int)" } == [
                    "AWS=942", "Microsoft=51", "Oracle=7",
                ])
            let categories = try Row.fetchAll(
                db, sql: "SELECT ChargeCategory, TOTAL(BilledCost) AS b FROM focus_costs GROUP BY 1 ORDER BY 1")
            #expect(categories.map { $0["ChargeCategory"] as String } == ["Adjustment", "Credit", "Usage"])
            // The FOCUS Usage rows map onto ChargeType Usage, so the canned queries see them.
            let usage = try Double.fetchOne(
                db,
                sql:
                    "SELECT TOTAL(CostInBillingCurrency) FROM cost_details WHERE Metric = 'ActualCost' AND ChargeType = 'Usage'"
            )!
            #expect(abs(usage - 22.86192672899) < 1e-9)
            // ContractedCost's NULL literals stay NULL; the other 993 values are kept.
            let contracted = try Int.fetchOne(
                db, sql: "SELECT COUNT(ContractedCost) FROM cost_details WHERE Metric = 'AmortizedCost'")!
            #expect(contracted == 993)
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dim_tags WHERE json_valid(Tags) = 0") == 0)
            let ledger = try String.fetchOne(db, sql: "SELECT Source FROM loads LIMIT 1")
            #expect(ledger == "focus-file")
        }
    }

    // MARK: the project's own files, re-saved

    struct Variant: Sendable, CustomStringConvertible {
        let name: String
        let schema: CostCSVWriter.Schema
        var description: String { name }
    }

    static let variants: [Variant] = [
        Variant(name: "German Excel", schema: .ea), Variant(name: "UTF-16 LE tab text", schema: .ea),
        Variant(name: "Windows-1252 with accents", schema: .mca), Variant(name: "M/d/yy dates", schema: .ea),
        Variant(name: "broken auxiliary fields", schema: .mca),
        Variant(name: "rows one trailing field short", schema: .ea),
        Variant(name: "fully quoted MCA with ;", schema: .mca),
    ]

    static let accented = "Générale – Ærø Café"

    /// The synthetic month re-saved as `variant`, with its truth: rows and cost.
    static func resave(_ variant: Variant) -> (bytes: [UInt8], rows: Int, cost: Double, broken: Int) {
        let scope = try! Scope(
            parsing: variant.schema == .ea
                ? "/providers/Microsoft.Billing/billingAccounts/8611537"
                : "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB")
        let month = SyntheticMonth(
            estate: SyntheticEstate(scope: scope, resources: 40), period: try! BillingPeriod(parsing: "2026-09"),
            rows: 600)
        let writer = CostCSVWriter(schema: variant.schema, month: month)
        var text = String(decoding: writer.bytes(.actualCost), as: UTF8.self)
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        var records = CSVText.parse(text)
        let original = records.removeFirst()
        let header = original.map { $0.lowercased() }
        func column(_ name: String) -> Int { header.firstIndex(of: name.lowercased())! }
        let cost = month.total(.actualCost)
        let name = column(variant.schema == .ea ? "SubscriptionName" : "subscriptionName")
        let date = column(variant.schema == .ea ? "Date" : "date")
        var broken = 0
        for i in records.indices { records[i][name] = accented }
        let numeric = Set(
            header.indices.filter { i in
                records.allSatisfy { Double($0[i]) != nil || $0[i].isEmpty } && records.contains { !$0[i].isEmpty }
            })
        let dateColumns = header.indices.filter { records.first?[$0].split(separator: "/").count == 3 }
        var delimiter = ","
        var quoteAll = false
        var encoding = String.Encoding.utf8
        var bom: [UInt8] = []
        switch variant.name {
        case "German Excel":
            delimiter = ";"
            encoding = .windowsCP1252
            for i in records.indices {
                for c in numeric { records[i][c] = records[i][c].replacingOccurrences(of: ".", with: ",") }
                for c in dateColumns {
                    let p = records[i][c].split(separator: "/")
                    if p.count == 3 { records[i][c] = "\(p[1]).\(p[0]).\(p[2])" }
                }
            }
        case "UTF-16 LE tab text":
            delimiter = "\t"
            encoding = .utf16LittleEndian
            bom = [0xFF, 0xFE]
        case "Windows-1252 with accents":
            encoding = .windowsCP1252
        case "M/d/yy dates":
            for i in records.indices {
                for c in dateColumns {
                    let p = records[i][c].split(separator: "/").map { Int($0)! }
                    if p.count == 3 { records[i][c] = "\(p[0])/\(p[1])/\(p[2] % 100)" }
                }
            }
        case "broken auxiliary fields":
            let tags = column("tags"), info = column("additionalInfo"), start = column("billingPeriodStartDate"),
                exchange = column("exchangeRatePricingToBilling")
            for i in records.indices where i % 7 == 3 {
                records[i][tags] = "{broken"
                records[i][info] = "{\"\"}"
                records[i][start] = "3/1/21x"
                records[i][exchange] = "n/a"
                broken += 1
            }
        case "rows one trailing field short":
            for i in records.indices { records[i].removeLast() }
        default:
            delimiter = ";"
            quoteAll = true
        }
        _ = date
        let body = CSVText.write([original] + records, delimiter: delimiter, quoteAll: quoteAll)
        return (bom + Array(body.data(using: encoding)!), records.count, cost, broken)
    }

    @Test(arguments: WildFilesTests.variants)
    func resavedSyntheticFilesLoadWithEveryRowAndCent(variant: Variant) throws {
        let (bytes, rows, cost, broken) = WildFilesTests.resave(variant)
        let dir = TempDir()
        let file = dir.write("resaved.csv", bytes: bytes)
        let path = dir.path("w.sqlite")
        let options = LoadFilesOptions(
            databasePath: path, files: [file], scope: "/subscriptions/00000000-0000-0000-0000-000000000001",
            period: "2026-09", metric: "actual")
        let summary = try LoadFiles.run(options, logger: quietLogger)[0]
        #expect(summary.rowsRejected == 0)
        #expect(summary.rowsLoaded == rows)
        #expect(abs(summary.costTotal - cost) <= 1e-9 * cost, "\(summary.costTotal) against \(cost)")
        let db = try CostDatabase(path: path)
        try db.pool.read { db in
            #expect(
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM cost_details WHERE SubscriptionName = ?",
                    arguments: [WildFilesTests.accented]) == rows)
            #expect(
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT COUNT(*) FROM cost_details WHERE (Tags IS NOT NULL AND json_valid(Tags) = 0) OR (AdditionalInfo IS NOT NULL AND json_valid(AdditionalInfo) = 0)"
                ) == 0)
            #expect(
                try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM cost_details WHERE Date NOT LIKE '2026-09-__'") == 0)
            let dialect = try String.fetchOne(db, sql: "SELECT Dialect FROM loads")
            switch variant.name {
            case "German Excel":
                #expect(dialect == "encoding windows-1252, delimiter semicolon, decimal comma, dates dmy")
            case "UTF-16 LE tab text": #expect(dialect == "encoding utf-16le, delimiter tab, dates mdy")
            case "Windows-1252 with accents": #expect(dialect == "encoding windows-1252, delimiter comma, dates mdy")
            case "fully quoted MCA with ;": #expect(dialect == "encoding utf-8, delimiter semicolon, dates mdy")
            default: #expect(dialect == "encoding utf-8, delimiter comma, dates mdy")
            }
        }
        if broken > 0 {
            for kind in ["repaired: not a JSON object"] {
                #expect(summary.warnings.counts[kind]?["Tags"] == broken)
                #expect(summary.warnings.counts[kind]?["AdditionalInfo"] == broken)
            }
            #expect(summary.warnings.counts["repaired: unreadable date"]?["BillingPeriodStartDate"] == broken)
            #expect(summary.warnings.counts["repaired: unreadable number"]?["ExchangeRatePricingToBilling"] == broken)
            let kept = try db.pool.read {
                try String.fetchAll(
                    $0,
                    sql:
                        "SELECT json_extract(ExtraColumns, '$.billingPeriodStartDate') FROM cost_details WHERE BillingPeriodStartDate IS NULL"
                )
            }
            #expect(kept == Array(repeating: "3/1/21x", count: broken))
        }
        if variant.name == "rows one trailing field short" {
            #expect(summary.warnings.counts["repaired: short row padded with empty fields"]?["1 missing"] == rows)
        }
    }

    @Test func flagsOverrideDetection() throws {
        // `01/02/2026`… alone cannot tell day from month; --date-order decides.
        let text = "Date;Cost\n01/02/2026;1,5\n03/04/2026;2,25\n"
        let dir = TempDir()
        let file = dir.write("ambiguous.csv", text)
        for (order, dates, period) in [
            (DateOrder.dayFirst, ["2026-02-01", "2026-04-03"], "2026-02"),
            (.monthFirst, ["2026-01-02", "2026-03-04"], "2026-01"),
        ] {
            let path = dir.path("\(order.rawValue).sqlite")
            var options = LoadFilesOptions(
                databasePath: path, files: [file], scope: "/subscriptions/00000000-0000-0000-0000-000000000001",
                period: period, metric: "actual")
            options.dialect.dateOrder = order
            let summary = try LoadFiles.run(options, logger: quietLogger)[0]
            #expect(summary.costTotal == 3.75)
            let got = try CostDatabase(path: path).pool.read {
                try String.fetchAll($0, sql: "SELECT Date FROM cost_details ORDER BY SourceLine")
            }
            #expect(got == dates)
        }
        // Without the flag a semicolon file reads day first, and its decimal commas are seen.
        let path = dir.path("detected.sqlite")
        let options = LoadFilesOptions(
            databasePath: path, files: [file], scope: "/subscriptions/00000000-0000-0000-0000-000000000001",
            period: "2026-02", metric: "actual")
        #expect(try LoadFiles.run(options, logger: quietLogger)[0].costTotal == 3.75)
        // --no-decimal-comma makes `1,5` unreadable: the cost column refuses the rows.
        var strict = options
        strict.databasePath = dir.path("strict.sqlite")
        strict.dialect.decimalComma = false
        strict.maxRejectedPercent = 100
        #expect(try LoadFiles.run(strict, logger: quietLogger)[0].rowsRejected == 2)
    }

    @Test func anUnrecognisableFileSaysWhatWasFoundAndWhatIsAccepted() throws {
        let dir = TempDir()
        let file = dir.write("notes.csv", "Name,Amount\nlunch,12\n")
        let options = LoadFilesOptions(
            databasePath: dir.path("w.sqlite"), files: [file],
            scope: "/subscriptions/00000000-0000-0000-0000-000000000001", period: "2026-02", metric: "actual")
        do {
            _ = try LoadFiles.run(options, logger: quietLogger)
            Issue.record("expected a refusal")
        } catch {
            let text = String(describing: error)
            #expect(text.contains("Found columns: Name, Amount"))
            #expect(text.contains("Accepted: cost-details or FOCUS CSV"))
        }
    }

    @Test func exportsManifestsAsMicrosoftWritesThemToday() throws {
        let dir = TempDir()
        let scope = try Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/8611537")
        let month = SyntheticMonth(
            estate: SyntheticEstate(scope: scope, resources: 20), period: try BillingPeriod(parsing: "2026-10"),
            rows: 600)
        let csv = CostCSVWriter(schema: .ea, month: month).bytes(.actualCost)
        // Two runs of one daily export: the newer submittedTime wins whatever the folder names say.
        for (run, submitted, rows) in [
            ("b-older", "2026-11-02T06:00:00Z", 100), ("a-newer", "2026-11-03T06:00:00Z", nil as Int?),
        ] {
            let folder = dir.url.appendingPathComponent("export/20261001-20261031/\(run)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let bytes = run == "a-newer" ? csv : Array(csv.prefix(4000))
            try Data(bytes).write(to: folder.appendingPathComponent("part_0_0001.csv"))
            var manifest: [String: Any] = [
                "dataRowCount": rows.map { $0 as Any } ?? NSNull(),
                "exportConfig": [
                    "exportName": "daily", "resourceId": "\(scope.id)/providers/Microsoft.CostManagement/exports/daily",
                    "type": "ActualCost",
                ],
                "runInfo": ["runId": run, "submittedTime": submitted, "startDate": "2026-10-01T00:00:00"],
                "blobs": [
                    ["blobName": "x/part_0_0001.csv", "byteCount": bytes.count, "dataRowCount": NSNull()],
                    ["blobName": "x/part_1_0001.csv", "byteCount": 0, "dataRowCount": 0],
                ],
            ]
            if run == "b-older" { manifest["dataRowCount"] = 100 }
            try JSONSerialization.data(withJSONObject: manifest).write(
                to: folder.appendingPathComponent("manifest.json"))
        }
        let path = dir.path("w.sqlite")
        let options = LoadFilesOptions(
            databasePath: path, files: [dir.url.appendingPathComponent("export").path], scope: nil, period: nil,
            metric: nil)
        let summary = try LoadFiles.run(options, logger: quietLogger)[0]
        var truth = 0
        month.forEachRow(.actualCost) { _ in truth += 1 }
        #expect(summary.rowsLoaded == truth)
        #expect(summary.warnings.counts["manifest dataRowCount differs"] == nil)
        let detail = try CostDatabase(path: path).pool.read {
            try String.fetchOne($0, sql: "SELECT SourceDetail FROM loads")
        }
        #expect(detail?.contains("a-newer") == true)
        // A blob shorter than its byteCount is an incomplete download: refused, named.
        let newer = dir.url.appendingPathComponent("export/20261001-20261031/a-newer/part_0_0001.csv")
        try Data(csv.prefix(1000)).write(to: newer)
        #expect(throws: PipelineError.self) { try LoadFiles.run(options, logger: quietLogger) }
    }
}

extension WildFilesTests {
    /// An Exports folder whose manifest names the FocusCost dataset fills both metrics,
    /// with the totals of its BilledCost and EffectiveCost.
    @Test func aFocusCostExportFillsBothMetrics() throws {
        let dir = TempDir()
        let scope = try Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/8611537")
        let month = SyntheticMonth(
            estate: SyntheticEstate(scope: scope, resources: 30), period: try BillingPeriod(parsing: "2026-10"), rows: 800)
        let csv = FocusWriter(month: month).bytes()
        let folder = dir.url.appendingPathComponent("focus-export/20261001-20261031/run-1")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(csv).write(to: folder.appendingPathComponent("part_0_0001.csv"))
        let manifest: [String: Any] = [
            "dataRowCount": NSNull(),
            "exportConfig": [
                "exportName": "focus", "type": "FocusCost",
                "resourceId": "\(scope.id)/providers/Microsoft.CostManagement/exports/focus",
            ],
            "runInfo": ["runId": "run-1", "submittedTime": "2026-11-02T06:00:00Z", "startDate": "2026-10-01T00:00:00"],
            "blobs": [["blobName": "focus/part_0_0001.csv", "byteCount": csv.count]],
        ]
        try JSONSerialization.data(withJSONObject: manifest).write(to: folder.appendingPathComponent("manifest.json"))
        let path = dir.path("w.sqlite")
        let summaries = try LoadFiles.run(
            LoadFilesOptions(databasePath: path, files: [folder.path], scope: nil, period: nil, metric: nil), logger: quietLogger)
        #expect(summaries.map(\.metric) == [.actualCost, .amortizedCost])
        #expect(summaries.allSatisfy { $0.period.description == "2026-10" && $0.scope == scope && $0.rowsRejected == 0 })
        #expect(abs(summaries[0].costTotal - month.total(.actualCost)) <= 1e-6 * month.total(.actualCost))
        #expect(abs(summaries[1].costTotal - month.total(.amortizedCost)) <= 1e-6 * month.total(.amortizedCost))
        let source = try CostDatabase(path: path).pool.read { try String.fetchAll($0, sql: "SELECT DISTINCT Source FROM loads") }
        #expect(source == ["focus-exports"])
    }
}

