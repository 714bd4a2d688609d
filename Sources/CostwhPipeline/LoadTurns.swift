import CostwhLoad
import Foundation

/// Lets one partition at a time write to the store while others of the same run wait for
/// Azure or download, so a run overlaps one partition's download with another's load
/// without two loads competing for SQLite's single writer.
///
/// The store's work runs on a thread of its own, never on the concurrency pool: a load
/// blocks for seconds, and the downloads running beside it need the pool's threads.
package actor LoadTurns {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    package init() {}

    /// Runs `body` on its own thread once it is this caller's turn.
    package func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await take()
        let result = await LoadTurns.offPool(body)
        give()
        return result
    }

    /// Runs store work for `request` in turn, rethrowing what it throws.
    nonisolated func inTurn<T: Sendable>(
        _ request: LoadRequest, _ body: @escaping @Sendable (LoadRequest) throws -> T
    ) async throws -> T {
        let result: Result<T, any Error> = await run { [request = Handoff(request)] in
            Result { try body(request.value) }
        }
        return try result.get()
    }

    private func take() async {
        if !busy {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func give() {
        if waiting.isEmpty {
            busy = false
        } else {
            // The turn passes straight to the next caller: `busy` stays set.
            waiting.removeFirst().resume()
        }
    }

    /// Runs blocking work on a new thread and waits for it without holding a pool thread.
    package static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        let slot = WorkSlot(body)
        return await withCheckedContinuation { continuation in
            // The work, and what it holds (a store), is released before the caller resumes:
            // a database closed later, on this thread, would race the caller's next open.
            let thread = Thread { continuation.resume(returning: slot.run()) }
            // The loader's writer runs SQLite and the parser's hand-off on this thread.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}

/// Work for one thread, run once and then let go.
private final class WorkSlot<T: Sendable>: @unchecked Sendable {
    private var body: (@Sendable () -> T)?

    init(_ body: @escaping @Sendable () -> T) { self.body = body }

    func run() -> T {
        let work = body!
        body = nil
        return work()
    }
}
