import CostwhTransform

/// Holds rejected rows until the load's outcome is known, so they reach `rejected_rows`
/// whether the load commits or rolls back. Raw text is capped so a file of garbage cannot
/// exhaust memory; past the cap rows are counted but their text is not kept.
package final class RejectBuffer {
    struct Row {
        let source: String
        let line: Int
        let raw: String
        let reason: String
    }

    private var rows: [Row] = []
    private var bytes = 0
    private(set) var dropped = 0
    let maxBytes: Int
    let maxRawBytes: Int

    package init(maxBytes: Int = 8 << 20, maxRawBytes: Int = 65_536) {
        self.maxBytes = maxBytes
        self.maxRawBytes = maxRawBytes
    }

    package func add(source: String, line: Int, raw: String, reason: String) {
        let size = raw.utf8.count + reason.utf8.count + 64
        guard bytes + size <= maxBytes else {
            dropped += 1
            return
        }
        bytes += size
        rows.append(Row(source: source, line: line, raw: raw, reason: reason))
    }

    /// Hands the buffered rows to the store that writes them, and empties the buffer;
    /// a count of rows past the memory cap is added to `warnings`.
    package func drain(warnings: inout Warnings) -> [(source: String, line: Int, raw: String, reason: String)] {
        let out = rows.map { ($0.source, $0.line, $0.raw, $0.reason) }
        rows.removeAll()
        bytes = 0
        if dropped > 0 {
            warnings.add("rejected rows not stored (memory cap)", "count", count: dropped)
            dropped = 0
        }
        return out
    }
}
