import CostwhModel
import CostwhSynthetic
import Foundation
import NIOHTTP1

/// The older APIs: generateDetailedCostReport, Consumption usageDetails and the retired
/// EA Reporting API, over the same synthetic data as Cost Details.
extension AzureEmulator {
    func olderAPIs(_ request: EmulatorRequest) -> EmulatorResponse? {
        let lower = request.path.lowercased()
        if lower.hasSuffix("/providers/microsoft.costmanagement/generatedetailedcostreport") && request.method == .POST
        {
            return authorized(request) { createDetailedReport(request) }
        }
        if lower.contains("/providers/microsoft.costmanagement/operationstatus/")
            || lower.contains("/providers/microsoft.costmanagement/operationresults/")
        {
            return authorized(request) { pollDetailedReport(request) }
        }
        if lower.hasSuffix("/providers/microsoft.consumption/usagedetails") && request.method == .GET {
            return authorized(request) { usageDetails(request) }
        }
        if lower.hasPrefix("/v1/enrollments/") || lower.hasPrefix("/v2/enrollments/")
            || lower.hasPrefix("/v3/enrollments/")
        {
            return eaReporting(request)
        }
        if lower == "/focus-export" && request.method == .GET { return focusExport(request) }
        return nil
    }

    /// The synthetic month a request is answered from: restated (see `--restate`) when
    /// an earlier report of it was served.
    func month(
        _ scope: Scope, _ period: BillingPeriod, metric: Metric? = nil, newReport: Bool = true
    ) -> SyntheticMonth {
        var month = SyntheticMonth(
            estate: SyntheticEstate(scope: scope), period: period, rows: configuration.rowsPerMonth)
        if let share = configuration.restatements[period] {
            let revision = state.revision("\(scope.id)|\(period)|\(metric?.rawValue ?? "")", newReport: newReport)
            if revision > 0 { month.restatement = Restatement(share: share, revision: revision) }
        }
        return month
    }

    // MARK: generateDetailedCostReport (2021-10-01)

    func createDetailedReport(_ request: EmulatorRequest) -> EmulatorResponse {
        state.count("generateDetailedCostReport")
        guard let scope = AzureEmulator.scope(in: request.path, before: "/providers/Microsoft.CostManagement/") else {
            return .error(.badRequest, code: "InvalidScope", message: "The scope is not a supported billing scope.")
        }
        if let fault = admissionFault("detailed") { return fault }
        if configuration.faults.tooLarge {
            return .error(
                .payloadTooLarge, code: "413",
                message:
                    "Request Entity Too Large - Request is throttled. The amount of data required to fulfill the request exceeds the maximum size permitted of 2Gb. Please utilize our Exports feature instead."
            )
        }
        if configuration.faults.noContent { return EmulatorResponse(status: .noContent) }
        guard let body = request.json, let metric = Metric(rawValue: body["metric"] as? String ?? "ActualCost") else {
            return .error(.badRequest, code: "BadRequest", message: "Invalid request payload.")
        }
        var period = BillingPeriod.current
        var days = 1...period.daysInMonth
        if let time = body["timePeriod"] as? [String: Any],
            let start = (time["start"] as? String).flatMap(CalendarDate.init(iso:)),
            let end = (time["end"] as? String).flatMap(CalendarDate.init(iso:)),
            start.billingPeriod == end.billingPeriod, start <= end
        {
            period = start.billingPeriod
            days = start.day...end.day
        } else if let text = body["billingPeriod"] as? String, let parsed = try? BillingPeriod(parsing: text) {
            period = parsed
            days = 1...period.daysInMonth
        }
        let id = UUID().uuidString.lowercased()
        state.state.withLock {
            $0.counters.reportsCreated += 1
            $0.reports[id] = EmulatorState.Report(
                id: id, scope: scope, metric: metric, period: period, days: days, requestBody: [:],
                pollsLeft: configuration.faults.slowPolls,
                validTill: Date().addingTimeInterval(configuration.linkLifetime),
                expired: $0.counters.reportsCreated <= configuration.faults.expiredLinks)
        }
        let base = "\(request.base)\(scope.id)/providers/Microsoft.CostManagement"
        return EmulatorResponse(
            status: .accepted,
            headers: [
                "Location": "\(base)/operationResults/\(id)?api-version=2021-10-01",
                // As the specification's example: Location and Azure-Consumption-AsyncOperation.
                // Not Azure-AsyncOperation, which Azure does not send here: a standard ARM
                // poller would wait on it for a terminal status that never comes.
                "Azure-Consumption-AsyncOperation": "\(base)/operationStatus/\(id)?api-version=2021-10-01",
                "Retry-After": String(configuration.pollRetryAfter),
            ])
    }

