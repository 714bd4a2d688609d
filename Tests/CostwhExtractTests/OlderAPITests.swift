import CostwhEmulator
import CostwhExtract
import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import GRDB
import Testing

func reload(
    _ fixture: EmulatorFixture, source: SourceKind, scope: String = eaAccount, metric: String = "actual",
    settings: ExtractSettings? = nil
) async throws -> RunReport {
    try await Backfill.run(
        BackfillOptions(
            scope: scope, from: lastMonth.description, to: lastMonth.description,
            metrics: [metric],
            source: source, settings: settings ?? fixture.settings, force: true),
        store: try DatabaseLocation.open(fixture.databasePath),
        logger: quiet)
}

/// Totals per (ChargeType, PricingModel), the row count and the dates of a partition.
func shape(
    _ path: String, metric: String
) throws -> (rows: Int, byType: [String: Double], dates: [String], total: Double) {
    let byType = try rows(
        path,
        sql:
            "SELECT IFNULL(ChargeType,'') || '/' || IFNULL(PricingModel,'') AS k, TOTAL(CostInBillingCurrency) AS c FROM cost_details WHERE Metric = ? GROUP BY 1",
        [metric])
    let count = try rows(
        path, sql: "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS t FROM cost_details WHERE Metric = ?",
        [metric])[0]
    let dates = try rows(path, sql: "SELECT DISTINCT Date FROM cost_details WHERE Metric = ? ORDER BY 1", [metric]).map
    { $0["Date"] as String }
    return (
        count["n"], Dictionary(uniqueKeysWithValues: byType.map { ($0["k"] as String, $0["c"] as Double) }), dates,
        count["t"]
    )
}

@Suite(.serialized) struct DetailedReportTests {
    @Test(arguments: [false, true])
    func loadsThroughTheStatusLink(statusAsObject: Bool) async throws {
        var faults = EmulatorFaults()
        faults.statusAsObject = statusAsObject
        faults.slowPolls = 3
        try await withEmulator(faults: faults) { fixture in
            let report = try await reload(fixture, source: .detailedReport, metric: "both")
            #expect(!report.anyFailed, "\(report.lines())")
            #expect(
                fixture.emulator.statistics["operationStatus"] ?? 0 >= 4,
                "the Azure-Consumption-AsyncOperation link is polled")
            let ledger = try rows(fixture.databasePath, sql: "SELECT DISTINCT Source FROM loads")
            #expect(ledger.map { $0["Source"] as String } == ["detailed-report"])
        }
    }

    @Test(arguments: [("Failed", "ReportFailed"), ("TimedOut", "ReportTimedOut")])
    func failedStatusesAreErrors(status: String, code: String) async throws {
        var faults = EmulatorFaults()
        faults.detailedFinalStatus = status
        try await withEmulator(faults: faults) { fixture in
            let error = try #require(failure(try await reload(fixture, source: .detailedReport)))
            #expect(error.contains(code))
        }
    }

    @Test func noDataFoundEmptiesThePartition() async throws {
        var faults = EmulatorFaults()
        faults.detailedFinalStatus = "NoDataFound"
        try await withEmulator(faults: faults) { fixture in
            let s = try #require(summary(try await reload(fixture, source: .detailedReport)))
            #expect(s.rowsLoaded == 0)
        }
    }

    @Test func tooLargeSuggestsExports() async throws {
        var faults = EmulatorFaults()
        faults.tooLarge = true
        try await withEmulator(faults: faults) { fixture in
            let error = try #require(failure(try await reload(fixture, source: .detailedReport)))
            #expect(error.contains("413"))
            #expect(error.contains("Exports"))
        }
    }

    @Test func customerIdAndGzipAreAccepted() async throws {
        var faults = EmulatorFaults()
        faults.gzip = true
        try await withEmulator(faults: faults) { fixture in
            var settings = fixture.settings
            settings.customerId = "cust-42"
            let report = try await reload(fixture, source: .detailedReport, scope: mcaProfile, settings: settings)
            #expect(!report.anyFailed, "\(report.lines())")
            settings.customerId = "bad/../id"
            #expect(
                failure(try await reload(fixture, source: .detailedReport, scope: mcaProfile, settings: settings))?
                    .contains("customer id") == true)
        }
    }
}

