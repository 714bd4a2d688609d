import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhQuery
import CostwhSQLite
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import GRDB
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// The Microsoft samples, both metrics of enrollment 8611537, September 2023.
func sampleDatabase(_ dir: TempDir) throws -> CostDatabase {
    let db = try CostDatabase(path: dir.path("w.sqlite"))
    _ = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
    _ = try load(db, [fixture("finops-toolkit/EA_AmortizedCost_Small.csv")], metric: .amortizedCost)
    return db
}

func query(
    _ db: CostDatabase, _ name: String, by: String? = nil, tag: String? = nil, top: Int = 20,
    period: String? = "2023-09", scope: String? = nil
) throws -> [[String: StoreValue]] {
    let table = try Query.run(
        QueryOptions(
            databasePath: db.path, name: name, scope: try scope.map { try Scope(parsing: $0) },
            periods: try period.map { try PeriodRange(parsing: $0) } ?? .all, by: by, tag: tag, top: top))
    return table.rows.map { row in Dictionary(uniqueKeysWithValues: zip(table.columns, row)) }
}

extension Dictionary where Key == String, Value == StoreValue {
    func double(_ key: String) -> Double { self[key]?.double ?? .nan }
    func string(_ key: String) -> String? { self[key]?.string }
}

@Suite struct QueryTests {
    // Expectations computed by hand (Python decimal) from the two sample files.
    @Test func totalsSplitTheDifferenceIntoItsCauses() throws {
        let dir = TempDir()
        let db = try sampleDatabase(dir)
        let rows = try query(db, "totals")
        #expect(rows.count == 1)
        let r = try #require(rows.first)
        #expect(r.string("Currency") == "USD")
        #expect(abs(r.double("ActualCost") - 8.545008) < 1e-6)
        #expect(abs(r.double("AmortizedCost") - 16.296932) < 1e-6)
        #expect(abs(r.double("Difference") - 7.751924) < 1e-6)
        #expect(abs(r.double("CommitmentPurchases") - 3.25) < 1e-9)
        #expect(abs(r.double("AmortizedCommitmentUsage") - 0.499152) < 1e-6)
        #expect(r.double("UnusedReservation") == 0 && r.double("UnusedSavingsPlan") == 0)
        #expect(abs(r.double("Other") - 10.502772) < 1e-6)
        let recomposed =
            -r.double("CommitmentPurchases") + r.double("AmortizedCommitmentUsage") + r.double("UnusedReservation")
            + r.double("UnusedSavingsPlan") + r.double("Other")
        #expect(abs(recomposed - r.double("Difference")) < 1e-5)
    }

