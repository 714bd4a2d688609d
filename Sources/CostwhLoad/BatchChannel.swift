import CostwhBytes
import CostwhModel
import CostwhTransform
import Foundation

/// A small blocking queue between the parsing thread and the writing thread.
final class BatchChannel: @unchecked Sendable {
    enum Message {
        case batch(RowBatch)
        case partEnded(part: Int, digest: UInt64, bytes: Int, warnings: Warnings, dialect: Dialect?, skipped: Bool)
        case failed(any Error)
        case finished
    }

    private let condition = NSCondition()
    private var queue: [Message] = []
    private var free: [RowBatch] = []
    private var stopped = false

    /// `depth` batches circulate: enough to keep both threads busy, few enough to bound memory.
    init(depth: Int = 3) {
        free = (0..<depth).map { _ in RowBatch() }
    }

    /// A batch to fill; blocks while all are in flight. nil once the writer has stopped.
    func emptyBatch() -> RowBatch? {
        condition.lock()
        defer { condition.unlock() }
        while free.isEmpty && !stopped { condition.wait() }
        if stopped { return nil }
        let batch = free.removeLast()
        batch.reset()
        return batch
    }

    func send(_ message: Message) {
        condition.lock()
        queue.append(message)
        condition.broadcast()
        condition.unlock()
    }

    func receive() -> Message {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty { condition.wait() }
        return queue.removeFirst()
    }

    func recycle(_ batch: RowBatch) {
        condition.lock()
        free.append(batch)
        condition.broadcast()
        condition.unlock()
    }

    /// The writer gives up: the parser stops at its next batch.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

}
