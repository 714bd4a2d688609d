import Foundation

/// Keeps one download attempt honest: no more bytes than the manifest announced (plus a
/// margin), some progress in every stall interval, and a total time bounded by the size.
///
/// A broken or hostile storage endpoint can send forever (filling the temporary folder) or
/// trickle a byte at a time (never idle long enough for a read timeout, so an attempt would
/// last hours). An overrun is final; a stalled or too slow attempt is cut and retried with a
/// Range request like a dropped connection, within the retry policy's attempts.
struct DownloadPace {
    struct TooSlow: Error {
        let reason: String
    }

    let policy: RetryPolicy
    let expectedBytes: Int?
    let what: String
    let started = Date()
    private var windowStart = Date()
    private var windowBytes = 0

    init(policy: RetryPolicy, expectedBytes: Int?, what: String) {
        self.policy = policy
        self.expectedBytes = expectedBytes
        self.what = what
    }

    mutating func received(_ count: Int, total: Int) throws {
        if let expectedBytes, total > RetryPolicy.overrunLimit(announced: expectedBytes) {
            throw ExtractError.transport(
                what: what,
                reason:
                    "the server sent more than the \(expectedBytes) bytes the manifest announced; stopped after \(total) bytes"
            )
        }
        windowBytes += count
        let now = Date()
        if now.timeIntervalSince(windowStart) >= policy.downloadStall {
            if windowBytes < RetryPolicy.minimumProgressBytes {
                throw TooSlow(
                    reason:
                        "stalled: \(windowBytes) bytes in \(Int(policy.downloadStall)) s after \(total - windowBytes) bytes"
                )
            }
            windowStart = now
            windowBytes = 0
        }
        if let expectedBytes {
            let allowed = policy.downloadStall + Double(expectedBytes) / policy.minimumDownloadRate
            if now.timeIntervalSince(started) > allowed {
                throw TooSlow(
                    reason: "too slow: \(total) of \(expectedBytes) bytes in \(Int(allowed)) s, the most its size allows"
                )
            }
        }
    }
}
