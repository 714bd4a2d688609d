import CostwhModel
import Foundation
import Synchronization

/// A request as the emulator received it: what a contract test compares with the
/// specification.
package struct RecordedRequest: Sendable {
    package let method: String
    package let path: String
    package let query: [String: String]
    package let body: [UInt8]
    /// The tenant of the bearer token the request carried, when it carried one the emulator issued.
    package var tenant: String? = nil
    /// The `ClientType` header, which Cost Management accounts quotas by.
    package var clientType: String? = nil
    /// When it arrived.
    package var at = Date()
}

/// What the emulator remembers between requests: tokens, reports, blobs and counters.
final class EmulatorState: Sendable {
    struct Report: Sendable {
        let id: String
        let scope: Scope
        let metric: Metric
        let period: BillingPeriod
        let days: ClosedRange<Int>
        let requestBody: [String: String]
        /// The request's timePeriod, echoed as the object Azure echoes.
        var timePeriod: [String: String]? = nil
        var pollsLeft: Int
        var blobIds: [String] = []
        var blobSizes: [Int] = []
        var validTill: Date
        var expired: Bool
    }

    /// An asynchronous download of a dataset (price sheet, reservation details).
    struct DatasetReport: Sendable {
        let dataset: Dataset
        let scope: Scope
        let period: BillingPeriod
        var pollsLeft: Int
        var link: String?
        let validTill: Date
        let expired: Bool
    }

    struct Blob: Sendable {
        let bytes: [UInt8]
        let signature: String
        let expired: Bool
        let validTill: Date
    }

    struct Counters: Sendable {
        var requests: [String: Int] = [:]
        var blobRequestsWithAuthorization = 0
        var tokensIssued = 0
        var reportsCreated = 0
        var throttled = 0
        var unavailable = 0
        var expiredLinksServed = 0
        var downloadsCut = 0
        var tokensRejected = 0
    }

    struct State: Sendable {
        var tokens: [String: Date] = [:]
        /// The tenant each issued token belongs to.
        var tokenTenants: [String: String] = [:]
        /// Sign-ins per tenant (client credentials and managed identity).
        var signIns: [String: Int] = [:]
        var rejectedOnce: Set<String> = []
        var reports: [String: Report] = [:]
        var datasetReports: [String: DatasetReport] = [:]
        var blobs: [String: Blob] = [:]
        /// Report blobs generated once and served again (`keepReports`).
        var generated: [String: [[UInt8]]] = [:]
        var counters = Counters()
        var etags: [String: String] = [:]
        /// Reports served per month (scope|period|metric), for restatements.
        var revisions: [String: Int] = [:]
        /// Every request received, in order (bounded), for contract tests.
        var requests: [RecordedRequest] = []
    }

    let state = Mutex(State())

    /// One poll of a report: the report, and whether it was still running (a poll counts down).
    func poll(_ id: String) -> (Report, Bool)? {
        state.withLock { s in
            guard var report = s.reports[id] else { return nil }
            let running = report.pollsLeft > 0
            if running { report.pollsLeft -= 1 }
            s.reports[id] = report
            return (report, running)
        }
    }

    /// The revision of a month a request gets: a new report takes the next one; the later
    /// pages of a paged answer keep the one their first page got.
    func revision(_ key: String, newReport: Bool) -> Int {
        state.withLock { s in
            let served = s.revisions[key, default: 0]
            if newReport { s.revisions[key] = served + 1 }
            return newReport ? served : max(served - 1, 0)
        }
    }

    func count(_ route: String) {
        state.withLock { $0.counters.requests[route, default: 0] += 1 }
    }

    var counters: Counters { state.withLock { $0.counters } }
}

/// Random ids and secrets for the emulator's tokens and links.
enum Random {
    static func token(_ prefix: String, bytes: Int = 24) -> String {
        var out = prefix
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        for _ in 0..<bytes { out.append(alphabet.randomElement()!) }
        return out
    }
}
