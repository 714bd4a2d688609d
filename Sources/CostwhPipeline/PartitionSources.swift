import CostwhBytes
import CostwhExtract
import CostwhModel
import CostwhTransform
import Foundation
import Logging
import Synchronization

/// Which API a partition is extracted from.
package enum SourceKind: String, Sendable, CaseIterable, Codable {
    case costDetails = "cost-details"
    case detailedReport = "detailed-report"
    case usageDetails = "usage-details"
    case eaReporting = "ea-reporting"
}

/// What a source fetched for one partition.
package struct SourceFetch: Sendable {
    package var files: [DownloadedFile] = []
    /// For the ledger's SourceDetail: report ids, redacted links, api-version, ETag.
    package var detail: [String: String] = [:]
    /// Azure said there is no data: the partition becomes empty.
    package var noDataReason: String?
    /// The service said nothing changed (HTTP 304 on the ETag).
    package var notModified = false
}

/// A cost API that can deliver one partition as CSV files.
package protocol PartitionSource: Sendable {
    var kind: SourceKind { get }
    func fetch(
        scope: Scope, period: BillingPeriod, metric: Metric, previousETag: String?, today: CalendarDate,
        into folder: PrivateFolder
    ) async throws(ExtractError) -> SourceFetch

    /// Asks for the partition's report without downloading it, when its blobs can be read
    /// while they arrive; nil when the source cannot do that.
    func requestStreamable(
        scope: Scope, period: BillingPeriod, metric: Metric, today: CalendarDate
    ) async throws(ExtractError) -> StreamableReport?
}

extension PartitionSource {
    package func requestStreamable(
        scope: Scope, period: BillingPeriod, metric: Metric, today: CalendarDate
    ) async throws(ExtractError) -> StreamableReport? { nil }
}

/// A finished report whose blobs are still to be downloaded, each into a spool that the
/// loader can read behind the download.
package struct StreamableReport: Sendable {
    package var detail: [String: String]
    package var blobs: [ReportBlob]
    package var noDataReason: String?
    package var download: @Sendable (PrivateFolder, [Spool]) async throws(ExtractError) -> [DownloadedFile]
}

/// One way of signing in during a run: its token cache and Resource Manager client, or why
/// it cannot sign in; and its EA API key.
package final class SignInState: Sendable {
    /// The configuration's name of the credential; nil for the environment's chain.
    package let name: String?
    package let tokens: TokenCache?
    let arm: ARMClient?
    let problem: ExtractError?
    let eaApiKey: String?

    init(name: String?, tokens: TokenCache?, arm: ARMClient?, problem: ExtractError?, eaApiKey: String?) {
        self.name = name
        self.tokens = tokens
        self.arm = arm
        self.problem = problem
        self.eaApiKey = eaApiKey
    }

    func armClient() throws(ExtractError) -> ARMClient {
        guard let arm else { throw problem ?? .signIn("no credentials") }
        return arm
    }
}

