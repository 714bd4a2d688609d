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

    package init(
        maxAttempts: Int = 8, maxTotalDelay: Double = 900, baseDelay: Double = 1, maxDelay: Double = 60,
        jitter: ClosedRange<Double> = 0.75...1.25
    ) {
        self.maxAttempts = maxAttempts
        self.maxTotalDelay = maxTotalDelay
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
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