@Suite(.serialized) struct UsageDetailsTests {
    @Test(arguments: [
        (eaAccount, "actual"), (eaAccount, "amortized"), (mcaProfile, "actual"), (mcaProfile, "amortized"),
    ])
    func pagesAreFollowedToTheEnd(scope: String, metric: String) async throws {
        var configure = EmulatorFaults()
        configure.throttle = 1
        configure.throttleSeconds = 0
        try await withEmulator(faults: configure, configure: { $0.faults.pageSize = 40 }) { fixture in
            let report = try await reload(fixture, source: .usageDetails, scope: scope, metric: metric)
            #expect(!report.anyFailed, "\(report.lines())")
            let s = try #require(summary(report))
            // The emulator's truth, computed from its synthetic month, not from what was loaded.
            let truth = emulatorTruth(fixture, scope: scope, metric: try Metric(parsing: metric))
            #expect(s.rowsLoaded == truth.rows)
            #expect(abs(s.costTotal - truth.cost) <= 1e-6 * max(1, truth.cost))
            let pages = fixture.emulator.statistics["usageDetails"] ?? 0
            #expect(pages == (truth.rows + 39) / 40 + 1, "one request per page of 40, plus the throttled one")
        }
    }

    @Test func theBillingPeriodPathWorks() async throws {
        try await withEmulator(configure: { $0.faults.pageSize = 60 }) { fixture in
            var settings = fixture.settings
            settings.usageDetailsByBillingPeriod = true
            let byPath = try #require(summary(try await reload(fixture, source: .usageDetails, settings: settings)))
            #expect(byPath.rowsLoaded == emulatorTruth(fixture).rows)
            // The date filter gives the very same content: recorded as unchanged.
            let byFilter = try await reload(fixture, source: .usageDetails)
            guard case .unchanged = byFilter.results.first?.outcome else {
                Issue.record("expected the same content by date filter, got \(byFilter.lines())")
                return
            }
        }
    }

    @Test(arguments: UsageDetailsClient.supportedVersions)
    func everyAPIVersionWorks(version: String) async throws {
        try await withEmulator { fixture in
            var settings = fixture.settings
            settings.usageDetailsAPIVersion = version
            let report = try await reload(fixture, source: .usageDetails, settings: settings)
            #expect(!report.anyFailed, "\(report.lines())")
            if version == "2018-06-30" {
                let amortized = try await reload(
                    fixture, source: .usageDetails, metric: "amortized", settings: settings)
                #expect(failure(amortized)?.contains("no amortized cost") == true)
            }
        }
    }

    @Test func theURLsCarryTheRightFilters() throws {
        let transport = HTTPTransport(logger: quiet)
        defer { Task { await transport.shutdown() } }
        let arm = try ARMClient(
            transport: transport, tokens: TokenCache(credential: StaticTokenCredential(token: "t")),
            endpoint: "https://management.azure.com", logger: quiet)
        let client = UsageDetailsClient(arm: arm, logger: quiet)
        let period = try BillingPeriod(parsing: "2026-09")
        let ea = try client.firstURL(
            scope: try Scope(parsing: eaAccount), period: period, metric: .amortizedCost, apiVersion: "2023-05-01",
            billingPeriodPath: false)
        #expect(ea.contains("metric=amortizedcost"))
        #expect(
            ea.contains(
                "$filter=properties%2FusageStart%20ge%20%272026-09-01%27%20and%20properties%2FusageEnd%20le%20%272026-09-30%27"
            ))
        let mca = try client.firstURL(
            scope: try Scope(parsing: mcaProfile), period: period, metric: .actualCost, apiVersion: "2021-10-01",
            billingPeriodPath: false)
        #expect(mca.contains("startDate=2026-09-01&endDate=2026-09-30"))
        let byPeriod = try client.firstURL(
            scope: try Scope(parsing: eaAccount), period: period, metric: .actualCost, apiVersion: "2019-10-01",
            billingPeriodPath: true)
        #expect(
            byPeriod.hasPrefix(
                "https://management.azure.com/providers/Microsoft.Billing/billingAccounts/8611537/providers/Microsoft.Billing/billingPeriods/202609/providers/Microsoft.Consumption/usageDetails?"
            ))
        #expect(throws: ExtractError.self) {
            try client.firstURL(
                scope: try Scope(parsing: eaAccount), period: period, metric: .actualCost, apiVersion: "2017-01-01",
                billingPeriodPath: false)
        }
    }
}

