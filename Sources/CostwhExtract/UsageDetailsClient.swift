import CostwhModel
import Foundation
import Logging
import NIOHTTP1

/// Consumption `usageDetails` (JSON, paged with `nextLink`). Each page is saved to the
/// private folder as it arrives, so a partition is never held in memory.
package final class UsageDetailsClient: Sendable {
    let arm: ARMClient
    let logger: Logger
    package static let supportedVersions = ["2018-06-30", "2019-10-01", "2021-10-01", "2023-05-01"]
    package static let defaultVersion = "2023-05-01"

    package init(arm: ARMClient, logger: Logger) {
        self.arm = arm
        self.logger = logger
    }

    /// The first page's URL. MCA records (`modern`) take `startDate`/`endDate`; EA and
    /// pay-as-you-go records (`legacy`) a `$filter` on usageStart/usageEnd. With
    /// `billingPeriodPath`, the EA billing-period sub-path is used instead.
    package func firstURL(
        scope: Scope, period: BillingPeriod, metric: Metric, apiVersion: String, billingPeriodPath: Bool
    ) throws(ExtractError) -> String {
        guard UsageDetailsClient.supportedVersions.contains(apiVersion) else {
            throw .invalidRequest(
                "usageDetails api-version \(apiVersion) is not one of \(UsageDetailsClient.supportedVersions.joined(separator: ", "))"
            )
        }
        if apiVersion == "2018-06-30" && metric == .amortizedCost {
            throw .invalidRequest("usageDetails api-version 2018-06-30 has no amortized cost; use 2019-10-01 or later")
        }
        var url = arm.endpoint + scope.id
        if billingPeriodPath {
            url += "/providers/Microsoft.Billing/billingPeriods/\(period.compact)"
        }
        url += "/providers/Microsoft.Consumption/usageDetails?api-version=\(apiVersion)"
        if apiVersion != "2018-06-30" { url += "&metric=\(metric == .actualCost ? "actualcost" : "amortizedcost")" }
        if !billingPeriodPath {
            if scope.agreement == .customerAgreement {
                url += "&startDate=\(period.firstDay)&endDate=\(period.lastDay)"
            } else {
                let filter =
                    "properties/usageStart ge '\(period.firstDay)' and properties/usageEnd le '\(period.lastDay)'"
                var unreserved = CharacterSet.alphanumerics
                unreserved.insert(charactersIn: "-._~")
                url += "&$filter=" + (filter.addingPercentEncoding(withAllowedCharacters: unreserved) ?? filter)
            }
        }
        return url
    }

    /// Follows `nextLink` until it is absent; returns the page files in order.
    package func fetchPages(
        scope: Scope, period: BillingPeriod, metric: Metric, apiVersion: String, billingPeriodPath: Bool = false,
        into folder: PrivateFolder, maxPages: Int = 100_000
    ) async throws(ExtractError) -> [String] {
        try await JSONPages.fetch(
            arm: arm,
            url: try firstURL(
                scope: scope, period: period, metric: metric, apiVersion: apiVersion,
                billingPeriodPath: billingPeriodPath),
            scope: scope, what: "usageDetails of \(scope.id)", into: folder, maxPages: maxPages)
    }
}

