import CostwhParquet
import Foundation

/// Puts an export's fact batches into its Parquet writer on a thread of its own, in order,
/// while the reading thread steps the store for the next batch. An export had one thread
/// reading and gathering (its bottleneck: SQLite's stepping and the values' extraction were a
/// third of it, the writer's columns, dictionaries and registered gathers most of the rest)
/// and one encoding; now reading, gathering and encoding overlap.
///
/// Two payloads circulate: the one being filled and the one being flushed; `submit` gives the
/// reader the flushed one back, emptied with its capacity kept. The writer belongs to the
/// flushing thread between the first `submit` and `finish`. State shared by the two threads is
/// guarded by one condition.
final class FactFlusher: @unchecked Sendable {
    private let writer: ParquetFileWriter
    private let factColumns: [(column: Int, field: Int)]
    private let dimensions: [DimensionedExport.Rows]
    /// The partition's constant columns, a dimension of one row: every fact row is its row 0.
    private let constants: DimensionedExport.Rows
    private let zeros = [Int32](repeating: 0, count: ParquetFileWriter.batchRows)
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var waiting: FactBatch.Payload?
    private var spare: FactBatch.Payload?
    private var busy = false
    private var failure: ParquetError?
    private var stopping = false
    private var running = false

    init(
        writer: ParquetFileWriter, factColumns: [(column: Int, field: Int)], dimensions: [DimensionedExport.Rows],
        constants: DimensionedExport.Rows
    ) {
        self.writer = writer
        self.factColumns = factColumns
        self.dimensions = dimensions
        self.constants = constants
    }

    /// Hands a full batch over and leaves `payload` an empty one to fill; waits while the
    /// batch before is still waiting. Throws the flushing thread's first failure.
    func submit(_ payload: inout FactBatch.Payload) throws(ParquetError) {
        guard payload.rows > 0 else { return }
        condition.lock()
        defer { condition.unlock() }
        if !running {
            running = true
            let thread = Thread { [self] in work() }
            thread.name = "costwh export gatherer"
            thread.start()
        }
        while waiting != nil && failure == nil { condition.wait() }
        if let failure { throw failure }
        let next = spare ?? FactBatch.Payload(kinds: payload.converters.map(\.kind), dimensions: payload.rowsOf.count)
        spare = nil
        waiting = payload
        payload = next
        condition.broadcast()
    }

    /// Waits until every batch submitted is in the writer and stops the thread; throws the
    /// first failure. The writer is the caller's again.
    func finish() throws(ParquetError) {
        condition.lock()
        defer { condition.unlock() }
        while (waiting != nil || busy) && failure == nil { condition.wait() }
        stopping = true
        condition.broadcast()
        if let failure { throw failure }
    }

    /// Stops the thread after the batch it is flushing (the export failed or finished).
    func stop() {
        condition.lock()
        stopping = true
        waiting = nil
        condition.broadcast()
        while busy { condition.wait() }
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while waiting == nil && !stopping { condition.wait() }
            guard !stopping, var payload = waiting, failure == nil else {
                condition.unlock()
                return
            }
            waiting = nil
            busy = true
            condition.broadcast()
            condition.unlock()

            var failed: ParquetError?
            do {
                try payload.flush(to: writer, factColumns: factColumns, dimensions: dimensions, constants: constants, zeros: zeros)
            } catch {
                failed = error
            }

            condition.lock()
            busy = false
            spare = payload
            if let failed, failure == nil { failure = failed }
            condition.broadcast()
            condition.unlock()
        }
    }
}
