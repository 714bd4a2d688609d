import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// What the retries cost, for the summary and the ledger.
package final class ExtractStats: Sendable {
    private struct State {
        var retries = 0
        var waitedSeconds = 0.0
        var throttles: [String: Int] = [:]
    }

    private let state = Mutex(State())

    /// The counts of the partition the current task works for: a run's partitions share one
    /// transport, and `--parallel` runs two at once, so each counts its own retries here
    /// (task-local, so a download task started for the partition counts to it too).
    @TaskLocal package static var partition: ExtractStats?

    package init() {}

    func record(retryAfter seconds: Double, status: Int?, source: String) {
        state.withLock { s in
            s.retries += 1
            s.waitedSeconds += seconds
            let key = status.map { "HTTP \($0) (\(source))" } ?? "connection error"
            s.throttles[key, default: 0] += 1
        }
    }

    /// A copy of the counts so far, to tell what one partition's requests cost.
    package var snapshot: (retries: Int, waitedSeconds: Double, throttles: [String: Int]) {
        state.withLock { ($0.retries, $0.waitedSeconds, $0.throttles) }
    }
}
