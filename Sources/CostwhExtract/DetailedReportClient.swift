import CostwhModel
import Foundation
import Logging
import NIOHTTP1

/// `generateDetailedCostReport` (api-version 2021-10-01), the predecessor of Cost Details:
/// POST, poll the `Azure-Consumption-AsyncOperation` status link, download the single
/// `properties.downloadUrl` (`AsyncReport`).
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

    /// Requests, polls and downloads; asks for a fresh report when its link expired before
    /// the download, as Cost Details does.
    package func fetch(
        scope: Scope, metric: Metric, selection: CostDetailsRequest.Selection, customerId: String?, today: CalendarDate,
        into folder: PrivateFolder, maxReRequests: Int = 2
    ) async throws(ExtractError) -> FetchedReport {
        try await AsyncReport.renewingExpiredLinks(
            folder: folder, logger: logger, what: "the detailed report", maxReRequests: maxReRequests
        ) { () async throws(ExtractError) -> FetchedReport in
            try await fetchOnce(
                scope: scope, metric: metric, selection: selection, customerId: customerId, today: today, into: folder)
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
        return try await AsyncReport(
            arm: arm, logger: logger, defaultPollInterval: defaultPollInterval, pollDeadline: pollDeadline
        ).fetch(
            url: url, body: body, scope: scope, what: "the detailed \(metric.rawValue) report of \(scope.id)",
            into: folder)
    }
}
