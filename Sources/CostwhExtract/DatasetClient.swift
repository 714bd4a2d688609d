import CostwhModel
import Foundation
import Logging

/// The other datasets of a billing scope, from their current APIs (docs/AZURE-DATASETS.md
/// has each contract and its source). Every answer is saved to the private folder: the
/// asynchronous downloads as the CSV they give, the ARM lists page by page as JSON.
package final class DatasetClient: Sendable {
    let arm: ARMClient
    let logger: Logger
    let defaultPollInterval: Double
    let pollDeadline: Double

    /// Cost Management's price sheet download and reservation details report.
    package static let costManagementVersion = "2025-03-01"
    /// Consumption's balances, marketplaces and reservation transactions.
    package static let consumptionVersion = "2023-05-01"
    /// Microsoft.Billing's billing periods.
    package static let billingVersion = "2018-03-01-preview"

    package init(arm: ARMClient, logger: Logger, defaultPollInterval: Double = 10, pollDeadline: Double = 3600) {
        self.arm = arm
        self.logger = logger
        self.defaultPollInterval = defaultPollInterval
        self.pollDeadline = pollDeadline
    }

    /// Fetches a dataset of a scope and billing period; asks again when a download link
    /// expired before it was used.
    package func fetch(
        _ dataset: Dataset, scope: Scope, period: BillingPeriod, into folder: PrivateFolder, maxReRequests: Int = 2
    ) async throws(ExtractError) -> FetchedReport {
        try await AsyncReport.renewingExpiredLinks(
            folder: folder, logger: logger, what: dataset.rawValue, maxReRequests: maxReRequests
        ) { () async throws(ExtractError) -> FetchedReport in
            try await fetchOnce(dataset, scope: scope, period: period, into: folder)
        }
    }

    func fetchOnce(
        _ dataset: Dataset, scope: Scope, period: BillingPeriod, into folder: PrivateFolder
    ) async throws(ExtractError) -> FetchedReport {
        let base = arm.endpoint + scope.id
        let what = "the \(dataset.rawValue) of \(scope.id) for \(period)"
        let async = AsyncReport(
            arm: arm, logger: logger, defaultPollInterval: defaultPollInterval, pollDeadline: pollDeadline)
        switch dataset {
        case .costDetails:
            throw .invalidRequest("cost details are fetched by their own sources")
        case .priceSheet:
            let url: String
            if scope.kind == .billingAccount && scope.agreement == .enterprise,
                let account = scope.value(of: "billingAccounts")
            {
                url =
                    "\(arm.endpoint)/providers/Microsoft.Billing/billingAccounts/\(account)/billingPeriods/\(period.compact)"
                    + "/providers/Microsoft.CostManagement/pricesheets/default/download?api-version=\(DatasetClient.costManagementVersion)"
            } else if scope.kind == .billingProfile {
                url =
                    "\(base)/providers/Microsoft.CostManagement/pricesheets/default/download?api-version=\(DatasetClient.costManagementVersion)&format=csv"
            } else {
                throw .invalidRequest(
                    "the price sheet is downloaded for an EA billing account or an MCA billing profile, not \(scope.id)"
                )
            }
            return try await async.fetch(url: url, body: nil, scope: scope, what: what, into: folder)
        case .reservationDetails:
            try DatasetClient.require(scope, [.billingAccount, .billingProfile], dataset)
            let url =
                "\(base)/providers/Microsoft.CostManagement/generateReservationDetailsReport?startDate=\(period.firstDay)"
                + "&endDate=\(period.lastDay)&api-version=\(DatasetClient.costManagementVersion)"
            return try await async.fetch(url: url, body: nil, scope: scope, what: what, into: folder)
        case .reservationTransactions:
            try DatasetClient.require(scope, [.billingAccount, .billingProfile], dataset)
            let filter = "properties/eventDate ge \(period.firstDay) AND properties/eventDate le \(period.lastDay)"
            let url =
                "\(base)/providers/Microsoft.Consumption/reservationTransactions?$filter=\(DatasetClient.encode(filter))"
                + "&api-version=\(DatasetClient.consumptionVersion)"
            return try await pages(url, scope: scope, what: what, into: folder)
        case .balanceSummary:
            let account = try DatasetClient.enrollment(scope, dataset)
            // Balances_GetForBillingPeriodByBillingAccount's request path (consumption.json,
            // 2023-05-01); the nested `…/providers/Microsoft.Billing/billingPeriods/…` form is
            // only the resource id its answer carries.
            let url =
                "\(arm.endpoint)/providers/Microsoft.Billing/billingAccounts/\(account)/billingPeriods/\(period.compact)"
                + "/providers/Microsoft.Consumption/balances?api-version=\(DatasetClient.consumptionVersion)"
            return try await pages(url, scope: scope, what: what, list: false, into: folder)
        case .marketplace:
            let account = try DatasetClient.enrollment(scope, dataset)
            let url =
                "\(arm.endpoint)/providers/Microsoft.Billing/billingAccounts/\(account)/providers/Microsoft.Billing/billingPeriods/\(period.compact)"
                + "/providers/Microsoft.Consumption/marketplaces?api-version=\(DatasetClient.consumptionVersion)"
            return try await pages(url, scope: scope, what: what, into: folder)
        case .billingPeriods:
            try DatasetClient.require(scope, [.subscription, .billingAccount], dataset)
            let url =
                "\(base)/providers/Microsoft.Billing/billingPeriods?api-version=\(DatasetClient.billingVersion)"
            return try await pages(url, scope: scope, what: "the billing periods of \(scope.id)", into: folder)
        }
    }

    private func pages(
        _ url: String, scope: Scope, what: String, list: Bool = true, into folder: PrivateFolder
    ) async throws(ExtractError) -> FetchedReport {
        let files = try await JSONPages.fetch(
            arm: arm, url: url, scope: scope, what: what, requireList: list, into: folder)
        let downloaded = files.map { path in
            DownloadedFile(path: path, source: Redaction.redact(url: url), bytes: DatasetClient.size(path))
        }
        return FetchedReport(
            reportId: nil, files: downloaded, noDataReason: downloaded.isEmpty ? "Azure answered 204 No Content" : nil)
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    static func require(_ scope: Scope, _ kinds: [Scope.Kind], _ dataset: Dataset) throws(ExtractError) {
        guard kinds.contains(scope.kind) else {
            throw .invalidRequest(
                "the \(dataset.rawValue) dataset is served for \(kinds.map(\.rawValue).joined(separator: " or ")) scopes, not \(scope.id)"
            )
        }
    }

    static func enrollment(_ scope: Scope, _ dataset: Dataset) throws(ExtractError) -> String {
        guard scope.kind == .billingAccount, scope.agreement == .enterprise, let id = scope.value(of: "billingAccounts")
        else {
            throw .invalidRequest(
                "the \(dataset.rawValue) dataset is an Enterprise Agreement's: give its billing account (enrollment), not \(scope.id)"
            )
        }
        return id
    }

    static func encode(_ text: String) -> String {
        var unreserved = CharacterSet.alphanumerics
        unreserved.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