    @Test func dailySeries() throws {
        let dir = TempDir()
        let db = try sampleDatabase(dir)
        let rows = try query(db, "daily")
        let byDate = Dictionary(uniqueKeysWithValues: rows.map { ($0.string("Date")!, $0) })
        #expect(
            byDate.keys.sorted() == [
                "2023-09-03", "2023-09-04", "2023-09-05", "2023-09-09", "2023-09-10", "2023-09-16", "2023-09-17",
                "2023-09-20", "2023-09-21", "2023-09-22",
            ])
        #expect(abs(byDate["2023-09-04"]!.double("ActualCost") - 5.082324) < 1e-6)
        #expect(abs(byDate["2023-09-04"]!.double("AmortizedCost") - 11.745687) < 1e-6)
        #expect(byDate["2023-09-21"]!.double("ActualCost") == 3.25)
        #expect(byDate["2023-09-21"]!.double("AmortizedCost") == 0)
        #expect(abs(byDate["2023-09-22"]!.double("AmortizedCost") - 0.493152) < 1e-9)
    }

    @Test func byMeterCategoryAndTag() throws {
        let dir = TempDir()
        let db = try sampleDatabase(dir)
        let meters = try query(db, "by", by: "meter-category")
        let vm = try #require(meters.first { $0.string("Group") == "Virtual Machines" })
        #expect(abs(vm.double("ActualCost") - 5.89) < 1e-9)
        #expect(abs(vm.double("AmortizedCost") - 3.139152) < 1e-6)
        let logs = try #require(meters.first { $0.string("Group") == "Log Analytics" })
        #expect(logs.double("ActualCost") == 0)
        #expect(abs(logs.double("AmortizedCost") - 4.967586) < 1e-6)
        let total = meters.reduce(0) { $0 + $1.double("AmortizedCost") }
        #expect(abs(total - 16.296932) < 1e-5)

        let tags = try query(db, "by", by: "tag", tag: "env")
        #expect(tags.contains { $0.string("Group") == "prod" })
        #expect(abs(tags.reduce(0) { $0 + $1.double("ActualCost") } - 8.545008) < 1e-5)
    }

    @Test func utilisationOfReservationsAndSavingsPlans() throws {
        let dir = TempDir()
        let db = try sampleDatabase(dir)
        let reservations = try query(db, "reservations")
        #expect(reservations.count == 1)
        #expect(reservations.first?.string("ReservationId") == "f39d1c73-af74-4308-9083-fbf5efab37d1")
        #expect(reservations.first?.string("ReservationName") == "ProdDS1VMReservation")
        #expect(reservations.first?.double("UsedCost") == 0.493152)
        #expect(reservations.first?.double("UtilizationPercent") == 100)
        let plans = try query(db, "savings-plans")
        #expect(plans.count == 1)
        #expect(plans.first?.string("SavingsPlanName") == "Compute_SavingsPlan_11-07-2022_09-55")
        #expect(abs((plans.first?.double("UsedCost") ?? 0) - 0.006000000468) < 1e-9)
    }

    @Test func topBenefitRanksTheCoveredResources() throws {
        let dir = TempDir()
        let db = try sampleDatabase(dir)
        let top = try query(db, "top-benefit", top: 1)
        #expect(top.count == 1)
        #expect(
            top.first?.string("ResourceId")?.hasSuffix("virtualMachineScaleSets/aks-agentpool-42850074-vmss") == true)
        #expect(top.first?.double("Benefit") == 0.493152)
    }

    /// Two synthetic months whose totals the generator knows independently.
    @Test func monthOverMonthAndFocusAgreeWithTheGenerator() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        let scope = try Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/5550001")
        let estate = SyntheticEstate(scope: scope, resources: 200)
        var totals: [String: (Double, Double)] = [:]
        for period in [try BillingPeriod(parsing: "2026-08"), try BillingPeriod(parsing: "2026-09")] {
            let month = SyntheticMonth(estate: estate, period: period, rows: 1_500)
            for metric in Metric.allCases {
                let file = dir.path("\(period)-\(metric).csv")
                try CostCSVWriter(month: month).write(metric, toFile: file)
                _ = try load(db, [file], scope: scope, period: period, metric: metric)
            }
            totals[period.description] = (month.total(.actualCost), month.total(.amortizedCost))
        }
        let rows = try query(db, "month-over-month", period: nil, scope: scope.id)
        #expect(rows.count == 2)
        let august = totals["2026-08"]!, september = totals["2026-09"]!
        #expect(abs(rows[0].double("ActualCost") - august.0) < 1e-4)
        #expect(abs(rows[1].double("AmortizedCost") - september.1) < 1e-4)
        #expect(abs(rows[1].double("ActualChange") - (september.0 - august.0)) < 1e-4)
        #expect(abs(rows[1].double("ActualChangePercent") - 100 * (september.0 - august.0) / august.0) < 0.01)
        #expect(rows[0].double("ActualChange").isNaN, "the first month has nothing to compare with")

        // FOCUS: BilledCost adds up to the invoice (actual), EffectiveCost to amortized.
        try db.pool.read { db in
            let focus = try Row.fetchAll(
                db,
                sql:
                    "SELECT BillingPeriod, TOTAL(BilledCost) AS billed, TOTAL(EffectiveCost) AS effective FROM focus_costs GROUP BY 1 ORDER BY 1"
            )
            #expect(focus.count == 2)
            for row in focus {
                let expected = totals[row["BillingPeriod"] as String]!
                #expect(abs((row["billed"] as Double) - expected.0) < 1e-4)
                #expect(abs((row["effective"] as Double) - expected.1) < 1e-4)
            }
            let categories = try String.fetchAll(db, sql: "SELECT DISTINCT ChargeCategory FROM focus_costs ORDER BY 1")
            #expect(categories == ["Adjustment", "Purchase", "Usage"])
            let unused = try Int.fetchOne(
                db,
                sql:
                    "SELECT COUNT(*) FROM focus_costs WHERE x_ChargeType LIKE 'Unused%' AND (CommitmentDiscountStatus <> 'Unused' OR ChargeCategory <> 'Usage' OR PricingCategory <> 'Committed')"
            )
            #expect(unused == 0)
            let spot = try String.fetchOne(
                db, sql: "SELECT DISTINCT PricingCategory FROM focus_costs WHERE x_PricingModel = 'Spot'")
            #expect(spot == "Dynamic")
        }
        // The synthetic metrics describe the same usage: verify holds.
        let checks = try Verify.run(databasePath: db.path, scope: nil, periods: .all)
        #expect(checks.allSatisfy { $0.passed }, "\(checks.filter { !$0.passed }.map(\.detail))")
        #expect(checks.count == 4 * 5 + 2)
    }

    @Test func onlyMonthsWithBothMetricsAreCompared() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        _ = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        #expect(try query(db, "totals").isEmpty)
        #expect(try query(db, "daily").isEmpty)
    }

    @Test func parametersAreBoundNotSpliced() throws {
        let dir = TempDir()
        let db = try sampleDatabase(dir)
        let hostile = ["x'); DROP TABLE loads; --", "' OR '1'='1", "env; DELETE FROM cost_fact", "$.a'.b"]
        for tag in hostile {
            let rows = try query(db, "by", by: "tag", tag: tag)
            #expect(rows.allSatisfy { $0.string("Group") == "(none)" })
        }
        // Straight at the runner, past the CLI's checks.
        let runner = QueryRunner(store: db)
        for value in ["subscription' OR 1=1 --", "'; DROP TABLE partitions; --"] {
            let table = try runner.run(
                "by",
                parameters: [
                    "by": .text(value), "scope": .text(value), "from": .text(value), "to": .text(value),
                    "tag": .text(value), "top": .integer(5),
                ])
            #expect(table.rows.isEmpty)
        }
        let survivors = try db.pool.read {
            try Int.fetchOne(
                $0, sql: "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('loads', 'partitions', 'cost_fact')")
        }
        #expect(survivors == 3)
        #expect(try partitionState(db).rows == 11)
        // The CLI refuses what cannot be a parameter at all.
        #expect(throws: PipelineError.self) { try query(db, "by", by: "subscription; DROP TABLE loads") }
        #expect(throws: PipelineError.self) { try query(db, "by", by: "tag", tag: "a\"b") }
        // A scope that is not one is refused where it is parsed, before any SQL.
        #expect(throws: ScopeError.self) { try query(db, "totals", scope: "/subscriptions/x' OR 1=1") }
        #expect(throws: PipelineError.self) { try query(db, "no-such-query") }
    }

    @Test func everyCannedQueryIsListedAndRuns() throws {
        let dir = TempDir()
        let db = try sampleDatabase(dir)
        let names = CannedQuery.all.map(\.name).sorted()
        #expect(
            names == [
                "by", "commitments", "daily", "month-over-month", "reservations", "savings", "savings-plans",
                "top-benefit", "totals",
            ])
        for query in CannedQuery.all {
            #expect(!query.description.isEmpty)
            #expect(
                query.parameters.contains("from") && query.parameters.contains("to")
                    && query.parameters.contains("scope"))
            #expect(query.sql.hasPrefix("-- name: \(query.name)"))
        }
        for name in names {
            _ = try query(db, name, by: name == "by" ? "resource-group" : nil)
        }
        let json = TableFormatter.render(QueryCatalog.listing(), as: .json)
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(parsed?.count == names.count)
    }
}

