import CostwhModel
import CostwhSynthetic
import Foundation
import NIOHTTP1

/// The other datasets of a billing scope (docs/AZURE-DATASETS.md), over the same synthetic
/// estate as the cost data: Cost Management's price sheet download and reservation details
/// report (asynchronous), Consumption's reservation transactions, marketplaces and balances,
/// and Microsoft.Billing's billing periods. The report faults apply: throttling, slow polls,
/// expired links, failed reports, no data, and the page size.
extension AzureEmulator {
    func datasetAPIs(_ request: EmulatorRequest) -> EmulatorResponse? {
        let lower = request.path.lowercased()
        if lower.hasSuffix("/providers/microsoft.costmanagement/pricesheets/default/download")
            && request.method == .POST
        {
            return authorized(request) { requestDatasetReport(request, .priceSheet) }
        }
        if lower.hasSuffix("/providers/microsoft.costmanagement/generatereservationdetailsreport")
            && request.method == .POST
        {
            return authorized(request) { requestDatasetReport(request, .reservationDetails) }
        }
        if (lower.contains("/providers/microsoft.costmanagement/operationresults/")
            || lower.contains("/providers/microsoft.costmanagement/reservationdetailsoperationresults/"))
            && request.method == .GET,
            let id = request.path.split(separator: "/").last.map(String.init),
            state.state.withLock({ $0.datasetReports[id] != nil })
        {
            return authorized(request) { pollDatasetReport(request, id: id) }
        }
        guard request.method == .GET else { return nil }
        if lower.hasSuffix("/providers/microsoft.consumption/reservationtransactions") {
            return authorized(request) { datasetList(request, .reservationTransactions) }
        }
        if lower.hasSuffix("/providers/microsoft.consumption/marketplaces") {
            return authorized(request) { datasetList(request, .marketplace) }
        }
        if lower.hasSuffix("/providers/microsoft.consumption/balances") {
            // Balances_GetForBillingPeriodByBillingAccount serves
            // `/providers/Microsoft.Billing/billingAccounts/{id}/billingPeriods/{p}/…/balances`;
            // the nested `…/providers/Microsoft.Billing/billingPeriods/…` form is a resource id,
            // not a path Azure serves.
            if lower.contains("/providers/microsoft.billing/billingperiods/") {
                return .error(
                    .badRequest, code: "InvalidResourceType",
                    message: "The resource type could not be found in the namespace 'Microsoft.Billing'.")
            }
            return authorized(request) { datasetList(request, .balanceSummary) }
        }
        if lower.hasSuffix("/providers/microsoft.billing/billingperiods") {
            return authorized(request) { datasetList(request, .billingPeriods) }
        }
        return nil
    }

    /// The billing period a dataset request names: its `billingPeriods/yyyyMM` segment, its
    /// start and end dates, or its `$filter` on eventDate.
    static func datasetPeriod(_ request: EmulatorRequest) -> BillingPeriod? {
        if let range = request.path.range(of: "/billingPeriods/", options: .caseInsensitive) {
            let compact = request.path[range.upperBound...].prefix(6)
            if let year = Int(compact.prefix(4)), let month = Int(compact.suffix(2)),
                let p = try? BillingPeriod(year: year, month: month)
            {
                return p
            }
        }
        if let start = request.query["startDate"].flatMap(CalendarDate.init(iso:)) { return start.billingPeriod }
        if let filter = request.query["$filter"] {
            for word in filter.split(whereSeparator: { $0 == " " || $0 == "'" || $0 == "+" }) {
                if let date = CalendarDate(iso: String(word)) { return date.billingPeriod }
            }
        }
        return nil
    }

    func requestDatasetReport(_ request: EmulatorRequest, _ dataset: Dataset) -> EmulatorResponse {
        state.count(dataset.rawValue)
        guard
            let scope = AzureEmulator.scope(in: request.path, before: "/providers/Microsoft.CostManagement/")
                ?? AzureEmulator.scope(in: request.path, before: "/billingPeriods/")
        else {
            return .error(.badRequest, code: "InvalidScope", message: "The scope is not a supported billing scope.")
        }
        if let fault = admissionFault(dataset.rawValue) { return fault }
        if configuration.faults.noContent { return EmulatorResponse(status: .noContent) }
        let period = AzureEmulator.datasetPeriod(request) ?? BillingPeriod.current
        let id = UUID().uuidString.lowercased()
        state.state.withLock {
            $0.counters.reportsCreated += 1
            $0.datasetReports[id] = EmulatorState.DatasetReport(
                dataset: dataset, scope: scope, period: period, pollsLeft: configuration.faults.slowPolls,
                validTill: Date().addingTimeInterval(configuration.linkLifetime),
                expired: $0.counters.reportsCreated <= configuration.faults.expiredLinks)
        }
        let base = "\(request.base)\(scope.id)/providers/Microsoft.CostManagement"
        let results = dataset == .reservationDetails ? "reservationDetailsOperationResults" : "operationResults"
        return EmulatorResponse(
            status: .accepted,
            headers: [
                "Location": "\(base)/\(results)/\(id)?api-version=2025-03-01",
                "Retry-After": String(configuration.pollRetryAfter),
            ])
    }

