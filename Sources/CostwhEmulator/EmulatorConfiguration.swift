import CostwhModel
import Foundation

/// Faults the emulator injects, reproducing what the real service does.
package struct EmulatorFaults: Sendable, Equatable {
    /// The first N report requests are answered 429.
    package var throttle = 0
    /// When set, the `Location` of a new report and the EA `nextLink` point at this base
    /// (`http://host:port`) instead of the emulator: a hostile or broken service sending the
    /// client elsewhere. Credentials must not follow.
    package var foreignLinkBase: String?
    /// Which header carries the wait of a 429: `Retry-After` or one of Azure's
    /// `x-ms-ratelimit-microsoft.*-retry-after` headers.
    package var throttleHeader = "Retry-After"
    package var throttleSeconds = 1
    /// The first N report requests are answered 503 with Retry-After.
    package var unavailable = 0
    /// Extra 202 answers before a report is ready.
    package var slowPolls = 0
    /// Blobs per report.
    package var blobsPerReport = 1
    /// Serve gzip blobs (as when `compressData` is set).
    package var gzip = false
    /// Serve report blobs as Parquet with Snappy, as exports written in Parquet are.
    package var parquet = false
    /// The links of the first N reports are refused by storage (403), as expired links are.
    package var expiredLinks = 0
    /// The first N blob downloads stop half-way.
    package var cutDownloads = 0
    /// Blob downloads send half their bytes and then hang with the connection open.
    package var stallDownloads = false
    /// Blob downloads never end: after the blob's bytes come more, without a length, past
    /// any byteCount the manifest announced (a hostile or broken storage endpoint).
    package var endlessBlobs = false
    /// Blob downloads send one byte every this many seconds (a trickle that is never idle
    /// long enough for a read timeout).
    package var trickleSeconds: Double?
    /// Reports end with status `Failed`.
    package var failReports = false
    /// Reports end with status `NoDataFound`.
    package var noData = false
    /// The report request itself answers 204 No Content.
    package var noContent = false
    /// Seconds a token lives; short values exercise refresh.
    package var tokenLifetime = 3600
    /// The first token is refused once, as Azure refuses a token that expired early.
    package var rejectTokensOnce = false
    /// generateDetailedCostReport writes `status` as an object (`{"status": "…"}`), as its spec models it.
    package var statusAsObject = false
    /// generateDetailedCostReport ends with this status instead of Completed (Failed, NoDataFound, TimedOut).
    package var detailedFinalStatus: String?
    /// generateDetailedCostReport answers 413: the report would be over 2 GB.
    package var tooLarge = false
    /// Records per page of usageDetails and EA Reporting JSON.
    package var pageSize = 100
    /// Scopes the signed-in identity has no role on: every call on them gets 403
    /// AuthorizationFailed, as Azure answers an identity without Cost Management Reader.
    package var forbiddenScopes: Set<String> = []
    /// Seconds the emulator's `Date` header is ahead of the real time (negative: behind), as
    /// seen from a machine whose clock is wrong by the opposite amount.
    package var clockSkew: TimeInterval = 0
    /// When set, `throttle` answers only requests signed in to this tenant: one tenant's
    /// quota spent, the others' untouched.
    package var throttleTenant: String?

    package init() {}

    /// Every fault a flag can switch on, by its CLI name.
    package static let flagNames = [
        "throttle", "throttle-header", "throttle-seconds", "unavailable", "slow-polls", "blobs-per-report", "gzip",
        "expired-links", "cut-downloads", "parquet", "fail-reports", "no-data", "no-content", "token-lifetime",
        "reject-tokens-once",
        "status-as-object", "detailed-final-status", "too-large", "page-size",
    ]
}

package struct EmulatorConfiguration: Sendable {
    /// Loopback unless told otherwise.
    package var host = "127.0.0.1"
    /// 0 picks a free port.
    package var port = 0
    /// Serve HTTPS with this PEM certificate chain and key (for clients that refuse a plain
    /// HTTP authority, such as azure-identity); plain HTTP when nil.
    package var tls: (certificate: String, key: String)?
    package var rowsPerMonth = 2_000
    /// Seconds the client is told to wait between polls.
    package var pollRetryAfter = 1
    package var faults = EmulatorFaults()
    /// The service principal the token endpoint accepts.
    package var tenantId = "00000000-0000-0000-0000-0000000000aa"
    package var clientId = "00000000-0000-0000-0000-0000000000bb"
    package var clientSecret = "emulator-secret"
    /// More tenants beside the one above, each with its own service principal and the scopes
    /// that belong to it. Scopes of no listed tenant belong to the one above. A token works
    /// only on its own tenant's scopes; elsewhere Azure answers 401 InvalidAuthenticationTokenTenant.
    package var tenants: [EmulatorTenant] = []
    /// A bearer token accepted without signing in (for `--access-token-file` tests).
    package var staticToken: String?
    /// The EA Reporting API key accepted.
    package var eaApiKey = "emulator-ea-api-key"
    /// When links stop being valid.
    package var linkLifetime: TimeInterval = 3600
    /// Months Azure restates: each new report of the month (per scope and metric) after the
    /// first changes this share of its usage rows, deterministically per revision.
    package var restatements: [BillingPeriod: Double] = [:]
    /// Generate each Cost Details report once and serve the same bytes to later requests, so
    /// a benchmark times the transfer and the load, not the synthetic data's generation.
    package var keepReports = false

    package init() {}
}

/// A tenant of the emulator: its service principal and its scopes.
package struct EmulatorTenant: Sendable {
    package var tenantId: String
    package var clientId: String
    package var clientSecret: String
    /// Scope ids (`/providers/Microsoft.Billing/billingAccounts/…`) of this tenant.
    package var scopes: [String]

    package init(tenantId: String, clientId: String, clientSecret: String, scopes: [String]) {
        self.tenantId = tenantId
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.scopes = scopes
    }
}