@Suite struct VerifyTests {
    func failing(_ checks: [VerificationCheck]) -> [String] { checks.filter { !$0.passed }.map(\.check) }

    @Test func goodDataPasses() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        let scope = try Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/5550002")
        let month = SyntheticMonth(
            estate: SyntheticEstate(scope: scope, resources: 100), period: try BillingPeriod(parsing: "2026-07"),
            rows: 800)
        for metric in Metric.allCases {
            let file = dir.path("\(metric).csv")
            try CostCSVWriter(month: month).write(metric, toFile: file)
            _ = try load(db, [file], scope: scope, period: month.period, metric: metric)
        }
        let checks = try Verify.run(databasePath: db.path, scope: scope, periods: try PeriodRange(parsing: "2026-07"))
        #expect(failing(checks).isEmpty)
        #expect(checks.count == 11)
    }

    @Test func brokenDataFails() throws {
        let dir = TempDir()
        let db = try sampleDatabase(dir)
        // The samples' two files do not describe the same usage: on-demand differs.
        var checks = try Verify.run(databasePath: db.path, scope: nil, periods: .all)
        #expect(failing(checks) == ["on-demand, spot and marketplace agree"])

        // A ledger that disagrees with the rows.
        try db.pool.write {
            try $0.execute(
                sql: "UPDATE loads SET CostTotal = CostTotal + 1, RowsRead = RowsRead + 2 WHERE Metric = 'ActualCost'")
        }
        checks = try Verify.run(databasePath: db.path, scope: nil, periods: .all)
        #expect(failing(checks).contains("ledger cost = sum in cost_details"))
        #expect(failing(checks).contains("rows read = loaded + rejected"))

        // A commitment purchase in amortized data, and an Unused row in actual data.
        let amortizedWithPurchase = dir.write(
            "a.csv",
            "Date,Cost,ChargeType,PricingModel\n2023-08-01,10,Purchase,Reservation\n2023-08-02,5,Usage,OnDemand\n")
        _ = try load(db, [amortizedWithPurchase], period: try BillingPeriod(parsing: "2023-08"), metric: .amortizedCost)
        let actualWithUnused = dir.write(
            "b.csv",
            "Date,Cost,ChargeType,PricingModel\n2023-08-01,3,UnusedReservation,Reservation\n2023-08-02,5,Usage,OnDemand\n"
        )
        _ = try load(db, [actualWithUnused], period: try BillingPeriod(parsing: "2023-08"), metric: .actualCost)
        checks = try Verify.run(databasePath: db.path, scope: nil, periods: try PeriodRange(parsing: "2023-08"))
        #expect(Set(failing(checks)) == ["no commitment purchases in amortized", "no Unused rows in actual"])
    }
}