@Suite(.serialized) struct EAReportingTests {
    @Test(arguments: [EAReportingFormat.v3, .v2, .v1])
    func downloadsAndThenSeesNotModified(format: EAReportingFormat) async throws {
        try await withEmulator(configure: { $0.faults.pageSize = 64 }) { fixture in
            var settings = fixture.settings
            settings.eaEndpoint = fixture.emulator.baseURL
            settings.eaApiKey = fixture.emulator.configuration.eaApiKey
            settings.eaFormat = format
            let first = try await reload(fixture, source: .eaReporting, settings: settings)
            let s = try #require(summary(first), "\(first.lines())")
            var truth = 0
            SyntheticMonth(
                estate: SyntheticEstate(scope: try Scope(parsing: eaAccount)), period: lastMonth,
                rows: fixture.emulator.configuration.rowsPerMonth
            )
            .forEachRow(.actualCost) { _ in truth += 1 }
            #expect(s.rowsLoaded == truth)
            if format != .v3 {
                // Pages of 64 rows, followed until the last (v1: its nextLink is empty).
                #expect(fixture.emulator.statistics["ea-\(format.rawValue)-page"] == (truth + 63) / 64)
            }
            let second = try await reload(fixture, source: .eaReporting, settings: settings)
            guard case .unchanged = second.results.first?.outcome else {
                Issue.record("expected unchanged, got \(second.lines())")
                return
            }
            #expect(fixture.emulator.statistics["ea-not-modified"] == 1, "the ETag was sent and 304 honoured")
            let ledger = try rows(fixture.databasePath, sql: "SELECT Status, SourceDetail FROM loads ORDER BY LoadId")
            #expect(ledger.map { $0["Status"] as String } == ["succeeded", "unchanged"])
            #expect((ledger[0]["SourceDetail"] as String).contains("etag"))
            // The key never reaches the ledger.
            #expect(
                !ledger.map { $0["SourceDetail"] as String? ?? "" }.joined().contains(
                    fixture.emulator.configuration.eaApiKey))
        }
    }

    @Test func aWrongKeyAndAWrongEnrollmentGiveClearErrors() async throws {
        try await withEmulator { fixture in
            var settings = fixture.settings
            settings.eaEndpoint = fixture.emulator.baseURL
            settings.eaApiKey = "not-the-key"
            let refused = try #require(failure(try await reload(fixture, source: .eaReporting, settings: settings)))
            #expect(refused.contains("401") && refused.contains("six months"))
            #expect(!refused.contains("not-the-key"))
            settings.eaApiKey = nil
            #expect(
                failure(try await reload(fixture, source: .eaReporting, settings: settings))?.contains("API key")
                    == true)
            settings.eaApiKey = fixture.emulator.configuration.eaApiKey
            #expect(
                failure(try await reload(fixture, source: .eaReporting, scope: mcaProfile, settings: settings))?
                    .contains("enrollment") == true)
        }
    }

    @Test func billingPeriodsAreListed() async throws {
        try await withEmulator { fixture in
            let transport = HTTPTransport(logger: quiet)
            defer { Task { await transport.shutdown() } }
            let client = try EAReportingClient(
                transport: transport, endpoint: fixture.emulator.baseURL,
                apiKey: fixture.emulator.configuration.eaApiKey, logger: quiet)
            let periods = try await client.billingPeriods(scope: try Scope(parsing: eaAccount))
            #expect(periods.count == 13)
            #expect(periods.contains(lastMonth.compact))
        }
    }
}

