import CostwhModel
import CostwhSynthetic
import Foundation
import NIOHTTP1

extension AzureEmulator {
    /// The synthetic month of a scope, cut to the days asked for, as blobs.
    func reportBlobs(
        scope: Scope, metric: Metric, period: BillingPeriod, days: ClosedRange<Int>, blobs: Int
    ) -> [[UInt8]] {
        let key = "\(scope.id)|\(period)|\(metric.rawValue)|\(days)|\(blobs)"
        if configuration.keepReports, let kept = state.state.withLock({ $0.generated[key] }) { return kept }
        let month = month(scope, period, metric: metric)
        let whole = days == 1...period.daysInMonth
        let made = CostCSVWriter(month: month).blobs(metric, days: whole ? nil : days, count: blobs)
        if configuration.keepReports { state.state.withLock { $0.generated[key] = made } }
        return made
    }

    /// Faults that answer a report request before it is looked at.
    func admissionFault(_ kind: String, _ request: EmulatorRequest? = nil) -> EmulatorResponse? {
        let faults = configuration.faults
        return state.state.withLock { s -> EmulatorResponse? in
            let tenant = request?.bearer.flatMap { s.tokenTenants[$0] }
            if s.counters.throttled < faults.throttle, faults.throttleTenant == nil || faults.throttleTenant == tenant {
                s.counters.throttled += 1
                var headers: HTTPHeaders = [:]
                headers.add(name: faults.throttleHeader, value: String(faults.throttleSeconds))
                return .error(
                    .tooManyRequests, code: "429", message: "Too many requests. Please retry.", headers: headers)
            }
            if s.counters.unavailable < faults.unavailable {
                s.counters.unavailable += 1
                return .error(
                    .serviceUnavailable, code: "ServiceUnavailable", message: "Service is temporarily unavailable.",
                    headers: ["Retry-After": "1"])
            }
            return nil
        }
    }

    static func scope(in path: String, before marker: String) -> Scope? {
        guard let range = path.range(of: marker, options: .caseInsensitive) else { return nil }
        return try? Scope(parsing: String(path[..<range.lowerBound]))
    }

    /// `POST {scope}/providers/Microsoft.CostManagement/generateCostDetailsReport`.
    func createCostDetailsReport(_ request: EmulatorRequest) -> EmulatorResponse {
        state.count("generateCostDetailsReport")
        guard let scope = AzureEmulator.scope(in: request.path, before: "/providers/Microsoft.CostManagement/") else {
            return .error(.badRequest, code: "InvalidScope", message: "The scope is not a supported billing scope.")
        }
        if let fault = admissionFault("report", request) { return fault }
        guard let body = request.json else {
            return .error(
                .badRequest, code: "BadRequest",
                message: "Invalid Request Payload. Request payload provided is not in a json format.")
        }
        guard let metricText = body["metric"] as? String ?? Optional("ActualCost"),
            let metric = Metric(rawValue: metricText)
        else {
            return .error(.badRequest, code: "BadRequest", message: "Invalid metric.")
        }
        let given = ["timePeriod", "billingPeriod", "invoiceId"].filter { body[$0] != nil }
        guard given.count <= 1 else {
            return .error(
                .badRequest, code: "BadRequest",
                message: "Invalid request payload: can only have either timePeriod or invoiceId or billingPeriod.")
        }
        var period = BillingPeriod.current
        var days = 1...period.daysInMonth
        var echo: [String: String] = ["metric": metric.rawValue]
        var timePeriod: [String: String]?
        if let time = body["timePeriod"] as? [String: Any] {
            guard let start = (time["start"] as? String).flatMap(CalendarDate.init(iso:)),
                let end = (time["end"] as? String).flatMap(CalendarDate.init(iso:)), start <= end
            else {
                return .error(.badRequest, code: "BadRequest", message: "Invalid timePeriod.")
            }
            guard start.billingPeriod == end.billingPeriod else {
                return .error(
                    .badRequest, code: "BadRequest",
                    message:
                        "The maximum allowed date range is 1 months. The emulator serves ranges within one calendar month."
                )
            }
            period = start.billingPeriod
            days = start.day...end.day
            timePeriod = ["start": "\(start)", "end": "\(end)"]
        } else if let text = body["billingPeriod"] as? String {
            guard scope.agreement != .customerAgreement else {
                return .error(
                    .badRequest, code: "BadRequest",
                    message: "billingPeriod can be used only by Enterprise Agreement customers.")
            }
            guard let parsed = try? BillingPeriod(parsing: text), text.count == 6 else {
                return .error(
                    .badRequest, code: "BadRequest", message: "Invalid billingPeriod \(text); expected yyyyMM.")
            }
            period = parsed
            days = 1...period.daysInMonth
            echo["billingPeriod"] = text
        } else if let invoice = body["invoiceId"] as? String {
            guard scope.kind == .billingProfile || scope.kind == .customer else {
                return .error(
                    .badRequest, code: "BadRequest",
                    message: "invoiceId can only be used at the Billing Profile or Customer scope.")
            }
            // Invoices cover the month before the current one in the emulator.
            period = BillingPeriod.current.adding(months: -1)
            days = 1...period.daysInMonth
            echo["invoiceId"] = invoice
        }
        if configuration.faults.noContent { return EmulatorResponse(status: .noContent) }
        let id = UUID().uuidString.lowercased()
        let expired: Bool = state.state.withLock { s in
            s.counters.reportsCreated += 1
            return s.counters.reportsCreated <= configuration.faults.expiredLinks
        }
        let report = EmulatorState.Report(
            id: id, scope: scope, metric: metric, period: period, days: days, requestBody: echo,
            timePeriod: timePeriod, pollsLeft: configuration.faults.slowPolls, validTill: Date().addingTimeInterval(configuration.linkLifetime),
            expired: expired)
        state.state.withLock { $0.reports[id] = report }
        let apiVersion = request.query["api-version"] ?? "2025-03-01"
        let location =
            "\(configuration.faults.foreignLinkBase ?? request.base)\(scope.id)/providers/Microsoft.CostManagement/costDetailsOperationResults/\(id)?api-version=\(apiVersion)"
        return EmulatorResponse(
            status: .accepted, headers: ["Location": location, "Retry-After": String(configuration.pollRetryAfter)])
    }