/// The connections of one run: the transport, a sign-in per credential the run uses, and the
/// sources. Each scope's requests carry its own credential's token; a credential is signed in
/// once, when a partition first needs it, and its failure fails only the scopes that use it.
package final class ExtractSession: Sendable {
    package let settings: ExtractSettings
    package let transport: HTTPTransport
    let logger: Logger
    /// The environment's chain (and `--access-token-file`), for scopes without a credential.
    let standard: SignInState
    private let named = Mutex<[String: SignInState]>([:])

    package init(settings: ExtractSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        let stale = PrivateFolder.removeStale()
        if stale > 0 { logger.info("removed temporary folders of ended runs", metadata: ["folders": "\(stale)"]) }
        transport = HTTPTransport(policy: settings.retryPolicy, logger: logger)
        var tokens: TokenCache?
        var arm: ARMClient?
        var problem: ExtractError?
        do {
            let credential = try Credentials.chain(
                explicitToken: settings.accessToken, environment: settings.environment)
            let cache = TokenCache(credential: credential)
            tokens = cache
            arm = try ARMClient(transport: transport, tokens: cache, endpoint: settings.armEndpoint, logger: logger)
        } catch {
            problem = error
        }
        standard = SignInState(name: nil, tokens: tokens, arm: arm, problem: problem, eaApiKey: settings.eaApiKey)
    }

    package func shutdown() async {
        await transport.shutdown()
    }

    /// The sign-in of a scope: its configured credential's, else the environment's.
    package func signIn(for scope: Scope?) -> SignInState {
        guard let scope, let name = settings.scopeCredentials[scope.id] else { return standard }
        return signIn(named: name)
    }

    /// A named credential's sign-in, made on first use.
    package func signIn(named name: String) -> SignInState {
        named.withLock { states in
            if let state = states[name] { return state }
            let state = makeSignIn(name)
            states[name] = state
            return state
        }
    }

    private func makeSignIn(_ name: String) -> SignInState {
        guard let spec = settings.credentials[name] else {
            return SignInState(
                name: name, tokens: nil, arm: nil,
                problem: .signIn("no credential named `\(name)` in the configuration"), eaApiKey: nil)
        }
        let authority =
            settings.environment["AZURE_AUTHORITY_HOST"].flatMap { $0.isEmpty ? nil : $0 } ?? Credentials.defaultAuthorityHost
        var tokens: TokenCache?
        var arm: ARMClient?
        var problem: ExtractError?
        var key: String?
        do {
            key = try spec.eaKey(environment: settings.environment)
            if spec.signIn != nil {
                try HTTPTransport.checkSafe(url: authority)
                let cache = TokenCache(
                    credential: try spec.tokenCredential(environment: settings.environment, authorityHost: authority),
                    label: name)
                tokens = cache
                arm = try ARMClient(transport: transport, tokens: cache, endpoint: settings.armEndpoint, logger: logger)
            } else {
                problem = .signIn("credential `\(name)` holds only an EA API key; it cannot sign in to Azure Resource Manager")
            }
        } catch {
            problem = error
        }
        return SignInState(name: name, tokens: tokens, arm: arm, problem: problem, eaApiKey: key)
    }

    package func source(_ kind: SourceKind, for scope: Scope? = nil) throws(ExtractError) -> any PartitionSource {
        let signIn = signIn(for: scope)
        switch kind {
        case .costDetails:
            return CostDetailsSource(
                client: CostDetailsClient(
                    arm: try signIn.armClient(), logger: logger, defaultPollInterval: settings.defaultPollInterval,
                    pollDeadline: settings.pollDeadline),
                apiVersion: settings.apiVersion)
        case .detailedReport:
            return DetailedReportSource(
                client: DetailedReportClient(
                    arm: try signIn.armClient(), logger: logger, defaultPollInterval: settings.defaultPollInterval,
                    pollDeadline: settings.pollDeadline),
                customerId: settings.customerId)
        case .usageDetails:
            return UsageDetailsSource(
                client: UsageDetailsClient(arm: try signIn.armClient(), logger: logger),
                apiVersion: settings.usageDetailsAPIVersion,
                byBillingPeriod: settings.usageDetailsByBillingPeriod)
        case .eaReporting:
            if let problem = signIn.problem, signIn.name != nil, signIn.eaApiKey == nil { throw problem }
            guard let key = signIn.eaApiKey else {
                throw .signIn(
                    signIn.name.map { "credential `\($0)` has no EA API key (eaApiKeyEnv or eaApiKeyFile)" }
                        ?? "the EA Reporting API needs an API key: --ea-api-key-file FILE or COSTWH_EA_API_KEY")
            }
            return EAReportingSource(
                client: try EAReportingClient(
                    transport: transport, endpoint: settings.eaEndpoint, apiKey: key, logger: logger),
                format: settings.eaFormat)
        }
    }

    /// The client of the other datasets.
    package func datasetClient(for scope: Scope? = nil) throws(ExtractError) -> DatasetClient {
        DatasetClient(
            arm: try signIn(for: scope).armClient(), logger: logger, defaultPollInterval: settings.defaultPollInterval,
            pollDeadline: settings.pollDeadline)
    }

    /// Secrets to scrub from any text shown or stored.
    package var secrets: [String] {
        var out = standard.tokens?.secrets ?? []
        if let token = settings.accessToken { out.append(token) }
        for key in ["AZURE_CLIENT_SECRET", "COSTWH_ACCESS_TOKEN", "COSTWH_EA_API_KEY", "IDENTITY_HEADER"] {
            if let value = settings.environment[key], !value.isEmpty { out.append(value) }
        }
        if let key = settings.eaApiKey { out.append(key) }
        // Every configured credential's secrets and tokens, used or not.
        for state in named.withLock({ Array($0.values) }) {
            out += state.tokens?.secrets ?? []
            if let key = state.eaApiKey { out.append(key) }
        }
        for spec in settings.credentials.values {
            var places: [CredentialSpec.Secret] = spec.eaApiKey.map { [$0] } ?? []
            if case .clientSecret(_, _, let secret) = spec.signIn { places.append(secret) }
            for place in places {
                switch place {
                case .environment(let name):
                    if let value = settings.environment[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty {
                        out.append(value)
                    }
                case .file(let path):
                    if let text = try? String(contentsOfFile: path, encoding: .utf8) {
                        let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
                        if !value.isEmpty { out.append(value) }
                    }
                }
            }
        }
        return out
    }
}

/// The Cost Details API as a partition source: a one-month time period per partition.
struct CostDetailsSource: PartitionSource {
    let client: CostDetailsClient
    let apiVersion: String
    var kind: SourceKind { .costDetails }

    func fetch(
        scope: Scope, period: BillingPeriod, metric: Metric, previousETag: String?, today: CalendarDate,
        into folder: PrivateFolder
    ) async throws(ExtractError) -> SourceFetch {
        // The open month ends today: Azure refuses ranges that end in the future.
        let end = period == today.billingPeriod ? today : period.lastDay
        let request = CostDetailsRequest(
            scope: scope, metric: metric, selection: .timePeriod(start: period.firstDay, end: end),
            apiVersion: apiVersion)
        let report = try await client.fetch(request, today: today, into: folder)
        var fetch = SourceFetch()
        fetch.files = report.files
        fetch.noDataReason = report.noDataReason
        fetch.detail = detail(period: period, today: today)
        if let id = report.reportId { fetch.detail["reportId"] = id }
        return fetch
    }

    func requestStreamable(
        scope: Scope, period: BillingPeriod, metric: Metric, today: CalendarDate
    ) async throws(ExtractError) -> StreamableReport? {
        let end = period == today.billingPeriod ? today : period.lastDay
        let request = CostDetailsRequest(
            scope: scope, metric: metric, selection: .timePeriod(start: period.firstDay, end: end),
            apiVersion: apiVersion)
        var detail = detail(period: period, today: today)
        switch try await client.requestReport(request, today: today) {
        case .noData(let reason):
            return StreamableReport(detail: detail, blobs: [], noDataReason: reason) { _, _ in [] }
        case .completed(let id, let blobs, let validTill, _):
            detail["reportId"] = id
            let client = self.client
            return StreamableReport(detail: detail, blobs: blobs, noDataReason: nil) {
                (folder, spools) async throws(ExtractError) -> [DownloadedFile] in
                try await client.download(blobs, validTill: validTill, into: folder, spools: spools)
            }
        }
    }

    private func detail(period: BillingPeriod, today: CalendarDate) -> [String: String] {
        let end = period == today.billingPeriod ? today : period.lastDay
        return ["apiVersion": apiVersion, "timePeriod": "\(period.firstDay)..\(end)"]
    }
}

/// generateDetailedCostReport as a partition source.
struct DetailedReportSource: PartitionSource {
    let client: DetailedReportClient
    let customerId: String?
    var kind: SourceKind { .detailedReport }

    func fetch(
        scope: Scope, period: BillingPeriod, metric: Metric, previousETag: String?, today: CalendarDate,
        into folder: PrivateFolder
    ) async throws(ExtractError) -> SourceFetch {
        let end = period == today.billingPeriod ? today : period.lastDay
        let report = try await client.fetch(
            scope: scope, metric: metric, selection: .timePeriod(start: period.firstDay, end: end),
            customerId: customerId, today: today, into: folder)
        var fetch = SourceFetch()
        fetch.files = report.files
        fetch.noDataReason = report.noDataReason
        fetch.detail["apiVersion"] = DetailedReportClient.apiVersion
        fetch.detail["timePeriod"] = "\(period.firstDay)..\(end)"
        if let id = report.reportId { fetch.detail["reportId"] = id }
        return fetch
    }
}

/// Consumption usageDetails as a partition source: pages become one CSV file.
struct UsageDetailsSource: PartitionSource {
    let client: UsageDetailsClient
    let apiVersion: String
    let byBillingPeriod: Bool
    var kind: SourceKind { .usageDetails }

    func fetch(
        scope: Scope, period: BillingPeriod, metric: Metric, previousETag: String?, today: CalendarDate,
        into folder: PrivateFolder
    ) async throws(ExtractError) -> SourceFetch {
        let pages = try await client.fetchPages(
            scope: scope, period: period, metric: metric, apiVersion: apiVersion, billingPeriodPath: byBillingPeriod,
            into: folder)
        var fetch = SourceFetch()
        fetch.detail["apiVersion"] = apiVersion
        fetch.detail["pages"] = String(pages.count)
        guard !pages.isEmpty else {
            fetch.noDataReason = "usageDetails answered 204 No Content"
            return fetch
        }
        let (file, records) = try UsageDetailsSource.convert(pages, into: folder, name: "usage-details.csv")
        for page in pages { unlink(page) }
        // A month with no usage comes back as 200 with an empty `value`, not only as 204.
        if records == 0 {
            fetch.noDataReason = "usageDetails returned no records"
        } else {
            fetch.files = [file]
        }
        return fetch
    }

    static func convert(
        _ pages: [String], into folder: PrivateFolder, name: String
    ) throws(ExtractError) -> (file: DownloadedFile, records: Int) {
        let (path, fd) = try folder.createFile(named: name)
        close(fd)
        let records: Int
        do {
            records = try UsageDetailsConverter.convert(pages: pages, to: path)
        } catch {
            throw .malformedResponse(what: "usage details", reason: (error as TransformError).description)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return (DownloadedFile(path: path, source: "\(pages.count) JSON pages", bytes: size), records)
    }
}

/// The EA Reporting API as a partition source (actual cost only: it predates amortized data).
struct EAReportingSource: PartitionSource {
    let client: EAReportingClient
    let format: EAReportingFormat
    var kind: SourceKind { .eaReporting }

    func fetch(
        scope: Scope, period: BillingPeriod, metric: Metric, previousETag: String?, today: CalendarDate,
        into folder: PrivateFolder
    ) async throws(ExtractError) -> SourceFetch {
        guard metric == .actualCost else {
            throw .invalidRequest("the EA Reporting API has actual cost only; use another source for amortized cost")
        }
        let download = try await client.download(
            scope: scope, period: period, previousETag: previousETag, format: format, into: folder)
        var fetch = SourceFetch()
        fetch.notModified = download.notModified
        if let etag = download.etag { fetch.detail["etag"] = etag }
        fetch.detail["format"] = format == .v3 ? "v3 csv" : "\(format.rawValue) json"
        if download.json && !download.files.isEmpty {
            let (file, records) = try UsageDetailsSource.convert(download.files, into: folder, name: "ea-usage.csv")
            if records == 0 {
                fetch.noDataReason = "EA Reporting returned no usage records"
            } else {
                fetch.files = [file]
            }
        } else {
            fetch.files = download.files.map {
                DownloadedFile(path: $0, source: "v3 usagedetails/download?billingPeriod=\(period.compact)", bytes: 0)
            }
        }
        return fetch
    }
}