    func pollDatasetReport(_ request: EmulatorRequest, id: String) -> EmulatorResponse {
        state.count("datasetOperationResults")
        let polled: EmulatorState.DatasetReport? = state.state.withLock { s in
            guard var report = s.datasetReports[id] else { return nil }
            if report.pollsLeft > 0 {
                report.pollsLeft -= 1
                s.datasetReports[id] = report
                return nil
            }
            return report
        }
        guard var report = polled else {
            return EmulatorResponse(status: .accepted, headers: ["Retry-After": String(configuration.pollRetryAfter)])
        }
        if configuration.faults.failReports {
            return .json(
                .ok,
                [
                    "status": "Failed",
                    "error": ["code": "ReportGenerationFailed", "message": "The report could not be generated."],
                ])
        }
        if configuration.faults.noData { return .json(.ok, ["status": "NoDataFound"]) }
        if report.link == nil {
            let datasets = SyntheticDatasets(month: month(report.scope, report.period))
            var bytes = report.dataset == .priceSheet ? datasets.priceSheetCSV() : datasets.reservationDetailsCSV()
            if configuration.faults.gzip { bytes = GzipEncoder.compress(bytes) }
            report.link = storeBlob(bytes, base: request.base, expired: report.expired, validTill: report.validTill)
            state.state.withLock { [report] in $0.datasetReports[id] = report }
        }
        let until = ISO8601DateFormatter().string(from: report.validTill)
        // The MCA price sheet's final answer is flat, `{downloadUrl, expiryTime}`
        // (PricesheetDownloadByBillingProfile.json, 2025-03-01, and the SDK's DownloadURL).
        if report.dataset == .priceSheet && report.scope.kind == .billingProfile {
            return .json(.ok, ["downloadUrl": report.link!, "expiryTime": until])
        }
        // The EA price sheet and the reservation report answer `{status, properties: {reportUrl,
        // validUntil}}`, the SDK's OperationStatus/ReportURL model (azure-mgmt-costmanagement
        // 5.0.0). The specification's example of the EA price sheet (EAPriceSheetForBillingPeriod.json)
        // spells the link `downloadUrl`/`validTill` instead; costwh reads both.
        let properties: [String: Any] = ["reportUrl": report.link!, "validUntil": until]
        return .json(.ok, ["status": "Completed", "properties": properties])
    }

    /// The ARM lists (paged with `$skiptoken`) and the balance, a single resource.
    func datasetList(_ request: EmulatorRequest, _ dataset: Dataset) -> EmulatorResponse {
        state.count(dataset.rawValue)
        let marker =
            dataset == .billingPeriods
            ? "/providers/Microsoft.Billing/billingPeriods" : "/providers/Microsoft.Consumption/"
        guard
            let scope = AzureEmulator.scope(in: request.path, before: "/providers/Microsoft.Billing/billingPeriods/")
                ?? (dataset == .balanceSummary ? AzureEmulator.scope(in: request.path, before: "/billingPeriods/") : nil)
                ?? AzureEmulator.scope(in: request.path, before: marker)
        else {
            return .error(.badRequest, code: "InvalidScope", message: "Unsupported scope.")
        }
        if let fault = admissionFault(dataset.rawValue) { return fault }
        if configuration.faults.noContent { return EmulatorResponse(status: .noContent) }
        let skip = Int(request.query["$skiptoken"] ?? "0") ?? 0
        if configuration.faults.failReports && skip > 0 { return pagingFailure() }
        if dataset == .billingPeriods {
            let records = SyntheticDatasets.billingPeriods(scope: scope, upTo: BillingPeriod.current)
            return page(records, skip: skip, request: request)
        }
        guard let period = AzureEmulator.datasetPeriod(request) else {
            return .error(
                .badRequest, code: "BadRequest", message: "Give the billing period or a $filter on eventDate.")
        }
        let datasets = SyntheticDatasets(month: month(scope, period))
        switch dataset {
        case .balanceSummary:
            if configuration.faults.noData { return EmulatorResponse(status: .noContent) }
            return .json(.ok, datasets.balanceSummary())
        case .marketplace:
            return page(configuration.faults.noData ? [] : datasets.marketplaceCharges(), skip: skip, request: request)
        default:
            return page(
                configuration.faults.noData ? [] : datasets.reservationTransactions(), skip: skip, request: request)
        }
    }

    func page(_ records: [[String: Any]], skip: Int, request: EmulatorRequest) -> EmulatorResponse {
        let size = max(1, configuration.faults.pageSize)
        var body: [String: Any] = ["value": Array(records.dropFirst(skip).prefix(size))]
        if skip + size < records.count {
            var query = request.query
            query["$skiptoken"] = String(skip + size)
            let text = query.sorted { $0.key < $1.key }.map { "\($0.key)=\(AzureEmulator.encode($0.value))" }
                .joined(separator: "&")
            body["nextLink"] = "\(request.base)\(request.path)?\(text)"
        }
        return .json(.ok, body)
    }
}
