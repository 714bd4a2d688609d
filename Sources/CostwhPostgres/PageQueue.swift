import CostwhLoad
import Foundation

/// Hands pages of rows from the task reading them to the thread consuming them, two at a
/// time: the reader blocks while the consumer is behind, so memory stays bounded.
final class PageQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var pages: [ResultTable] = []
    private var finished = false
    private var failure: (any Error)?
    private var abandoned = false
    let capacity = 2

    struct Abandoned: Error {}

    func put(_ page: ResultTable) throws {
        condition.lock()
        defer { condition.unlock() }
        while pages.count >= capacity && !abandoned { condition.wait() }
        if abandoned { throw Abandoned() }
        pages.append(page)
        condition.broadcast()
    }

    func finish(_ error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer stopped: a blocked `put` throws and the reading task ends.
    func abandon() {
        condition.lock()
        abandoned = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next page, nil at the end; throws the reader's error.
    func take() throws -> ResultTable? {
        condition.lock()
        defer { condition.unlock() }
        while pages.isEmpty && !finished { condition.wait() }
        if !pages.isEmpty {
            let page = pages.removeFirst()
            condition.broadcast()
            return page
        }
        if let failure { throw failure }
        return nil
    }
}
