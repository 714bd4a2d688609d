import CostwhExtract
import CostwhModel
import Foundation
import Logging

/// Which API a partition is extracted from.
public enum SourceKind: String, Sendable, CaseIterable, Codable {
    case costDetails = "cost-details"
    case detailedReport = "detailed-report"
    case usageDetails = "usage-details"
    case eaReporting = "ea-reporting"
}

/// What a source fetched for one partition.
public struct SourceFetch: Sendable {
    public var files: [DownloadedFile] = []
    /// For the ledger's SourceDetail: report ids, redacted links, api-version, ETag.
    public var detail: [String: String] = [:]
    /// Azure said there is no data: the partition becomes empty.
    public var noDataReason: String?
    /// The service said nothing changed (HTTP 304 on the ETag).
    public var notModified = false
}

/// A cost API that can deliver one partition as CSV files.
public protocol PartitionSource: Sendable {
    var kind: SourceKind { get }
    func fetch(scope: Scope, period: BillingPeriod, metric: Metric, previousETag: String?, today: CalendarDate, into folder: PrivateFolder) async throws(ExtractError) -> SourceFetch
}

/// The connections of one run: the transport, the token cache, and the sources.
public final class ExtractSession: Sendable {
    public let settings: ExtractSettings
    public let transport: HTTPTransport
    public let tokens: TokenCache?
    let arm: ARMClient?
    let logger: Logger
    /// Why signing in is impossible, when it is; reported per partition.
    let signInProblem: ExtractError?

    public init(settings: ExtractSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        transport = HTTPTransport(policy: settings.retryPolicy, logger: logger)
        var tokens: TokenCache?
        var arm: ARMClient?
        var problem: ExtractError?
        do {
            let credential = try Credentials.chain(explicitToken: settings.accessToken, environment: settings.environment)
            let cache = TokenCache(credential: credential)
            tokens = cache
            arm = try ARMClient(transport: transport, tokens: cache, endpoint: settings.armEndpoint, logger: logger)
        } catch {
            problem = error
        }
        self.tokens = tokens
        self.arm = arm
        signInProblem = problem
    }

    public func shutdown() async {
        await transport.shutdown()
    }

    public func source(_ kind: SourceKind) throws(ExtractError) -> any PartitionSource {
        switch kind {
        case .costDetails:
            guard let arm else { throw signInProblem ?? .signIn("no credentials") }
            return CostDetailsSource(
                client: CostDetailsClient(arm: arm, logger: logger, defaultPollInterval: settings.defaultPollInterval, pollDeadline: settings.pollDeadline),
                apiVersion: settings.apiVersion)
        default:
            throw .invalidRequest("the \(kind.rawValue) source is not available in this build")
        }
    }

    /// Secrets to scrub from any text shown or stored.
    public var secrets: [String] {
        var out = tokens?.secrets ?? []
        if let token = settings.accessToken { out.append(token) }
        for key in ["AZURE_CLIENT_SECRET", "COSTWH_ACCESS_TOKEN", "COSTWH_EA_API_KEY", "IDENTITY_HEADER"] {
            if let value = settings.environment[key], !value.isEmpty { out.append(value) }
        }
        if let key = settings.eaApiKey { out.append(key) }
        return out
    }
}

/// The Cost Details API as a partition source: a one-month time period per partition.
struct CostDetailsSource: PartitionSource {
    let client: CostDetailsClient
    let apiVersion: String
    var kind: SourceKind { .costDetails }

    func fetch(scope: Scope, period: BillingPeriod, metric: Metric, previousETag: String?, today: CalendarDate, into folder: PrivateFolder) async throws(ExtractError) -> SourceFetch {
        // The open month ends today: Azure refuses ranges that end in the future.
        let end = period == today.billingPeriod ? today : period.lastDay
        let request = CostDetailsRequest(scope: scope, metric: metric, selection: .timePeriod(start: period.firstDay, end: end), apiVersion: apiVersion)
        let report = try await client.fetch(request, today: today, into: folder)
        var fetch = SourceFetch()
        fetch.files = report.files
        fetch.noDataReason = report.noDataReason
        fetch.detail["apiVersion"] = apiVersion
        fetch.detail["timePeriod"] = "\(period.firstDay)..\(end)"
        if let id = report.reportId { fetch.detail["reportId"] = id }
        return fetch
    }
}
