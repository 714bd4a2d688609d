import CostwhLoad
import CostwhPipeline
import Foundation
import Synchronization

/// Turns a load's progress into one line: `loading part: 42.0 % · 312,000 rows · 180 of 428 MiB
/// · 95 MiB/s · 3 s left`. Without a known size it shows rows and MiB read.
final class ProgressMeter: Sendable {
    private struct State {
        var started: Date
        var lastShown: Date?
        var lastRead = 0
    }
    private let state: Mutex<State>
    /// Lines are rate-limited, so a fast load does not spend its time writing to the terminal.
    let interval: TimeInterval

    init(interval: TimeInterval = 0.2, started: Date = Date()) {
        self.interval = interval
        state = Mutex(State(started: started))
    }

    func line(verb: String, _ p: LoadProgress, now: Date = Date()) -> String? {
        let started: Date? = state.withLock { s in
            // Fewer bytes than last time: the next partition's load began.
            if p.readBytes < s.lastRead { s.started = now }
            s.lastRead = p.readBytes
            if let last = s.lastShown, now.timeIntervalSince(last) < interval { return nil }
            s.lastShown = now
            return s.started
        }
        guard let started else { return nil }
        return ProgressText.line(verb: verb, p, elapsed: now.timeIntervalSince(started))
    }
}