@Suite(.serialized) struct CrossSourceTests {
    /// The same synthetic month through every API gives the same rows.
    @Test func everySourceGivesTheSameRows() async throws {
        try await withEmulator(configure: { $0.faults.pageSize = 150 }) { fixture in
            var shapes: [String: (rows: Int, byType: [String: Double], dates: [String], total: Double)] = [:]
            for source in [SourceKind.costDetails, .detailedReport, .usageDetails] {
                let dir = fixture.directory.appendingPathComponent(source.rawValue)
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                let path = dir.appendingPathComponent("w.sqlite").path
                let report = try await Backfill.run(
                    BackfillOptions(
                        scope: eaAccount, from: lastMonth.description, to: lastMonth.description,
                        metrics: ["both"],
                        source: source, settings: fixture.settings, force: true),
                    store: try DatabaseLocation.open(path),
                    logger: quiet)
                #expect(!report.anyFailed, "\(source): \(report.lines())")
                for metric in ["ActualCost", "AmortizedCost"] {
                    shapes["\(source.rawValue)/\(metric)"] = try shape(path, metric: metric)
                }
            }
            for metric in ["ActualCost", "AmortizedCost"] {
                let reference = try #require(shapes["cost-details/\(metric)"])
                #expect(reference.rows > 100)
                for source in ["detailed-report", "usage-details"] {
                    let other = try #require(shapes["\(source)/\(metric)"])
                    #expect(other.rows == reference.rows, "\(source) \(metric) rows")
                    #expect(other.dates == reference.dates, "\(source) \(metric) dates")
                    #expect(
                        other.byType.keys.sorted() == reference.byType.keys.sorted(), "\(source) \(metric) charge types"
                    )
                    for (key, value) in reference.byType {
                        #expect(
                            abs((other.byType[key] ?? .nan) - value) < 1e-6 * max(1, abs(value)),
                            "\(source) \(metric) \(key)")
                    }
                }
            }
            // The EA Reporting API has actual cost only, and v1 columns without ChargeType.
            var settings = fixture.settings
            settings.eaEndpoint = fixture.emulator.baseURL
            settings.eaApiKey = fixture.emulator.configuration.eaApiKey
            for format in [EAReportingFormat.v3, .v2, .v1] {
                settings.eaFormat = format
                let dir = fixture.directory.appendingPathComponent("ea-\(format.rawValue)")
                try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                let path = dir.appendingPathComponent("w.sqlite").path
                let report = try await Backfill.run(
                    BackfillOptions(
                        scope: eaAccount, from: lastMonth.description, to: lastMonth.description,
                        metrics: ["actual"],
                        source: .eaReporting, settings: settings, force: true), store: try DatabaseLocation.open(path),
                    logger: quiet)
                #expect(!report.anyFailed, "\(report.lines())")
                let ea = try shape(path, metric: "ActualCost")
                let reference = shapes["cost-details/ActualCost"]!
                #expect(ea.rows == reference.rows)
                #expect(ea.dates == reference.dates)
                #expect(abs(ea.total - reference.total) < 1e-6 * reference.total)
            }
        }
    }
}

@Suite struct LocalFormatTests {
    func body(of example: String) throws -> Data {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/api-responses/\(example)")
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        let responses = object["responses"] as! [String: Any]
        let ok = responses["200"] as! [String: Any]
        return try JSONSerialization.data(withJSONObject: ok["body"]!)
    }