    func pollDetailedReport(_ request: EmulatorRequest) -> EmulatorResponse {
        let isStatus = request.path.lowercased().contains("/operationstatus/")
        state.count(isStatus ? "operationStatus" : "operationResults")
        let id = String(request.path.split(separator: "/").last ?? "")
        guard let (polledReport, running) = state.poll(id) else {
            return .error(.notFound, code: "NotFound", message: "The operation \(id) was not found.")
        }
        var report = polledReport
        let statusText: String
        if running {
            statusText = report.pollsLeft % 2 == 0 ? "InProgress" : "Queued"
        } else {
            // The generic report faults apply here as well, under this API's own status names.
            statusText =
                configuration.faults.detailedFinalStatus
                ?? (configuration.faults.failReports
                    ? "Failed" : configuration.faults.noData ? "NoDataFound" : "Completed")
        }
        var body: [String: Any] = [
            "id":
                "\(report.scope.id)/providers/Microsoft.CostManagement/\(isStatus ? "operationStatus" : "operationResults")/\(id)",
            "name": id,
            "type": "Microsoft.Consumption/\(isStatus ? "operationStatus" : "operationResult")",
        ]
        if isStatus {
            body["status"] = configuration.faults.statusAsObject ? ["status": statusText] as Any : statusText
        }
        if running {
            if !isStatus {
                return EmulatorResponse(
                    status: .accepted, headers: ["Retry-After": String(configuration.pollRetryAfter)])
            }
            return .json(.ok, body, headers: ["Retry-After": String(configuration.pollRetryAfter)])
        }
        if statusText == "Failed" || statusText == "TimedOut" {
            body["error"] = [
                "code": statusText == "Failed" ? "ReportFailed" : "ReportTimedOut",
                "message": "The detailed report could not be generated.",
            ]
            return .json(.ok, body)
        }
        if statusText == "NoDataFound" { return .json(.ok, body) }
        if report.blobIds.isEmpty {
            var blobs = reportBlobs(
                scope: report.scope, metric: report.metric, period: report.period, days: report.days, blobs: 1)
            if configuration.faults.gzip { blobs = blobs.map(GzipEncoder.compress) }
            report.blobIds = [
                storeBlob(blobs[0], base: request.base, expired: report.expired, validTill: report.validTill)
            ]
            report.blobSizes = [blobs[0].count]
            state.state.withLock { [report] s in s.reports[id] = report }
        }
        body["properties"] = [
            "downloadUrl": report.blobIds[0], "validTill": ISO8601DateFormatter().string(from: report.validTill),
        ]
        // The status answer carries `error` code "0" (the specification's example); the
        // results answer has no such field (GenerateDetailedCostReportOperationResult).
        if isStatus { body["error"] = ["code": "0", "message": NSNull()] }
        return .json(.ok, body)
    }

    // MARK: Consumption usageDetails

