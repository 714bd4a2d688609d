import Foundation

/// Hands jobs, in order, to a thread of its own, while the caller prepares the next: at most
/// one job waits, so memory is bounded by the job being done, the one waiting and the one
/// being prepared. A finished job is handed back (`takeReturned`) so that the caller can reuse
/// its buffers. The Parquet writer encodes its row groups this way, and the export puts its
/// batches into the writer's columns this way.
///
/// `work` runs on the thread, one job at a time; its first failure is thrown to the caller by
/// the next `submit` or by `drain`. The thread holds the object until `stop`, which its owner
/// calls when it is done or goes away. State shared by the two threads is guarded by one
/// condition.
package final class HandoffThread<Job, Failure: Error>: @unchecked Sendable {
    private let name: String
    private let work: (inout Job) throws(Failure) -> Void
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var waiting: Job?
    private var returned: Job?
    private var busy = false
    private var failure: Failure?
    private var stopping = false
    private var running = false

    package init(name: String, work: @escaping (inout Job) throws(Failure) -> Void) {
        self.name = name
        self.work = work
    }

    /// Hands a job over; waits while an earlier one is still waiting (not while one is being
    /// done). Throws the thread's first failure.
    package func submit(_ job: consuming Job) throws(Failure) {
        condition.lock()
        defer { condition.unlock() }
        if !running {
            running = true
            let thread = Thread { [self] in loop() }
            thread.name = name
            thread.start()
        }
        while waiting != nil && failure == nil { condition.wait() }
        if let failure { throw failure }
        waiting = job
        condition.broadcast()
    }

    /// The last job done, if one is back and not yet taken.
    package func takeReturned() -> Job? {
        condition.lock()
        defer { condition.unlock() }
        return returned.take()
    }

    /// Waits until every job submitted is done; throws the first failure.
    package func drain() throws(Failure) {
        condition.lock()
        defer { condition.unlock() }
        while (waiting != nil || busy) && failure == nil { condition.wait() }
        if let failure { throw failure }
    }

    /// Stops the thread after the job it is doing; a job still waiting is dropped.
    package func stop() {
        condition.lock()
        stopping = true
        waiting = nil
        condition.broadcast()
        while busy { condition.wait() }
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while waiting == nil && !stopping { condition.wait() }
            guard !stopping, failure == nil, var job = waiting.take() else {
                condition.unlock()
                return
            }
            busy = true
            condition.broadcast()
            condition.unlock()

            var failed: Failure?
            do throws(Failure) {
                try work(&job)
            } catch {
                failed = error
            }

            condition.lock()
            busy = false
            // Moved, not copied: the caller reuses the job's buffers in place.
            returned = consume job
            if let failed, failure == nil { failure = failed }
            condition.broadcast()
            condition.unlock()
        }
    }
}