    @Test(arguments: [
        (
            "spec-consumption-2023-05-01-UsageDetailsList-legacy.json", "2019-04-09", 0.000001980949998, "CAD",
            "Product1", "Invoice Section 1"
        ),
        (
            "spec-consumption-2023-05-01-UsageDetailsListByMCABillingAccount-modern.json", "2019-10-30",
            1.84763819095477, "USD", "Virtual Machines D Series - D1 - US East", "Invoice Section 1"
        ),
    ])
    func savedUsageDetailsPagesLoad(
        example: String, date: String, cost: Double, currency: String, product: String, section: String
    ) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-json-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let page = dir.appendingPathComponent("page.json").path
        try body(of: example).write(to: URL(fileURLWithPath: page))
        let db = dir.appendingPathComponent("w.sqlite").path
        // The billing period comes from the rows (the modern example names 2023-03 beside a
        // date in 2019: Microsoft's examples are not consistent).
        var options = LoadFilesOptions(
            databasePath: db, files: [page], scope: "/subscriptions/00000000-0000-0000-0000-000000000000",
            period: nil, metric: "actual")
        options.format = .usageDetailsJSON
        let summary = try LoadFiles.run(options, logger: quiet)[0]
        #expect(summary.rowsLoaded == 1)
        let row = try rows(db, sql: "SELECT * FROM cost_details")[0]
        #expect(row["Date"] == date)
        #expect(row["CostInBillingCurrency"] == cost)
        #expect(row["BillingCurrency"] == currency)
        #expect(row["ProductName"] == product)
        #expect(row["InvoiceSectionName"] == section)
        #expect(row["ChargeType"] == "Usage")
        #expect(
            (row["Tags"] as String?).flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
            } == ["dev": "tools", "env": "newcrp"])
        #expect(row["SubscriptionId"] == "00000000-0000-0000-0000-000000000000")
        #expect((row["ExtraColumns"] as String?)?.contains("\"id\"") == true, "fields with no column are kept")
    }

    /// The pre-2019 record shape (no `kind`), from the 2018-06-30 spec example.
    @Test func preKindRecordsMapToTheSameColumns() throws {
        let page =
            #"{"value": [{"id": "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Billing/billingPeriods/201702/providers/Microsoft.Consumption/usageDetails/usageDetailsId1", "name": "usageDetailsId1", "type": "Microsoft.Consumption/usageDetails", "tags": {"env": "dev"}, "properties": {"billingPeriodId": "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Billing/billingPeriods/201702", "invoiceId": "/subscriptions/00000000-0000-0000-0000-000000000000/providers/Microsoft.Billing/invoices/201703-123456789", "usageStart": "2017-02-13T00:00:00Z", "usageEnd": "2017-02-13T23:59:59Z", "instanceName": "shared1", "instanceId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/Default-Web-eastasia/providers/Microsoft.Web/sites/shared1", "instanceLocation": "eastasia", "currency": "USD", "usageQuantity": 0.00328, "billableQuantity": 0.00328, "pretaxCost": 0.67, "isEstimated": false, "meterId": "00000000-0000-0000-0000-000000000000", "partNumber": "Part Number 1", "resourceGuid": "00000000-0000-0000-0000-000000000000", "offerId": "Offer Id 1", "chargesBilledSeparately": true, "location": "EU West"}}]}"#
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-2018-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("page.json").path
        try page.write(toFile: file, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("w.sqlite").path
        var options = LoadFilesOptions(
            databasePath: db, files: [file], scope: "/subscriptions/00000000-0000-0000-0000-000000000000",
            period: "2017-02", metric: "actual")
        options.format = .usageDetailsJSON
        #expect(try LoadFiles.run(options, logger: quiet)[0].rowsLoaded == 1)
        let row = try rows(db, sql: "SELECT * FROM cost_details")[0]
        #expect(row["Date"] == "2017-02-13")
        #expect(row["CostInBillingCurrency"] == 0.67)
        #expect(row["BillingCurrency"] == "USD")
        #expect(row["Quantity"] == 0.00328)
        #expect(
            row["ResourceId"]
                == "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/Default-Web-eastasia/providers/Microsoft.Web/sites/shared1"
        )
        #expect(row["ResourceName"] == "shared1")
        #expect(row["ResourceLocation"] == "eastasia")
        #expect(row["Location"] == "EU West")
        #expect(row["PartNumber"] == "Part Number 1")
        #expect(row["Tags"] == #"{"env":"dev"}"#)
        let extra = try #require(row["ExtraColumns"] as String?)
        for kept in ["usageEnd", "billableQuantity", "isEstimated", "chargesBilledSeparately", "billingPeriodId"] {
            #expect(extra.contains("\"\(kept)\""), "\(kept) was dropped")
        }
    }

    @Test func anExportsFolderLoadsAsOnePartitionFromItsManifest() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("costwh-exports-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scope = try Scope(parsing: "/subscriptions/00000000-0000-0000-0000-000000000007")
        let month = SyntheticMonth(
            estate: SyntheticEstate(scope: scope, resources: 50), period: try BillingPeriod(parsing: "2026-06"),
            rows: 400)
        let blobs = CostCSVWriter(schema: .ea, month: month).blobs(.amortizedCost, count: 2)
        try Data(blobs[0]).write(to: dir.appendingPathComponent("part_0_0001.csv"))
        let gz = dir.appendingPathComponent("part_1_0001.csv")
        try Data(blobs[1]).write(to: gz)
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        zip.arguments = [gz.path]
        try zip.run()
        zip.waitUntilExit()
        let gzipped = try Data(contentsOf: dir.appendingPathComponent("part_1_0001.csv.gz"))
        let manifest: [String: Any] = [
            "manifestVersion": "2024-04-01", "dataFormat": "Csv", "blobCount": 2, "dataRowCount": 400,
            "exportConfig": [
                "exportName": "daily-amortized",
                "resourceId": "\(scope.id)/providers/Microsoft.CostManagement/exports/daily-amortized",
                "type": "AmortizedCost", "dataVersion": "2021-10-01",
            ],
            "runInfo": [
                "runId": "run-123", "startDate": "2026-06-01T00:00:00", "endDate": "2026-06-30T00:00:00",
                "executionType": "Scheduled",
            ],
            "blobs": [
                ["blobName": "exports/daily/20260601-20260630/run-123/part_0_0001.csv", "byteCount": blobs[0].count],
                ["blobName": "exports/daily/20260601-20260630/run-123/part_1_0001.csv.gz", "byteCount": gzipped.count],
            ],
        ]
        try JSONSerialization.data(withJSONObject: manifest).write(to: dir.appendingPathComponent("manifest.json"))
        let db = dir.appendingPathComponent("w.sqlite").path
        var options = LoadFilesOptions(databasePath: db, files: [], scope: nil, period: nil, metric: nil)
        options.exportsFolder = dir.path
        let summary = try LoadFiles.run(options, logger: quiet)[0]
        #expect(summary.scope == scope)
        #expect(summary.metric == .amortizedCost)
        #expect(summary.period.description == "2026-06")
        #expect(abs(summary.costTotal - month.total(.amortizedCost)) < 1e-6)
        let ledger = try rows(db, sql: "SELECT Source, SourceDetail FROM loads")
        #expect(ledger[0]["Source"] == "exports")
        #expect((ledger[0]["SourceDetail"] as String).contains("run-123"))
        let parts = try rows(db, sql: "SELECT COUNT(DISTINCT SourcePart) AS n FROM cost_details")
        #expect(parts[0]["n"] == 2)
    }
}

