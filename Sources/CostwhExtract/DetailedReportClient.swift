import CostwhModel
import Foundation
import Logging
import NIOHTTP1

/// `generateDetailedCostReport` (api-version 2021-10-01), the predecessor of Cost Details:
/// POST, poll the `Azure-Consumption-AsyncOperation` status link, download the single
/// `properties.downloadUrl`.
package final class DetailedReportClient: Sendable {
    let arm: ARMClient
    let logger: Logger
    let defaultPollInterval: Double
    let pollDeadline: Double
    package static let apiVersion = "2021-10-01"

    package init(arm: ARMClient, logger: Logger, defaultPollInterval: Double = 10, pollDeadline: Double = 3600) {
        self.arm = arm
        self.logger = logger
        self.defaultPollInterval = defaultPollInterval
        self.pollDeadline = pollDeadline
    }

    /// The status values the API documents; `status` comes as a string or as `{"status": …}`.
    static func status(of object: [String: Any]) -> String? {
        if let text = object["status"] as? String { return text }
        if let inner = object["status"] as? [String: Any], let text = inner["status"] as? String { return text }
        if let properties = object["properties"] as? [String: Any] { return status(of: properties) }
        return nil
    }

    /// Requests, polls and downloads; asks for a fresh report when its link expired before
    /// the download, as Cost Details does.
    package func fetch(
        scope: Scope, metric: Metric, selection: CostDetailsRequest.Selection, customerId: String?, today: CalendarDate,
        into folder: PrivateFolder, maxReRequests: Int = 2
    ) async throws(ExtractError) -> FetchedReport {
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await fetchOnce(
                    scope: scope, metric: metric, selection: selection, customerId: customerId, today: today,
                    into: folder)
            } catch {
                guard error.isExpiredLink, attempts <= maxReRequests else { throw error }
                logger.info("the detailed report's link expired; requesting a fresh report")
                folder.removeAll()
            }
        }
    }

    private func fetchOnce(
        scope: Scope, metric: Metric, selection: CostDetailsRequest.Selection, customerId: String?, today: CalendarDate,
        into folder: PrivateFolder
    ) async throws(ExtractError) -> FetchedReport {
        // The same limits as Cost Details apply, and are checked before any request.
        try CostDetailsRequest(
            scope: scope, metric: metric, selection: selection, apiVersion: DetailedReportClient.apiVersion
        ).validate(today: today)
        var body = CostDetailsRequest(scope: scope, metric: metric, selection: selection).body
        if let customerId {
            guard (try? Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/x/customers/\(customerId)")) != nil
            else { throw .invalidRequest("customer id `\(customerId)` may only hold letters, digits and -_.:@") }
            body["customerId"] = customerId
        }
        let url =
            "\(arm.endpoint)\(scope.id)/providers/Microsoft.CostManagement/generateDetailedCostReport?api-version=\(DetailedReportClient.apiVersion)"
        let what = "request the detailed \(metric.rawValue) report of \(scope.id)"
        let data = try! JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        var result = try await arm.send(
            HTTPRequestSpec(method: .POST, url: url, body: Array(data), what: what), scope: scope)
        let started = Date()
        var statusLink: String?
        var resultLink: String?
        while true {
            var object: [String: Any] = [:]
            if result.status == 200 || (result.status == 202 && !result.body.isEmpty) {
                object = (try? JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any]) ?? [:]
            }
            if result.status == 204 {
                return FetchedReport(reportId: nil, files: [], noDataReason: "Azure answered 204 No Content")
            }
            if result.status == 202 {
                statusLink =
                    result.headers.first(name: "Azure-Consumption-AsyncOperation") ?? statusLink
                    ?? result.headers.first(name: "Location")
                resultLink = result.headers.first(name: "Location") ?? resultLink
            }
            let status =
                DetailedReportClient.status(of: object)
                ?? (result.status == 202 ? "InProgress" : (object["properties"] != nil ? "Completed" : ""))
            switch status.lowercased() {
            case "completed", "readytodownload":
                var properties = object["properties"] as? [String: Any] ?? [:]
                if properties["downloadUrl"] == nil, let resultLink {
                    let final = try await arm.send(
                        HTTPRequestSpec(url: resultLink, what: "get the detailed report's link"), scope: scope)
                    let finalObject =
                        (try? JSONSerialization.jsonObject(with: Data(final.body)) as? [String: Any]) ?? [:]
                    properties = finalObject["properties"] as? [String: Any] ?? [:]
                }
                guard let link = properties["downloadUrl"] as? String, !link.isEmpty else {
                    throw .malformedResponse(what: what, reason: "status \(status) without properties.downloadUrl")
                }
                let validTill = (properties["validTill"] as? String).flatMap(CostDetailsClient.parseDate)
                let id = object["name"] as? String
                let files = try await CostDetailsClient(arm: arm, logger: logger).download(
                    [ReportBlob(link: link, byteCount: nil)], validTill: validTill, into: folder)
                return FetchedReport(reportId: id, files: files, noDataReason: nil)
            case "nodatafound":
                return FetchedReport(
                    reportId: object["name"] as? String, files: [], noDataReason: "Azure reported NoDataFound")
            case "failed", "timedout":
                let error = object["error"] as? [String: Any]
                throw .reportFailed(
                    code: error?["code"] as? String ?? status,
                    message: Redaction.scrub(error?["message"] as? String ?? "the report ended with status \(status)"))
            case "inprogress", "queued", "running", "notstarted":
                guard let link = statusLink ?? resultLink else {
                    throw .malformedResponse(
                        what: what, reason: "202 Accepted without Azure-Consumption-AsyncOperation or Location")
                }
                let wait = RetryPolicy.retryAfterHeaders(result.headers).map(\.seconds).max() ?? defaultPollInterval
                guard Date().timeIntervalSince(started) + wait <= pollDeadline else {
                    throw .timedOut(what: "the detailed report of \(scope.id)", seconds: Int(pollDeadline))
                }
                do { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) } catch { throw .cancelled }
                result = try await arm.send(
                    HTTPRequestSpec(url: link, what: "poll the detailed report of \(scope.id)"), scope: scope)
            default:
                throw .malformedResponse(what: what, reason: "unknown status `\(status)`")
            }
        }
    }
}