@Suite struct ReportTests {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [String: Int] = [:]
        var text = ""
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            elements[name, default: 0] += 1
            for (_, value) in attributes { text += " " + value }
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    @Test func theReportIsWellFormedSelfContainedAndComplete() throws {
        let dir = TempDir()
        let db = try sampleDatabase(dir)
        let path = dir.path("report.html")
        // An older, world-readable report is replaced by a private one.
        #expect(
            FileManager.default.createFile(
                atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644]))
        try Report.write(databasePath: db.path, html: path, scope: nil, periods: try PeriodRange(parsing: "2023-09"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600, "the report is confidential like the database: mode \(String(mode ?? 0, radix: 8))")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir.url.path).filter { $0.hasSuffix(".tmp") }.isEmpty)
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // Self-contained: no scripts, no external fetches.
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("src=\""))
        #expect(!html.contains("@import") && !html.contains("url("))
        for link in html.components(separatedBy: "http").dropFirst() {
            #expect(
                link.hasPrefix("://www.w3.org/") || link.hasPrefix("-equiv=\"Content-Security-Policy\""),
                "unexpected reference: http\(link.prefix(40))")
        }
        // The browser is told so too: no scripts, no fetches.
        #expect(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\""))
        let xml = html.replacingOccurrences(of: "<!DOCTYPE html>", with: "")
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = Collector()
        parser.delegate = collector
        #expect(
            parser.parse(), "the report is not well-formed: \(parser.parserError.map { String(describing: $0) } ?? "")")
        // Monthly bars against a line, the difference, the days, and savings: each with a
        // title and a description for screen readers.
        #expect(collector.elements["svg"] == 4)
        #expect(collector.elements["title"] ?? 0 >= 5 && collector.elements["desc"] == 4)
        #expect(collector.elements["polyline"] == 2)
        #expect((collector.elements["rect"] ?? 0) >= 4)
        // The month's summary and causes, its commitments, savings, top benefit, and changes.
        #expect((collector.elements["table"] ?? 0) == 6)
        for heading in [
            "Headline figures (USD)", "Actual cost", "Amortized cost", "Difference", "Savings",
            "Commitment utilisation", "Changes to closed months", "Monthly trend", "2023-09",
            "Why they differ", "Commitments:", "Rate optimization", "Top 10 resources", "ProdDS1VMReservation",
            "Date (MM-DD)", "Billing period", "Savings against list prices", "Negotiated savings",
            "Changes to months already loaded", "Amortized minus actual cost by month",
        ] {
            #expect(collector.text.contains(heading), "missing \(heading)")
        }
        // Money is formatted with its currency; headers are words.
        #expect(collector.text.contains(" USD") && collector.text.contains("Amortized commitment usage"))
        #expect(html.contains("@media print"))
    }

    @Test func anEmptyRangeSaysSo() throws {
        let dir = TempDir()
        let db = try sampleDatabase(dir)
        let path = dir.path("empty.html")
        try Report.write(
            databasePath: db.path, html: path, scope: nil, periods: try PeriodRange(parsing: "2020-01..2020-02"))
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("nothing to compare"))
    }
}