    /// Reads the month from `$filter` (legacy), `startDate`/`endDate` (modern) or the
    /// billing-period path segment.
    static func usagePeriod(_ request: EmulatorRequest) -> (BillingPeriod, ClosedRange<Int>)? {
        let path = request.path
        if let range = path.range(of: "/billingPeriods/", options: .caseInsensitive) {
            let rest = path[range.upperBound...].prefix(6)
            if let p = try? BillingPeriod(parsing: String(rest)) { return (p, 1...p.daysInMonth) }
        }
        var start: CalendarDate?, end: CalendarDate?
        if let s = request.query["startDate"], let e = request.query["endDate"] {
            start = CalendarDate(iso: s)
            end = CalendarDate(iso: e)
        } else if let filter = request.query["$filter"] {
            let dates = filter.split(separator: "'").compactMap { CalendarDate(iso: String($0)) }
            if dates.count == 2 { (start, end) = (dates[0], dates[1]) }
        }
        guard let start, let end, start.billingPeriod == end.billingPeriod, start <= end else { return nil }
        return (start.billingPeriod, start.day...end.day)
    }

    func usageDetails(_ request: EmulatorRequest) -> EmulatorResponse {
        state.count("usageDetails")
        guard
            let scope = AzureEmulator.scope(in: request.path, before: "/providers/Microsoft.Consumption/")
                ?? AzureEmulator.scope(in: request.path, before: "/providers/Microsoft.Billing/billingPeriods/")
        else {
            return .error(.badRequest, code: "InvalidScope", message: "Unsupported scope.")
        }
        if let fault = admissionFault("usage") { return fault }
        guard let (period, days) = AzureEmulator.usagePeriod(request) else {
            return .error(
                .badRequest, code: "BadRequest",
                message:
                    "Give the usage period: $filter on properties/usageStart and properties/usageEnd, or startDate and endDate."
            )
        }
        let metric: Metric = request.query["metric"]?.lowercased() == "amortizedcost" ? .amortizedCost : .actualCost
        let skip = Int(request.query["$skiptoken"] ?? "0") ?? 0
        if configuration.faults.noContent { return EmulatorResponse(status: .noContent) }
        if configuration.faults.noData { return .json(.ok, ["value": [Any]()]) }
        if configuration.faults.failReports && skip > 0 { return pagingFailure() }
        let formats = OlderFormats(month: month(scope, period, metric: metric, newReport: skip == 0))
        var records: [[String: Any]] = []
        var index = 0
        let page = max(1, configuration.faults.pageSize)
        formats.writer.month.forEachRow(metric) { row in
            guard days.contains(row.day) else { return }
            if index >= skip && index < skip + page { records.append(formats.usageDetailsRecord(row, id: index)) }
            index += 1
        }
        if index == 0 { return EmulatorResponse(status: .noContent) }
        var body: [String: Any] = ["value": records]
        if skip + page < index {
            var query = request.query
            query["$skiptoken"] = String(skip + page)
            body["nextLink"] =
                "\(request.base)\(request.path)?"
                + query.sorted { $0.key < $1.key }.map { "\($0.key)=\(AzureEmulator.encode($0.value))" }.joined(
                    separator: "&")
        }
        return .json(.ok, body)
    }

