import CostwhPipeline
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM stop the work at once and cleanly: the running task is cancelled, so a
/// poll wait or a download ends within moments (its private folder is removed by the code
/// that made it), and the loader, which runs on its own thread, sees the flag between
/// batches and rolls back. The command then exits 130.
enum Interruption {
    static let requested = Atomic<Bool>(false)
    private struct State {
        var sources: [DispatchSourceSignal] = []
        var cancel: (@Sendable () -> Void)?
    }
    private static let state = Mutex(State())

    static func install() {
        // Past a file-size limit, writes should fail with EFBIG (a clear error and a
        // rollback), not kill the process with SIGXFSZ.
        signal(SIGXFSZ, SIG_IGN)
        state.withLock { s in
            guard s.sources.isEmpty else { return }
            for number in [SIGINT, SIGTERM] {
                // The default action would kill the process mid-write; a dispatch source
                // receives the signal instead.
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { Interruption.trigger() }
                source.resume()
                s.sources.append(source)
            }
        }
    }

    static var isRequested: Bool { requested.load(ordering: .relaxed) }

    static func trigger() {
        requested.store(true, ordering: .relaxed)
        state.withLock { $0.cancel }?()
    }

    /// Runs async work as a task that SIGINT and SIGTERM cancel.
    static func cancellable<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        state.withLock { $0.cancel = { task.cancel() } }
        defer { state.withLock { $0.cancel = nil } }
        if isRequested { task.cancel() }
        return try await task.value
    }
}