/// The retired EA Reporting API (consumption.azure.com), still served by archives and
/// replicas: API-key auth, the v3 CSV download and the v2 JSON pages, with ETags.
package final class EAReportingClient: Sendable {
    let transport: HTTPTransport
    let endpoint: String
    let apiKey: String
    let logger: Logger

    package init(transport: HTTPTransport, endpoint: String, apiKey: String, logger: Logger) throws(ExtractError) {
        try HTTPTransport.checkSafe(url: endpoint)
        self.transport = transport
        self.endpoint = endpoint.trimmingTrailingSlash()
        self.apiKey = apiKey
        self.logger = logger
    }

    package struct Download: Sendable {
        package let files: [String]
        package let etag: String?
        package let notModified: Bool
        /// The files are v2 JSON pages, not CSV.
        package let json: Bool
    }

    var headers: HTTPHeaders { ["Authorization": "bearer \(apiKey)"] }

    static func enrollment(of scope: Scope) throws(ExtractError) -> String {
        guard scope.kind == .billingAccount, let id = scope.value(of: "billingAccounts"), id.allSatisfy(\.isNumber)
        else {
            throw .invalidRequest(
                "the EA Reporting API takes an enrollment (an EA billing account with a numeric id), not \(scope.id)")
        }
        return id
    }

    func check(_ status: Int, _ body: [UInt8], what: String) throws(ExtractError) {
        guard status != 200 && status != 304 else { return }
        let result = HTTPResult(status: status, headers: [:], body: body)
        throw EAReportingClient.error(status, detail: HTTPTransport.errorSummary(result), what: what)
    }

    static func error(_ status: Int, detail: String, what: String) -> ExtractError {
        switch status {
        case 400:
            return .azure(
                status: 400, code: "", message: "invalid parameters\(detail)",
                hint: "Check the enrollment number and the billing period")
        case 401:
            return .azure(
                status: 401, code: "", message: "the EA API key was refused\(detail)",
                hint:
                    "EA API keys expire after six months; generate a new one and pass it with --ea-api-key-file or COSTWH_EA_API_KEY"
            )
        case 404:
            return .azure(
                status: 404, code: "", message: "report endpoint not found\(detail)",
                hint: "Check --ea-endpoint and the enrollment number")
        default: return .azure(status: status, code: "", message: "\(what) failed\(detail)", hint: "")
        }
    }

    /// The billing periods the enrollment has, newest first.
    package func billingPeriods(scope: Scope) async throws(ExtractError) -> [String] {
        let enrollment = try EAReportingClient.enrollment(of: scope)
        let result = try await transport.send(
            HTTPRequestSpec(
                url: "\(endpoint)/v2/enrollments/\(enrollment)/billingPeriods", headers: headers,
                what: "list the billing periods of enrollment \(enrollment)"))
        try check(result.status, result.body, what: "listing billing periods")
        guard let list = try? JSONSerialization.jsonObject(with: Data(result.body)) as? [[String: Any]] else {
            throw .malformedResponse(
                what: "the billing periods of enrollment \(enrollment)", reason: "not a JSON array")
        }
        return list.compactMap { $0["billingPeriodId"] as? String }
    }

    /// One billing period: the v3 CSV download, or the v1 or v2 JSON pages; 304 when the ETag matches.
    package func download(
        scope: Scope, period: BillingPeriod, previousETag: String?, format: EAReportingFormat,
        into folder: PrivateFolder
    ) async throws(ExtractError) -> Download {
        let enrollment = try EAReportingClient.enrollment(of: scope)
        var headers = self.headers
        if let previousETag { headers.add(name: "If-None-Match", value: previousETag) }
        if format == .v3 {
            let (path, fd) = try folder.createFile(named: "ea-\(enrollment)-\(period.compact).csv")
            defer { close(fd) }
            let what = "download the usage of enrollment \(enrollment) for \(period)"
            do {
                let (bytes, responseHeaders) = try await transport.download(
                    HTTPRequestSpec(
                        url:
                            "\(endpoint)/v3/enrollments/\(enrollment)/usagedetails/download?billingPeriod=\(period.compact)",
                        headers: headers, what: what),
                    into: fd, expectedBytes: nil, notModified: true)
                let etag = responseHeaders.first(name: "ETag")
                if bytes == nil {
                    return Download(files: [], etag: etag ?? previousETag, notModified: true, json: false)
                }
                return Download(files: [path], etag: etag, notModified: false, json: false)
            } catch {
                if case .azure(let status, _, let message, _) = error {
                    let detail = message.range(of: ": ").map { ": " + String(message[$0.upperBound...]) } ?? ""
                    throw EAReportingClient.error(status, detail: detail, what: what)
                }
                throw error
            }
        }
        // v1 and v2 page the same way: `data` holds the rows, and a missing or empty
        // `nextLink` marks the last page (seed 003).
        var next: String? =
            "\(endpoint)/\(format.rawValue)/enrollments/\(enrollment)/billingPeriods/\(period.compact)/usagedetails"
        var files: [String] = []
        var etag: String?
        while let url = next {
            let result = try await transport.send(
                HTTPRequestSpec(
                    url: url, headers: files.isEmpty ? headers : self.headers,
                    what: "read usage page \(files.count + 1) of enrollment \(enrollment)"))
            if result.status == 304 { return Download(files: [], etag: previousETag, notModified: true, json: true) }
            try check(result.status, result.body, what: "reading usage details")
            if files.isEmpty { etag = result.headers.first(name: "ETag") }
            guard let object = try? JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any],
                object["data"] is [Any]
            else {
                throw .malformedResponse(
                    what: "usage page \(files.count + 1) of enrollment \(enrollment)",
                    reason: "not a JSON object with a `data` array")
            }
            let (path, fd) = try folder.createFile(named: "ea-page-\(files.count + 1).json")
            let written = result.body.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
            guard written == result.body.count else {
                throw .transport(what: "save EA Reporting page", reason: "cannot write \(path)")
            }
            files.append(path)
            PhaseProbe.mark("page")
            next = (object["nextLink"] as? String).flatMap { $0.isEmpty ? nil : $0 }
            if let link = next {
                try HTTPTransport.checkSafe(url: link)
                try HTTPTransport.checkSameOrigin(link, as: endpoint, credential: "EA API key")
            }
        }
        return Download(files: files, etag: etag, notModified: false, json: true)
    }
}

/// The EA Reporting API's usage-details versions.
package enum EAReportingFormat: String, Sendable, CaseIterable {
    /// `GET /v1/enrollments/{n}/billingPeriods/{p}/usagedetails`: `{reportId, data, nextLink}` pages.
    case v1
    /// The same pages under `/v2/`.
    case v2
    /// `GET /v3/enrollments/{n}/usagedetails/download?billingPeriod={p}`: one CSV.
    case v3

    /// `v1`, `v2`, `v3`, and the older names `json` (v2) and `csv` (v3).
    package init?(name: String) {
        switch name.lowercased() {
        case "v1": self = .v1
        case "v2", "json": self = .v2
        case "v3", "csv": self = .v3
        default: return nil
        }
    }
}
