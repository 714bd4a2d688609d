import CostwhModel
import Foundation
import Logging
import NIOHTTP1

/// The asynchronous download Cost Management's older and side APIs share (the detailed cost
/// report, price sheets, the reservation details report): POST; while the answer is 202,
/// wait (Retry-After) and follow `Azure-Consumption-AsyncOperation` or `Location`; once the
/// status is Completed, download the link the answer gives (`downloadUrl`, or `reportUrl`)
/// into the private folder, without the bearer token.
package struct AsyncReport: Sendable {
    let arm: ARMClient
    let logger: Logger
    let defaultPollInterval: Double
    let pollDeadline: Double

    package init(arm: ARMClient, logger: Logger, defaultPollInterval: Double = 10, pollDeadline: Double = 3600) {
        self.arm = arm
        self.logger = logger
        self.defaultPollInterval = defaultPollInterval
        self.pollDeadline = pollDeadline
    }

    /// The status values the APIs document; `status` comes as a string or as `{"status": …}`.
    static func status(of object: [String: Any]) -> String? {
        if let text = object["status"] as? String { return text }
        if let inner = object["status"] as? [String: Any], let text = inner["status"] as? String { return text }
        if let properties = object["properties"] as? [String: Any] { return status(of: properties) }
        return nil
    }

    static let linkKeys = ["downloadUrl", "reportUrl"]

    /// Final answers come in two shapes: `{status, properties: {downloadUrl, validTill}}` (the
    /// EA price sheet, EAPriceSheetForBillingPeriod.json; the detailed report; the reservation
    /// details report with `reportUrl`/`validUntil`), and flat `{downloadUrl, expiryTime}` with
    /// no status (the MCA price sheet of 2025-03-01: PricesheetDownloadByBillingProfile.json
    /// and the SDK's `DownloadURL` model). A 200 carrying a link is complete, whatever its
    /// shape: this gives it the first shape.
    static func normalised(_ object: [String: Any], httpStatus: Int) -> [String: Any] {
        guard httpStatus == 200, status(of: object) == nil, link(in: object) != nil else { return object }
        return ["status": "Completed", "properties": object]
    }

    /// When a completed answer's link stops working: `validTill` in the examples, `validUntil`
    /// in the reservation details report, `expiryTime` in the MCA price sheet's model.
    static func validTill(in properties: [String: Any]) -> Date? {
        ((properties["validTill"] ?? properties["validUntil"] ?? properties["expiryTime"]) as? String).flatMap(
            CostDetailsClient.parseDate)
    }

    /// Runs `request` again, with an emptied folder, when the link it downloads from expired
    /// before it was used (up to `maxReRequests` times): a fresh request gives a fresh link.
    package static func renewingExpiredLinks(
        folder: PrivateFolder, logger: Logger, what: String, maxReRequests: Int,
        _ request: () async throws(ExtractError) -> FetchedReport
    ) async throws(ExtractError) -> FetchedReport {
        var attempts = 0
        while true {
            attempts += 1
            do {
                return try await request()
            } catch {
                guard error.isExpiredLink, attempts <= maxReRequests else { throw error }
                logger.info("a download link expired; asking again", metadata: ["report": "\(what)"])
                folder.removeAll()
            }
        }
    }

    /// Requests and waits; `what` names the report in errors ("the price sheet of …").
    package func fetch(
        url: String, body: [String: Any]?, scope: Scope, what: String, into folder: PrivateFolder
    ) async throws(ExtractError) -> FetchedReport {
        let data = body.map { try! JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]) }
        var result = try await arm.send(
            HTTPRequestSpec(method: .POST, url: url, body: data.map(Array.init) ?? [], what: "request \(what)"),
            scope: scope)
        let started = Date()
        var polls = 0
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
            object = AsyncReport.normalised(object, httpStatus: result.status)
            let status =
                AsyncReport.status(of: object)
                ?? (result.status == 202 ? "InProgress" : (object["properties"] != nil ? "Completed" : ""))
            switch status.lowercased() {
            case "completed", "readytodownload", "succeeded":
                var properties = object["properties"] as? [String: Any] ?? [:]
                if AsyncReport.link(in: properties) == nil, let resultLink {
                    let final = try await arm.send(
                        HTTPRequestSpec(url: resultLink, what: "get \(what)'s link"), scope: scope)
                    let finalObject =
                        (try? JSONSerialization.jsonObject(with: Data(final.body)) as? [String: Any]) ?? [:]
                    properties = finalObject["properties"] as? [String: Any] ?? finalObject
                }
                guard let link = AsyncReport.link(in: properties) else {
                    throw .malformedResponse(
                        what: what, reason: "status \(status) without properties.downloadUrl or properties.reportUrl")
                }
                let validTill = AsyncReport.validTill(in: properties)
                let files = try await CostDetailsClient(arm: arm, logger: logger).download(
                    [ReportBlob(link: link, byteCount: nil)], validTill: validTill, into: folder)
                return FetchedReport(reportId: object["name"] as? String, files: files, noDataReason: nil)
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
                let wait = RetryPolicy.pollWait(result.headers, fallback: defaultPollInterval, poll: polls)
                polls += 1
                guard Date().timeIntervalSince(started) + wait <= pollDeadline else {
                    throw .timedOut(what: what, seconds: Int(pollDeadline))
                }
                do { try await Task.sleep(nanoseconds: UInt64(wait * 1e9)) } catch { throw .cancelled }
                result = try await arm.send(HTTPRequestSpec(url: link, what: "poll \(what)"), scope: scope)
            default:
                throw .malformedResponse(what: what, reason: "unknown status `\(status)`")
            }
        }
    }

    static func link(in properties: [String: Any]) -> String? {
        for key in linkKeys {
            if let link = properties[key] as? String, !link.isEmpty { return link }
        }
        return nil
    }
}
