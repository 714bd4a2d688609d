import CostwhModel
import Foundation
import NIOHTTP1

/// When and how long to wait before trying a request again. One policy, written once,
/// serves every request costwh sends.
package struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    package var maxAttempts: Int
    /// The longest costwh will spend waiting across the retries of one request.
    package var maxTotalDelay: Double
    /// Backoff without a retry-after header: base × 2^(attempt-1), capped, with jitter.
    package var baseDelay: Double
    package var maxDelay: Double
    package var jitter: ClosedRange<Double>
    /// A download that brings less than `minimumProgressBytes` in this many seconds has
    /// stalled: it is cut and resumed (another attempt). Also the read timeout of every request.
    package var downloadStall: Double
    /// The slowest rate a download of a known size may keep: one attempt gets
    /// `downloadStall` + size / rate seconds in all.
    package var minimumDownloadRate: Double
    static let minimumProgressBytes = 64 << 10

    package init(
        maxAttempts: Int = 8, maxTotalDelay: Double = 900, baseDelay: Double = 1, maxDelay: Double = 60,
        jitter: ClosedRange<Double> = 0.75...1.25, downloadStall: Double = 120,
        minimumDownloadRate: Double = 262_144
    ) {
        self.maxAttempts = maxAttempts
        self.maxTotalDelay = maxTotalDelay
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
        self.downloadStall = downloadStall
        self.minimumDownloadRate = minimumDownloadRate
    }

    /// How many bytes past a blob's announced size a download may bring before it is
    /// refused: storage never sends more than the manifest says, so anything well past it
    /// is an endless or hostile answer that would fill the disk.
    package static func overrunLimit(announced: Int) -> Int {
        announced + max(1 << 20, announced / 64)
    }

    package static let `default` = RetryPolicy()

    /// Throttling and transient server errors.
    package static func isRetryable(status: Int) -> Bool {
        [408, 429, 500, 502, 503, 504].contains(status)
    }

    /// The header names Azure uses to say how long to wait, `Retry-After` first.
    package static func retryAfterHeaders(_ headers: HTTPHeaders) -> [(name: String, seconds: Double)] {
        var found: [(String, Double)] = []
        for (name, value) in headers {
            let lower = name.lowercased()
            guard lower == "retry-after" || (lower.hasPrefix("x-ms-ratelimit-") && lower.hasSuffix("retry-after"))
            else { continue }
            if let seconds = parseRetryAfter(value) { found.append((name, seconds)) }
        }
        return found
    }

    /// Seconds, or an HTTP date.
    static func parseRetryAfter(_ value: String) -> Double? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(trimmed), seconds >= 0, seconds.isFinite { return seconds }
        if let date = HTTPDate.parse(trimmed) { return max(0, date.timeIntervalSinceNow) }
        return nil
    }

    /// How long to wait before poll `poll + 1` of an asynchronous report: what the service
    /// asks (`Retry-After`), else `fallback`, but never less than a floor that starts at 50 ms
    /// and doubles per poll up to a second. A `Retry-After: 0` answered for an hour would
    /// otherwise be thousands of polls a second; a report ready at once is still fetched at once.
    package static func pollWait(_ headers: HTTPHeaders, fallback: Double, poll: Int) -> Double {
        let hinted = retryAfterHeaders(headers).map(\.seconds).max() ?? fallback
        let floor = min(1, 0.05 * pow(2, Double(min(poll, 10))))
        return max(hinted, floor)
    }

    /// How long to wait before attempt `attempt + 1`: the longest of the service's
    /// retry-after headers, else exponential backoff with jitter.
    package func delay(afterAttempt attempt: Int, headers: HTTPHeaders?) -> (seconds: Double, source: String) {
        if let headers {
            let hinted = RetryPolicy.retryAfterHeaders(headers)
            if let longest = hinted.max(by: { $0.seconds < $1.seconds }) {
                return (longest.seconds, longest.name)
            }
        }
        let exponential = min(maxDelay, baseDelay * pow(2, Double(max(0, attempt - 1))))
        return (exponential * Double.random(in: jitter), "backoff")
    }
}