/// Terminal escape injection: cost data is shown to people, so a ResourceGroup holding
/// `ESC]0;…` must not retitle their terminal; CSV and JSON stay exact.
@Suite struct TerminalSafetyTests {
    static let hostile = "rg-\u{1B}]0;pwned\u{07}-\u{1B}[2J-\u{9B}x"

    @Test(arguments: [OutputFormat.table, .markdown])
    func tablesShowControlCharactersVisibly(format: OutputFormat) {
        let table = ResultTable(
            columns: ["ResourceGroup\u{1B}[31m", "Cost"],
            rows: [[.text(TerminalSafetyTests.hostile), .real(1.5)]])
        let text = TableFormatter.render(table, as: format)
        #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x9B })
        #expect(text.contains(#"rg-\u{1B}]0;pwned\u{7}-\u{1B}[2J-\u{9B}x"#))
    }

    /// JSON output: keys in the table's column order, numbers as JSON numbers (no -0),
    /// slashes as they are, and every value read back exactly.
    @Test func jsonKeepsColumnOrderNumbersAndSlashes() throws {
        let scope = "/providers/Microsoft.Billing/billingAccounts/8611537"
        let table = ResultTable(
            columns: ["Scope", "Cost", "Other", "Rows", "Rate", "Missing", "Tiny", "Big"],
            rows: [
                [
                    .text(scope), .real(1234.56), .real(-0.0), .integer(42), .real(0.1 + 0.2), .null, .real(1e-7),
                    .real(1e20),
                ]
            ])
        let json = TableFormatter.render(table, as: .json)
        #expect(json.contains("\"Scope\": \"\(scope)\""), "slashes are not escaped: \(json)")
        #expect(json.contains("\"Other\": 0,") && !json.contains(": -0"), "\(json)")
        #expect(json.contains("\"Cost\": 1234.56,") && json.contains("\"Rows\": 42,"))
        let keys = json.split(separator: "\n").compactMap { line -> String? in
            guard let quote = line.firstIndex(of: "\""), let colon = line.range(of: "\": ") else { return nil }
            return String(line[line.index(after: quote)..<colon.lowerBound])
        }
        #expect(keys == table.columns)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let row = try #require(parsed.first)
        // The text is the shortest that reads back as the same double (Foundation's own
        // parser on Linux may be a unit off, so read it with Double).
        let rate = json.split(separator: "\n").first { $0.contains("\"Rate\"") }?.split(separator: " ").last
        #expect(rate.flatMap { Double($0.dropLast()) } == 0.1 + 0.2, "\(String(describing: rate))")
        #expect(row["Rate"] is NSNumber)
        #expect(row["Tiny"] as? Double == 1e-7 && row["Big"] as? Double == 1e20)
        #expect(row["Missing"] is NSNull)
        #expect(TableFormatter.render(ResultTable(columns: ["A"], rows: []), as: .json) == "[]\n")
    }

    @Test func csvAndJSONKeepTheBytesExactly() throws {
        let table = ResultTable(columns: ["ResourceGroup"], rows: [[.text(TerminalSafetyTests.hostile)]])
        #expect(TableFormatter.render(table, as: .csv) == "ResourceGroup\n\(TerminalSafetyTests.hostile)\n")
        let json = TableFormatter.render(table, as: .json)
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: String]]
        #expect(decoded?.first?["ResourceGroup"] == TerminalSafetyTests.hostile)
    }
}
