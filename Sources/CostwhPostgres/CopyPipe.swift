import Foundation
import NIOCore
import Synchronization

/// Hands COPY data from the loader's thread to the task that writes it to PostgreSQL.
///
/// The loader pushes encoded chunks and blocks while `capacity` chunks wait, so a slow server
/// slows the parser instead of filling memory; the COPY task awaits the next chunk. `finish`
/// ends the data, `fail` makes the COPY task throw, which aborts the COPY on the server.
final class CopyPipe: @unchecked Sendable {
    private struct State {
        var chunks: [ByteBuffer] = []
        var waiter: CheckedContinuation<ByteBuffer?, any Error>?
        var finished = false
        var failure: (any Error)?
        var consumerGone = false
    }

    private let condition = NSCondition()
    private var state = State()
    let capacity: Int

    init(capacity: Int = 4) { self.capacity = capacity }

    /// Blocks while the pipe is full. Throws when the consumer stopped (the COPY failed).
    func push(_ chunk: ByteBuffer) throws(CopyPipeClosed) {
        condition.lock()
        while state.chunks.count >= capacity && !state.consumerGone { condition.wait() }
        if state.consumerGone {
            condition.unlock()
            throw CopyPipeClosed()
        }
        if let waiter = state.waiter {
            state.waiter = nil
            condition.unlock()
            waiter.resume(returning: chunk)
            return
        }
        state.chunks.append(chunk)
        condition.unlock()
    }

    func finish() { close(failure: nil) }
    func fail(_ error: any Error) { close(failure: error) }

    private func close(failure: (any Error)?) {
        condition.lock()
        state.finished = true
        state.failure = failure
        let waiter = state.waiter
        state.waiter = nil
        condition.unlock()
        if let failure { waiter?.resume(throwing: failure) } else { waiter?.resume(returning: nil) }
    }

    /// Marks the consumer gone, so a blocked `push` returns.
    func consumerStopped() {
        condition.lock()
        state.consumerGone = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next chunk, or nil at the end.
    func next() async throws -> ByteBuffer? {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ByteBuffer?, any Error>) in
            condition.lock()
            if !state.chunks.isEmpty {
                let chunk = state.chunks.removeFirst()
                condition.signal()
                condition.unlock()
                continuation.resume(returning: chunk)
            } else if state.finished {
                let failure = state.failure
                condition.unlock()
                if let failure { continuation.resume(throwing: failure) } else { continuation.resume(returning: nil) }
            } else {
                state.waiter = continuation
                condition.unlock()
            }
        }
    }
}

struct CopyPipeClosed: Error {}
