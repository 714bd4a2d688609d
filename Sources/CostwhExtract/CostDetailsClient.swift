import CostwhBytes
import CostwhModel
import Foundation
import Logging
import NIOHTTP1

/// What to ask the Cost Details API for.
package struct CostDetailsRequest: Sendable {
    package enum Selection: Sendable, Equatable {
        /// `timePeriod`, both ends included.
        case timePeriod(start: CalendarDate, end: CalendarDate)
        /// `billingPeriod`, EA only.
        case billingPeriod(BillingPeriod)
        /// `invoiceId`, MCA billing profile or customer only.
        case invoice(String)
    }

    package var scope: Scope
    package var metric: Metric
    package var selection: Selection
    package var apiVersion: String

    package static let defaultAPIVersion = "2025-03-01"

    package init(
        scope: Scope, metric: Metric, selection: Selection, apiVersion: String = CostDetailsRequest.defaultAPIVersion
    ) {
        self.scope = scope
        self.metric = metric
        self.selection = selection
        self.apiVersion = apiVersion
    }

    /// Refuses what Azure would refuse, before any request is sent.
    package func validate(today: CalendarDate) throws(ExtractError) {
        guard apiVersion.range(of: #"^[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?$"#, options: .regularExpression) != nil
        else {
            throw .invalidRequest("--api-version `\(apiVersion)` is not an api-version such as 2025-03-01")
        }
        let oldest = today.billingPeriod.adding(months: -13)
        switch selection {
        case .timePeriod(let start, let end):
            guard start <= end else { throw .invalidRequest("the range \(start)..\(end) ends before it starts") }
            let limit = start.addingOneMonth()
            guard end < limit else {
                throw .invalidRequest(
                    "the range \(start)..\(end) is longer than one month; the Cost Details API allows at most one month per report"
                )
            }
            guard
                start >= CalendarDate(year: oldest.year, month: oldest.month, day: min(today.day, oldest.daysInMonth))!
            else {
                throw .invalidRequest(
                    "\(start) is more than 13 months ago; the Cost Details API serves the last 13 months only (use Exports for older data)"
                )
            }
        case .billingPeriod(let period):
            guard scope.agreement != .customerAgreement else {
                throw .invalidRequest(
                    "billingPeriod is for Enterprise Agreement scopes; \(scope.id) is a Microsoft Customer Agreement scope (use a date range or an invoice id)"
                )
            }
            guard period >= oldest else {
                throw .invalidRequest(
                    "billing period \(period) is more than 13 months ago; the Cost Details API serves the last 13 months only"
                )
            }
        case .invoice(let id):
            guard scope.kind == .billingProfile || scope.kind == .customer else {
                throw .invalidRequest(
                    "an invoice id can only be used at an MCA billing profile or customer scope, not \(scope.kind.rawValue) \(scope.id)"
                )
            }
            guard !id.isEmpty,
                id.utf8.allSatisfy({
                    ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D
                })
            else {
                throw .invalidRequest("invoice id `\(id)` should look like M1234567")
            }
        }
    }

    package var body: [String: Any] {
        var body: [String: Any] = ["metric": metric.rawValue]
        switch selection {
        case .timePeriod(let start, let end): body["timePeriod"] = ["start": start.description, "end": end.description]
        case .billingPeriod(let period): body["billingPeriod"] = period.compact
        case .invoice(let id): body["invoiceId"] = id
        }
        return body
    }
}

/// A blob of a finished report.
package struct ReportBlob: Sendable, Equatable {
    package let link: String
    package let byteCount: Int?
}

/// How a report request ended.
package enum ReportOutcome: Sendable {
    case completed(reportId: String, blobs: [ReportBlob], validTill: Date?, compressed: Bool)
    /// `NoDataFound`, or 204 No Content.
    case noData(reason: String)
}

/// A file downloaded to the private temporary folder.
package struct DownloadedFile: Sendable {
    package let path: String
    /// The link without its signature, for the ledger.
    package let source: String
    package let bytes: Int

    package init(path: String, source: String, bytes: Int) {
        self.path = path
        self.source = source
        self.bytes = bytes
    }
}

/// The asynchronous Cost Details API: POST `generateCostDetailsReport`, follow `Location`
/// until the report is ready, then download every blob of its manifest.
package final class CostDetailsClient: Sendable {
    let arm: ARMClient
    let logger: Logger
    /// Wait between polls when Azure sends no Retry-After.
    let defaultPollInterval: Double
    /// How long a report may take before costwh gives up on it.
    let pollDeadline: Double

    package init(arm: ARMClient, logger: Logger, defaultPollInterval: Double = 10, pollDeadline: Double = 3600) {
        self.arm = arm
        self.logger = logger
        self.defaultPollInterval = defaultPollInterval
        self.pollDeadline = pollDeadline
    }

    /// Asks for a report and waits for it.
    package func requestReport(
        _ request: CostDetailsRequest, today: CalendarDate
    ) async throws(ExtractError) -> ReportOutcome {
        try request.validate(today: today)
        let url =
            "\(arm.endpoint)\(request.scope.id)/providers/Microsoft.CostManagement/generateCostDetailsReport?api-version=\(request.apiVersion)"
        let body = try! JSONSerialization.data(withJSONObject: request.body, options: [.sortedKeys])
        let what = "request the \(request.metric.rawValue) report of \(request.scope.id)"
        var result = try await arm.send(
            HTTPRequestSpec(method: .POST, url: url, body: Array(body), what: what), scope: request.scope)
        let started = Date()
        var polls = 0
        while true {
            switch result.status {
            case 200:
                return try CostDetailsClient.outcome(result)
            case 204:
                return .noData(reason: "Azure answered 204 No Content")
            case 202:
                guard
                    let location = result.headers.first(name: "Location")
                        ?? result.headers.first(name: "Azure-AsyncOperation")
                else {
                    throw .malformedResponse(what: what, reason: "202 Accepted without a Location header")
                }
                let wait = RetryPolicy.pollWait(result.headers, fallback: defaultPollInterval, poll: polls)
                guard Date().timeIntervalSince(started) + wait <= pollDeadline else {
                    throw .timedOut(
                        what: "the \(request.metric.rawValue) report of \(request.scope.id)", seconds: Int(pollDeadline)
                    )
                }
                polls += 1
                logger.debug("report not ready", metadata: ["polls": "\(polls)", "wait_seconds": "\(wait)"])
                do {
                    try await Task.sleep(nanoseconds: UInt64(wait * 1e9))
                } catch {
                    throw .cancelled
                }
                // Follow Location exactly as given: the docs and the spec disagree on its path.
                result = try await arm.send(
                    HTTPRequestSpec(
                        url: location, what: "poll the \(request.metric.rawValue) report of \(request.scope.id)"),
                    scope: request.scope)
            default:
                throw ARMClient.error(result, scope: request.scope, what: what)
            }
        }
    }

    static func outcome(_ result: HTTPResult) throws(ExtractError) -> ReportOutcome {
        guard let object = try? JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any] else {
            throw .malformedResponse(what: "the report status", reason: "the body is not a JSON object")
        }
        let status =
            (object["status"] as? String) ?? ((object["properties"] as? [String: Any])?["status"] as? String) ?? ""
        switch status.lowercased() {
        case "completed":
            guard let manifest = object["manifest"] as? [String: Any], let blobs = manifest["blobs"] as? [[String: Any]]
            else {
                throw .malformedResponse(what: "the report manifest", reason: "status Completed without manifest.blobs")
            }
            let parsed = try blobs.enumerated().map { (i, blob) throws(ExtractError) -> ReportBlob in
                guard let link = blob["blobLink"] as? String, !link.isEmpty else {
                    throw .malformedResponse(what: "the report manifest", reason: "blob \(i + 1) has no blobLink")
                }
                let count = (blob["byteCount"] as? Int) ?? (blob["byteCount"] as? Double).map { Int($0) }
                return ReportBlob(link: link, byteCount: count)
            }
            // A blob listed twice would be loaded twice. Links differ only in their SAS
            // query, so the blob is its path.
            var paths: Set<String> = []
            for blob in parsed {
                let path = URLComponents(string: blob.link)?.path ?? blob.link
                guard paths.insert(path).inserted else {
                    throw .malformedResponse(
                        what: "the report manifest",
                        reason: "blob \(Redaction.redact(url: blob.link)) is listed twice; a manifest lists each blob once")
                }
            }
            let validText = (object["validTill"] as? String) ?? (manifest["validTill"] as? String)
            let validTill = validText.flatMap(CostDetailsClient.parseDate)
            let compressed = manifest["compressData"] as? Bool ?? false
            let id =
                (object["name"] as? String) ?? (object["id"] as? String).map {
                    String($0.split(separator: "/").last ?? "")
                } ?? ""
            return .completed(reportId: id, blobs: parsed, validTill: validTill, compressed: compressed)
        case "nodatafound":
            return .noData(reason: "Azure reported NoDataFound")
        case "failed":
            let error = object["error"] as? [String: Any]
            throw .reportFailed(
                code: error?["code"] as? String ?? "unknown",
                message: Redaction.scrub(error?["message"] as? String ?? "no message"))
        case "inprogress", "queued", "running":
            throw .malformedResponse(what: "the report status", reason: "200 OK with status \(status)")
        default:
            throw .malformedResponse(what: "the report status", reason: "unknown status `\(status)`")
        }
    }

    static func parseDate(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        // Azure sometimes writes seven fraction digits, which ISO8601DateFormatter refuses.
        if let dot = text.firstIndex(of: "."),
            let zone = text[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" || $0 == "-" })
        {
            return formatter.date(from: String(text[..<dot]) + ".000" + String(text[zone...]))
        }
        return nil
    }

    /// Downloads the blobs of a completed report into `folder`, without the bearer token.
    ///
    /// With `spools` (one per blob, from `spools(for:in:)`), each file can be read while it
    /// arrives; a spool ends only after its blob's size was checked, and fails with the download.
    package func download(
        _ blobs: [ReportBlob], validTill: Date?, into folder: PrivateFolder, spools: [Spool]? = nil
    ) async throws(ExtractError) -> [DownloadedFile] {
        do {
            let files = try await downloadAll(blobs, validTill: validTill, into: folder, spools: spools)
            return files
        } catch {
            for spool in spools ?? [] { spool.fail(error.description) }
            throw error
        }
    }

    /// The spools a streamed download of `blobs` writes, in order.
    package static func spools(for blobs: [ReportBlob], in folder: PrivateFolder) -> [Spool] {
        blobs.enumerated().map { i, blob in
            Spool(path: "\(folder.path)/\(blobName(i))", name: Redaction.redact(url: blob.link))
        }
    }

    static func blobName(_ index: Int) -> String { "blob-\(index + 1)" }

    private func downloadAll(
        _ blobs: [ReportBlob], validTill: Date?, into folder: PrivateFolder, spools: [Spool]?
    ) async throws(ExtractError) -> [DownloadedFile] {
        if let validTill, validTill < Date() {
            throw .azure(
                status: 403, code: "blob", message: "the report's links expired at \(validTill)",
                hint: "a fresh report is needed")
        }
        var files: [DownloadedFile] = []
        for (i, blob) in blobs.enumerated() {
            let redacted = Redaction.redact(url: blob.link)
            let spool = spools?[i]
            let (path, fd) = try folder.createFile(named: CostDetailsClient.blobName(i))
            defer { close(fd) }
            spool?.opened()
            // SAS links carry their own authorisation: never send the ARM token to storage.
            let written = try await arm.transport.download(
                HTTPRequestSpec(url: blob.link, what: "download blob \(i + 1) of \(blobs.count) (\(redacted))"),
                into: fd, expectedBytes: blob.byteCount, spool: spool)
            if let expected = blob.byteCount, expected != written {
                throw .sizeMismatch(blob: redacted, expected: expected, actual: written)
            }
            spool?.finish()
            files.append(DownloadedFile(path: path, source: redacted, bytes: written))
        }
        return files
    }

    /// Requests a report and downloads it; asks for a fresh report when its links expired.
    package func fetch(
        _ request: CostDetailsRequest, today: CalendarDate, into folder: PrivateFolder, maxReRequests: Int = 2
    ) async throws(ExtractError) -> FetchedReport {
        var attempts = 0
        while true {
            attempts += 1
            let outcome = try await requestReport(request, today: today)
            switch outcome {
            case .noData(let reason):
                return FetchedReport(reportId: nil, files: [], noDataReason: reason)
            case .completed(let id, let blobs, let validTill, _):
                do {
                    let files = try await download(blobs, validTill: validTill, into: folder)
                    return FetchedReport(reportId: id, files: files, noDataReason: nil)
                } catch {
                    guard error.isExpiredLink, attempts <= maxReRequests else { throw error }
                    logger.info("report links expired; requesting a fresh report", metadata: ["report": "\(id)"])
                    folder.removeAll()
                }
            }
        }
    }
}

package struct FetchedReport: Sendable {
    package let reportId: String?
    package let files: [DownloadedFile]
    package let noDataReason: String?
}

extension CalendarDate {
    /// The same day next month, clamped: the exclusive end of a one-month range.
    func addingOneMonth() -> CalendarDate {
        let next = billingPeriod.adding(months: 1)
        return CalendarDate(year: next.year, month: next.month, day: min(day, next.daysInMonth))!
    }
}
