import Foundation

/// Faults the emulator injects, reproducing what the real service does.
public struct EmulatorFaults: Sendable, Equatable {
    /// The first N report requests are answered 429.
    public var throttle = 0
    /// When set, the `Location` of a new report and the EA `nextLink` point at this base
    /// (`http://host:port`) instead of the emulator: a hostile or broken service sending the
    /// client elsewhere. Credentials must not follow.
    public var foreignLinkBase: String?
    /// Which header carries the wait of a 429: `Retry-After` or one of Azure's
    /// `x-ms-ratelimit-microsoft.*-retry-after` headers.
    public var throttleHeader = "Retry-After"
    public var throttleSeconds = 1
    /// The first N report requests are answered 503 with Retry-After.
    public var unavailable = 0
    /// Extra 202 answers before a report is ready.
    public var slowPolls = 0
    /// Blobs per report.
    public var blobsPerReport = 1
    /// Serve gzip blobs (as when `compressData` is set).
    public var gzip = false
    /// The links of the first N reports are refused by storage (403), as expired links are.
    public var expiredLinks = 0
    /// The first N blob downloads stop half-way.
    public var cutDownloads = 0
    /// Reports end with status `Failed`.
    public var failReports = false
    /// Reports end with status `NoDataFound`.
    public var noData = false
    /// The report request itself answers 204 No Content.
    public var noContent = false
    /// Seconds a token lives; short values exercise refresh.
    public var tokenLifetime = 3600
    /// The first token is refused once, as Azure refuses a token that expired early.
    public var rejectTokensOnce = false
    /// generateDetailedCostReport writes `status` as an object (`{"status": "…"}`), as its spec models it.
    public var statusAsObject = false
    /// generateDetailedCostReport ends with this status instead of Completed (Failed, NoDataFound, TimedOut).
    public var detailedFinalStatus: String?
    /// generateDetailedCostReport answers 413: the report would be over 2 GB.
    public var tooLarge = false
    /// Records per page of usageDetails and EA Reporting JSON.
    public var pageSize = 100

    public init() {}

    /// Every fault a flag can switch on, by its CLI name.
    public static let flagNames = [
        "throttle", "throttle-header", "throttle-seconds", "unavailable", "slow-polls", "blobs-per-report", "gzip",
        "expired-links", "cut-downloads", "fail-reports", "no-data", "no-content", "token-lifetime",
        "reject-tokens-once",
        "status-as-object", "detailed-final-status", "too-large", "page-size",
    ]
}

public struct EmulatorConfiguration: Sendable {
    /// Loopback unless told otherwise.
    public var host = "127.0.0.1"
    /// 0 picks a free port.
    public var port = 0
    public var rowsPerMonth = 2_000
    /// Seconds the client is told to wait between polls.
    public var pollRetryAfter = 1
    public var faults = EmulatorFaults()
    /// The service principal the token endpoint accepts.
    public var tenantId = "00000000-0000-0000-0000-0000000000aa"
    public var clientId = "00000000-0000-0000-0000-0000000000bb"
    public var clientSecret = "emulator-secret"
    /// A bearer token accepted without signing in (for `--access-token-file` tests).
    public var staticToken: String?
    /// The EA Reporting API key accepted.
    public var eaApiKey = "emulator-ea-api-key"
    /// When links stop being valid.
    public var linkLifetime: TimeInterval = 3600

    public init() {}
}