    static func encode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }

    // MARK: EA Reporting (consumption.azure.com)

    static func etag(_ bytes: [UInt8]) -> String {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return "\"\(String(h, radix: 16))\""
    }

    func eaReporting(_ request: EmulatorRequest) -> EmulatorResponse {
        state.count("ea-reporting")
        let rejectOnce =
            configuration.faults.rejectTokensOnce
            && state.state.withLock { s in
                guard !s.rejectedOnce.contains("ea-key") else { return false }
                s.rejectedOnce.insert("ea-key")
                s.counters.tokensRejected += 1
                return true
            }
        guard request.bearer == configuration.eaApiKey, !rejectOnce else {
            return .error(.unauthorized, code: "401", message: "API Key not found, Invalid, Expired etc.")
        }
        let parts = request.path.split(separator: "/").map(String.init)
        // v1|v2|v3, enrollments, {n}, …
        guard parts.count >= 4, let enrollment = Int(parts[2]).map(String.init) else {
            return .error(.badRequest, code: "400", message: "Invalid params – Date ranges, EA numbers etc.")
        }
        let scope = try! Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/\(enrollment)")
        if let fault = admissionFault("ea") { return fault }
        let rest = parts[3...].map { $0.lowercased() }
        let version = parts[0]
        if version == "v2" && rest == ["billingperiods"] {
            let now = BillingPeriod.current
            let list = (0..<13).map { back -> [String: Any] in
                let p = now.adding(months: -back)
                return [
                    "billingPeriodId": p.compact, "billingStart": "\(p.firstDay)T00:00:00Z",
                    "billingEnd": "\(p.lastDay)T11:59:59Z",
                    "usageDetails": "/v2/enrollments/\(enrollment)/billingperiods/\(p.compact)/usagedetails",
                ]
            }
            return .json(.ok, list)
        }
        var period: BillingPeriod?
        var json = false
        if (version == "v2" || version == "v1") && rest.count == 3 && rest[0] == "billingperiods"
            && rest[2] == "usagedetails"
        {
            period = try? BillingPeriod(parsing: rest[1])
            json = true
        } else if version == "v3" && rest == ["usagedetails", "download"] {
            period = request.query["billingPeriod"].flatMap { try? BillingPeriod(parsing: $0) }
        } else {
            return .error(.notFound, code: "404", message: "Report endpoint not found")
        }
        guard let period else {
            return .error(.badRequest, code: "400", message: "Invalid params – Date ranges, EA numbers etc.")
        }
        let skip = Int(request.query["skiptoken"] ?? "0") ?? 0
        if configuration.faults.failReports && (skip > 0 || !json) { return pagingFailure() }
        let formats = OlderFormats(month: month(scope, period, metric: .actualCost, newReport: skip == 0))
        var body: [UInt8]
        var contentType = "text/csv"
        if json {
            var records: [[String: Any]] = []
            var index = 0
            let page = max(1, configuration.faults.pageSize)
            formats.writer.month.forEachRow(.actualCost) { row in
                guard !configuration.faults.noData else { return }
                if index >= skip && index < skip + page {
                    records.append(
                        version == "v1" ? formats.eaV1Record(row, enrollment: enrollment) : formats.eaV2Record(row))
                }
                index += 1
            }
            state.count("ea-\(version)-page")
            let nextLink =
                skip + page < index
                ? "\(configuration.faults.foreignLinkBase ?? request.base)\(request.path)?skiptoken=\(skip + page)"
                : nil
            var envelope: [String: Any]
            if version == "v1" {
                // Seed 003: `{reportId, data, nextLink}`, an empty nextLink on the last page.
                envelope = [
                    "reportId": "usage-\(enrollment)-\(period.compact)", "data": records, "nextLink": nextLink ?? "",
                ]
            } else {
                envelope = ["id": "usage-\(enrollment)-\(period.compact)", "data": records]
                if let nextLink { envelope["nextLink"] = nextLink }
            }
            body = Array(
                (try? JSONSerialization.data(withJSONObject: envelope, options: [.sortedKeys, .withoutEscapingSlashes]))
                    ?? Data())
            contentType = "application/json"
        } else {
            body = formats.eaV1CSV(enrollment: enrollment)
            if configuration.faults.noData {
                // An enrollment with no usage that month: the preamble and the header only.
                var lines = 0
                body =
                    Array(
                        body.prefix { byte in
                            if byte == UInt8(ascii: "\n") { lines += 1 }
                            return lines < 3
                        }) + [UInt8(ascii: "\n")]
            }
        }
        // The ETag covers the whole report, so every page of it shares one.
        let etag = AzureEmulator.etag(Array("\(enrollment)-\(period)-\(configuration.rowsPerMonth)".utf8))
        if request.headers.first(name: "If-None-Match") == etag {
            state.count("ea-not-modified")
            return EmulatorResponse(status: .notModified, headers: ["ETag": etag])
        }
        return EmulatorResponse(status: .ok, headers: ["Content-Type": contentType, "ETag": etag], body: body)
    }

    /// A report that fails part-way: the pages after the first (or the whole CSV) answer an
    /// error that no retry cures, after earlier pages were saved.
    func pagingFailure() -> EmulatorResponse {
        state.count("paging-failure")
        return .error(.badRequest, code: "BadRequest", message: "The report could not be produced for this period.")
    }
}