/// FOCUS against Cost Management's own two datasets: the emulator's FOCUS export of a month
/// gives, per ChargeType and PricingModel, exactly what its actual and amortized reports give.
@Suite(.serialized) struct FocusCrossCheckTests {
    @Test(arguments: [
        eaAccount,
        "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB",
    ])
    func aFocusExportMatchesTheActualAndAmortizedReports(scope: String) async throws {
        try await withEmulator(rows: 400) { fixture in
            // The two Cost Details reports, over HTTP.
            for metric in ["actual", "amortized"] {
                let report = try await reload(fixture, scope: scope, metric: metric)
                #expect(!report.anyFailed, "\(report.lines())")
            }
            // The FOCUS export of the same month, over HTTP, loaded into a second database.
            let transport = HTTPTransport(logger: quiet)
            var url = URLComponents(string: fixture.emulator.baseURL + "/focus-export")!
            url.queryItems = [
                URLQueryItem(name: "scope", value: scope), URLQueryItem(name: "period", value: lastMonth.description),
            ]
            let result = try await transport.send(HTTPRequestSpec(url: url.string!, what: "the FOCUS export"))
            await transport.shutdown()
            #expect(result.status == 200)
            let file = fixture.directory.appendingPathComponent("focus.csv")
            try Data(result.body).write(to: file)
            let focusDB = fixture.directory.appendingPathComponent("focus.sqlite").path
            let summaries = try LoadFiles.run(
                LoadFilesOptions(
                    databasePath: focusDB, files: [file.path], scope: scope, period: lastMonth.description, metric: nil),
                logger: quiet)
            #expect(summaries.map(\.metric) == [.actualCost, .amortizedCost])
            for metric in ["ActualCost", "AmortizedCost"] {
                let reference = try shape(fixture.databasePath, metric: metric)
                let focus = try shape(focusDB, metric: metric)
                #expect(focus.rows == reference.rows, "\(metric) rows")
                #expect(focus.dates == reference.dates)
                #expect(
                    focus.byType.keys.sorted() == reference.byType.keys.sorted(),
                    "\(metric): \(focus.byType.keys.sorted())")
                for (key, cost) in reference.byType {
                    #expect(abs((focus.byType[key] ?? .nan) - cost) <= 1e-9 * max(1, abs(cost)), "\(metric) \(key)")
                }
                #expect(abs(focus.total - reference.total) <= 1e-9 * reference.total)
            }
            // What FOCUS calls the costs is kept: BilledCost adds up to the actual total,
            // EffectiveCost to the amortized one.
            let focusRows = try rows(
                focusDB, sql: "SELECT TOTAL(BilledCost) AS b, TOTAL(EffectiveCost) AS e FROM focus_costs")[0]
            #expect(
                abs((focusRows["b"] as Double) - (try shape(fixture.databasePath, metric: "ActualCost").total)) < 1e-6)
            #expect(
                abs((focusRows["e"] as Double) - (try shape(fixture.databasePath, metric: "AmortizedCost").total))
                    < 1e-6)
        }
    }
}
