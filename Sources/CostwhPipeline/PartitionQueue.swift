import Foundation

/// One partition of a run: already decided (skipped), or work to do.
struct QueuedPartition: Sendable {
    let key: PartitionKey
    let decided: PartitionOutcome?
    let work: (@Sendable () async -> PartitionOutcome)?

    static func skipped(_ key: PartitionKey, reason: String) -> QueuedPartition {
        QueuedPartition(key: key, decided: .skipped(reason: reason), work: nil)
    }

    static func run(_ key: PartitionKey, _ work: @escaping @Sendable () async -> PartitionOutcome) -> QueuedPartition {
        QueuedPartition(key: key, decided: nil, work: work)
    }
}

/// Runs a run's partitions up to `parallel` at a time, so one waits for Azure or downloads
/// while another loads (the loads themselves take turns: `LoadTurns`). Results come back in
/// the plan's order, with the time each partition took, so the run can report its wall
/// time against the sum of its parts.
///
/// Two at a time is the default: it keeps both cores busy, and it stays well inside the
/// Cost Management API's limits (a few requests per scope per minute; 429s are retried by
/// the one retry policy).
package enum PartitionQueue {
    package static let defaultParallel = 2

    static func run(
        _ items: [QueuedPartition], parallel: Int, isCancelled: @Sendable () -> Bool,
        started: (@Sendable (PartitionKey) -> Void)? = nil
    ) async -> (results: [(key: PartitionKey, outcome: PartitionOutcome)], partitionSeconds: Double) {
        var done: [Int: (PartitionOutcome, Double)] = [:]
        await withTaskGroup(of: (Int, PartitionOutcome, Double).self) { group in
            var next = 0
            var running = 0
            var stopped = false
            func fill() {
                while !stopped, next < items.count, running < max(1, parallel) {
                    let index = next
                    let item = items[index]
                    next += 1
                    if let decided = item.decided {
                        done[index] = (decided, 0)
                        continue
                    }
                    if isCancelled() {
                        stopped = true
                        return
                    }
                    started?(item.key)
                    running += 1
                    group.addTask {
                        let clock = Date()
                        let outcome = await item.work!()
                        return (index, outcome, Date().timeIntervalSince(clock))
                    }
                }
            }
            fill()
            for await (index, outcome, seconds) in group {
                done[index] = (outcome, seconds)
                running -= 1
                fill()
            }
        }
        let order = done.keys.sorted()
        return (order.map { (items[$0].key, done[$0]!.0) }, order.reduce(0) { $0 + done[$1]!.1 })
    }
}
