import CostwhEmulator
import CostwhModel
import CostwhPipeline
import CostwhTestSupport
import Foundation
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Azure's contract, not the emulator's: every request costwh sends while it runs each
/// source and dataset against the emulator matches an operation of Microsoft's REST
/// specification (`Tests/Fixtures/azure-spec/operations.json`): its method, its path
/// template and one of its api-versions. Links Azure hands out (Location, nextLink,
/// Azure-Consumption-AsyncOperation, blobs) are followed as given and not checked here.
@Suite(.serialized) struct SpecContractTests {
    struct Operation {
        let id: String
        let method: String
        let pattern: NSRegularExpression
        let apiVersions: Set<String>
    }

    static func operations() throws -> [Operation] {
        let url = URL(fileURLWithPath: fixture("azure-spec/operations.json"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let scopes = try #require(object["scopes"] as? [String])
        func regex(_ template: String) -> String {
            let marked = template.replacingOccurrences(
                of: #"\{[A-Za-z]+\}"#, with: "\u{1}", options: .regularExpression)
            return NSRegularExpression.escapedPattern(for: marked).replacingOccurrences(of: "\u{1}", with: "[^/]+")
        }
        let scopePattern = "(" + scopes.map(regex).joined(separator: "|") + ")"
        return try (try #require(object["operations"] as? [[String: Any]])).map { op in
            let path = try #require(op["path"] as? String)
            var pattern = path.hasPrefix("{scope}") ? scopePattern + regex(String(path.dropFirst(7))) : regex(path)
            pattern = "^" + pattern + "$"
            return Operation(
                id: try #require(op["operationId"] as? String), method: try #require(op["method"] as? String),
                pattern: try NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
                apiVersions: Set(try #require(op["apiVersions"] as? [String])))
        }
    }

    static func matching(_ request: RecordedRequest, _ operations: [Operation]) -> Operation? {
        let range = NSRange(request.path.startIndex..., in: request.path)
        return operations.first {
            $0.method == request.method && $0.pattern.firstMatch(in: request.path, range: range) != nil
        }
    }

    /// Requests costwh builds itself, not links Azure handed to it.
    static func isBuiltByCostwh(_ request: RecordedRequest) -> Bool {
        let lower = request.path.lowercased()
        if lower.hasPrefix("/blobs/") || lower.contains("/oauth2/") || lower.contains("/.well-known/") { return false }
        if lower.contains("operationresults/") || lower.contains("operationstatus/") { return false }
        return request.query["$skiptoken"] == nil
    }

    @Test func everyRequestCostwhBuildsIsAnOperationOfTheSpecification() async throws {
        let operations = try Self.operations()
        try await withEmulator(rows: 200) { fixture in
            let period = lastMonth.adding(months: -1)
            func run(_ scope: String, metrics: [Metric], datasets: [Dataset], source: SourceKind) async throws {
                let report = try await Backfill.run(
                    BackfillOptions(
                        scope: try Scope(parsing: scope), from: period, to: period,
                        metrics: metrics, datasets: datasets, source: source, settings: fixture.settings, force: true),
                    store: try DatabaseLocation.open(fixture.databasePath),
                    logger: quiet)
                #expect(!report.anyFailed, "\(scope) \(source) \(datasets): \(report.lines())")
            }
            for scope in [eaAccount, mcaProfile] {
                try await run(
                    scope, metrics: [.actualCost, .amortizedCost], datasets: [.costDetails], source: .costDetails)
                try await run(scope, metrics: [.actualCost], datasets: [.costDetails], source: .detailedReport)
                try await run(scope, metrics: [.actualCost], datasets: [.costDetails], source: .usageDetails)
            }
            try await run(
                eaAccount, metrics: [.actualCost],
                datasets: [.priceSheet, .reservationDetails, .reservationTransactions, .balanceSummary, .marketplace],
                source: .costDetails)
            try await run(
                mcaProfile, metrics: [.actualCost],
                datasets: [.priceSheet, .reservationDetails, .reservationTransactions],
                source: .costDetails)
            let built = fixture.emulator.requests.filter(Self.isBuiltByCostwh)
            var seen: Set<String> = []
            for request in built {
                guard let operation = Self.matching(request, operations) else {
                    Issue.record("\(request.method) \(request.path) is no operation of the specification")
                    continue
                }
                seen.insert(operation.id)
                #expect(
                    Self.bodyProblems(request, operation).isEmpty,
                    "\(operation.id): \(Self.bodyProblems(request, operation))")
                let version = request.query["api-version"] ?? ""
                #expect(
                    operation.apiVersions.contains(version),
                    "\(operation.id): api-version \(version) is not one the specification gives")
            }
            // Every operation this run exercises was met, the fixed balances path among them.
            for id in [
                "GenerateCostDetailsReport_CreateOperation", "GenerateDetailedCostReport_CreateOperation",
                "UsageDetails_List", "PriceSheet_DownloadByBillingAccount", "PriceSheet_DownloadByBillingProfile",
                "GenerateReservationDetailsReport_ByBillingAccountId",
                "GenerateReservationDetailsReport_ByBillingProfileId", "ReservationTransactions_List",
                "ReservationTransactions_ListByBillingProfile", "Balances_GetForBillingPeriodByBillingAccount",
                "Marketplaces_List",
            ] {
                #expect(seen.contains(id), "\(id) was not called")
            }
        }
    }

    /// What the specification's request body allows: GenerateCostDetailsReportRequestDefinition
    /// and GenerateDetailedCostReportDefinition (metric, timePeriod {start, end}, billingPeriod,
    /// invoiceId; customerId for the detailed report); no body for the other operations.
    static func bodyProblems(_ request: RecordedRequest, _ operation: Operation) -> [String] {
        let allowed: Set<String>
        switch operation.id {
        case "GenerateCostDetailsReport_CreateOperation":
            allowed = ["metric", "timePeriod", "billingPeriod", "invoiceId"]
        case "GenerateDetailedCostReport_CreateOperation":
            allowed = ["metric", "timePeriod", "billingPeriod", "invoiceId", "customerId"]
        default:
            return request.body.isEmpty ? [] : ["a body where the specification has none"]
        }
        guard let body = try? JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any] else {
            return ["the body is not a JSON object"]
        }
        var problems = Set(body.keys).subtracting(allowed).map { "unknown property \($0)" }
        if let metric = body["metric"], !["ActualCost", "AmortizedCost"].contains(metric as? String ?? "") {
            problems.append("metric \(metric) is not ActualCost or AmortizedCost")
        }
        if let period = body["timePeriod"] {
            let keys = (period as? [String: Any]).map { Set($0.keys) }
            if keys != ["start", "end"] { problems.append("timePeriod is not {start, end}") }
        }
        return problems
    }

    /// The emulator answers the balances path Azure serves, and refuses the nested resource-id
    /// form costwh once requested.
    @Test func theEmulatorServesBalancesOnlyAtTheSpecificationsPath() async throws {
        try await withEmulator(staticToken: "contract-token") { fixture in
            let token = "contract-token"
            let base = fixture.emulator.baseURL + "/providers/Microsoft.Billing/billingAccounts/8611537"
            let good = base + "/billingPeriods/202601/providers/Microsoft.Consumption/balances?api-version=2023-05-01"
            let old =
                base
                + "/providers/Microsoft.Billing/billingPeriods/202601/providers/Microsoft.Consumption/balances?api-version=2023-05-01"
            for (url, status) in [(good, 200), (old, 400)] {
                var request = URLRequest(url: URL(string: url)!)
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                let (_, response) = try await URLSession.shared.data(for: request)
                #expect((response as? HTTPURLResponse)?.statusCode == status, "\(url)")
            }
        }
    }
}
