import Foundation
import Synchronization

/// Runs async postgres-nio work for the synchronous store seam.
///
/// The loader's hot path is synchronous (a parser thread hands batches to the store), and
/// `CostStore` keeps it that way for SQLite. PostgreSQL's client is async, so each store call
/// starts a task and waits for it. The task prefers a thread of its own, never the
/// cooperative pool: the waiting caller may itself be a pool thread, and on a machine with one
/// core the pool has one thread, which would then wait for itself.
final class BlockingBridge: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopping = false

    init(name: String) {
        // The thread holds the bridge until `shutdown` lets it end.
        let thread = Thread { [self] in self.runJobs() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Ends the thread once the jobs queued so far have run.
    func shutdown() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    func enqueue(_ job: UnownedJob) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }

    /// Runs `body` to completion and returns its result; the caller's thread waits.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        try start(body).wait()
    }

    /// Starts `body` and returns at once; `wait()` on the result blocks until it ends.
    func start<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> Pending<T> {
        let pending = Pending<T>()
        Task(executorPreference: self) {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            pending.complete(outcome)
        }
        return pending
    }

    final class Pending<T: Sendable>: Sendable {
        private let result = Mutex<Result<T, any Error>?>(nil)
        private let done = DispatchSemaphore(value: 0)

        fileprivate func complete(_ outcome: Result<T, any Error>) {
            result.withLock { $0 = outcome }
            done.signal()
        }

        func wait() throws -> T {
            done.wait()
            done.signal()
            return try result.withLock { $0! }.get()
        }
    }
}
