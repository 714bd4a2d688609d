import CostwhBytes
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
/// flushing thread between the first `submit` and `finish`.
final class FactFlusher {
    private let thread: HandoffThread<FactBatch.Payload, ParquetError>

    init(
        writer: ParquetFileWriter, factColumns: [(column: Int, field: Int)], dimensions: [DimensionedExport.Rows],
        constants: DimensionedExport.Rows
    ) {
        let zeros = [Int32](repeating: 0, count: ParquetFileWriter.batchRows)
        thread = HandoffThread(name: "costwh export gatherer") { (payload: inout FactBatch.Payload) throws(ParquetError) in
            try payload.flush(
                to: writer, factColumns: factColumns, dimensions: dimensions, constants: constants, zeros: zeros)
        }
    }

    /// Hands a full batch over and leaves `payload` an empty one to fill; waits while the
    /// batch before is still waiting. Throws the flushing thread's first failure.
    func submit(_ payload: inout FactBatch.Payload) throws(ParquetError) {
        guard payload.rows > 0 else { return }
        let kinds = payload.converters.map(\.kind)
        let dimensions = payload.rowsOf.count / ParquetFileWriter.batchRows
        var full = FactBatch.Payload(kinds: [], dimensions: 0)
        swap(&full, &payload)
        try thread.submit(full)
        payload = thread.takeReturned() ?? FactBatch.Payload(kinds: kinds, dimensions: dimensions)
    }

    /// Waits until every batch submitted is in the writer and stops the thread; throws the
    /// first failure. The writer is the caller's again.
    func finish() throws(ParquetError) {
        defer { thread.stop() }
        try thread.drain()
    }

    /// Stops the thread after the batch it is flushing (the export failed or finished).
    func stop() {
        thread.stop()
    }
}