    /// `GET …/costDetailsOperationResults/{id}`: 202 while running, then the manifest.
    func pollCostDetailsReport(_ request: EmulatorRequest) -> EmulatorResponse {
        state.count("costDetailsOperationResults")
        let id = String(request.path.split(separator: "/").last ?? "")
        guard let (polledReport, running) = state.poll(id) else {
            return .error(.notFound, code: "NotFound", message: "The operation \(id) was not found.")
        }
        var report = polledReport
        let location = "\(request.base)\(request.path)?api-version=\(request.query["api-version"] ?? "2025-03-01")"
        if running {
            return EmulatorResponse(
                status: .accepted, headers: ["Location": location, "Retry-After": String(configuration.pollRetryAfter)])
        }
        let validTill = ISO8601DateFormatter().string(from: report.validTill)
        var result: [String: Any] = [
            "id": "\(report.scope.id)/providers/Microsoft.CostManagement/costDetailsOperationResults/\(id)", "name": id,
        ]
        if configuration.faults.failReports {
            result["status"] = "Failed"
            result["error"] = [
                "code": "ReportGenerationFailed", "message": "The report could not be generated; try again later.",
            ]
            return .json(.ok, result)
        }
        if configuration.faults.noData {
            result["status"] = "NoDataFound"
            return .json(.ok, result)
        }
        if report.blobIds.isEmpty {
            var blobs = reportBlobs(
                scope: report.scope, metric: report.metric, period: report.period, days: report.days,
                blobs: configuration.faults.blobsPerReport)
            if configuration.faults.parquet { blobs = blobs.map(ParquetBlobs.convert) }
            if configuration.faults.gzip && !configuration.faults.parquet { blobs = blobs.map(GzipEncoder.compress) }
            let links = blobs.map {
                storeBlob($0, base: request.base, expired: report.expired, validTill: report.validTill)
            }
            report.blobIds = links
            report.blobSizes = blobs.map(\.count)
            state.state.withLock { [report] s in s.reports[id] = report }
        }
        let sizes = report.blobSizes
        result["status"] = "Completed"
        result["validTill"] = validTill
        result["manifest"] =
            [
                "manifestVersion": "2025-03-01", "dataFormat": configuration.faults.parquet ? "Parquet" : "Csv",
                "blobCount": report.blobIds.count,
                "byteCount": sizes.reduce(0, +),
                "compressData": configuration.faults.gzip,
                "requestContext": ["requestScope": report.scope.id, "requestBody": echoedBody(report)],
                "blobs": zip(report.blobIds, sizes).map { ["blobLink": $0.0, "byteCount": $0.1] },
            ] as [String: Any]
        return .json(.ok, result)
    }

}

extension AzureEmulator {
    /// The request body as the manifest echoes it: `timePeriod` an object `{start, end}`.
    func echoedBody(_ report: EmulatorState.Report) -> [String: Any] {
        var body: [String: Any] = report.requestBody
        if let timePeriod = report.timePeriod { body["timePeriod"] = timePeriod }
        return body
    }
}

extension BillingPeriod {
    /// The month now, in UTC.
    package static var current: BillingPeriod {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month], from: CostwhClock.now())
        return try! BillingPeriod(year: parts.year!, month: parts.month!)
    }
}
