import CostwhBytes
import CostwhModel
import CostwhTransform
import Foundation

/// The parsing side of a load: reads every part, normalises its rows, hashes their
/// dimensions and sends them to the writer in batches. It runs on its own thread so that
/// parsing overlaps with SQLite's work on the second core.
final class RowProducer: @unchecked Sendable {
    let parts: [LoadPart]
    let channel: BatchChannel
    /// The catalog columns of each catalogued dimension, in `HashedDimension` order.
    let options: ReadOptions
    /// The load's summaries, added up here a batch at a time before the batch is sent (see
    /// `SummaryBuilder`). Read by the loader only after `.finished`, which the channel's lock
    /// orders after the last batch's sums.
    let summaries = SummaryBuilder()

    init(parts: [LoadPart], options: ReadOptions, channel: BatchChannel) {
        self.parts = parts
        self.options = options
        self.channel = channel
    }

    func start() {
        let thread = Thread { [self] in self.run() }
        thread.name = "costwh-parse"
        thread.stackSize = 4 << 20
        thread.start()
    }

    private func run() {
        var hasher = DimensionHasher()
        defer { hasher.deallocate() }
        let hashes = UnsafeMutablePointer<Hash128?>.allocate(capacity: RowBatch.hashedDimensions)
        defer { hashes.deallocate() }
        let extraSlot = UnsafeMutablePointer<ByteSlice>.allocate(capacity: 1)
        defer { extraSlot.deallocate() }
        do {
            for (index, part) in parts.enumerated() {
                let source: HashingByteSource
                do {
                    source = HashingByteSource(try part.open())
                } catch {
                    if case .cannotOpen = error { throw LoadError.missingInput(part: part.name, error: error) }
                    throw LoadError.sourceFailed(part: part.name, reason: error.description)
                }
                let file: CostFileReader
                switch Result(catching: { () throws(TransformError) -> CostFileReader in
                    try CostFileReader(source: source, options: options)
                }) {
                case .success(let opened): file = opened
                case .failure(let error):
                    // An empty blob among several adds nothing, not even a header.
                    if case .emptyFile = error, parts.count > 1 {
                        channel.send(
                            .partEnded(
                                part: index, digest: source.digest, bytes: source.byteCount, warnings: Warnings(),
                                dialect: nil, skipped: true))
                        continue
                    }
                    throw error
                }
                let normaliser = file.normaliser
                guard var batch = channel.emptyBatch() else {
                    channel.send(.finished)
                    return
                }
                var otherMetric = 0
                while let outcome = try file.next() {
                    switch outcome {
                    case .otherMetric:
                        otherMetric += 1
                    case .otherPeriod:
                        break  // counted by the normaliser, per period
                    case .rejected(let reason):
                        batch.rejected.append((index, file.lineNumber, file.recordText(), reason))
                    // Rejections keep their place: a marker row is not needed, only the count.
                    case .row:
                        let values = UnsafePointer(normaliser.values)
                        for (d, run) in zip(HashedDimension.catalogued, HashedDimension.cataloguedRuns) {
                            hashes[d.rawValue] = hasher.hash(values + run.first, count: run.count)
                        }
                        extraSlot.pointee = normaliser.extra
                        hashes[HashedDimension.extra.rawValue] = hasher.hash(extraSlot, count: 1)
                        batch.append(normaliser, part: index, line: file.lineNumber, hashes: hashes)
                    }
                    if batch.isFull || batch.rejected.count >= RowBatch.capacity {
                        batch.bytesConsumed = file.bytesConsumed
                        summaries.add(batch)
                        channel.send(.batch(batch))
                        guard let next = channel.emptyBatch() else {
                            channel.send(.finished)
                            return
                        }
                        batch = next
                    }
                }
                batch.bytesConsumed = file.bytesConsumed
                summaries.add(batch)
                channel.send(.batch(batch))
                var warnings = normaliser.warnings
                if otherMetric > 0 {
                    warnings.add(
                        "FOCUS rows that belong to the other metric only (cost 0 here)",
                        options.focusMetric == .actualCost ? "unused commitment" : "commitment purchase or refund",
                        count: otherMetric)
                }
                for (period, count) in normaliser.otherPeriods {
                    warnings.add(PeriodCheck.otherPeriods, period, count: count)
                }
                if let form = source.inputForm {
                    // Not a repair: how the part was read (Parquet's codecs and row groups).
                    warnings.add(Warnings.readFrom, form)
                }
                if normaliser.datedRows > 0 {
                    warnings.add(PeriodCheck.dated, "outside", count: normaliser.datesOutsidePeriod)
                    warnings.add(PeriodCheck.dated, "all", count: normaliser.datedRows)
                }
                channel.send(
                    .partEnded(
                        part: index, digest: source.digest, bytes: source.byteCount, warnings: warnings,
                        dialect: file.dialect, skipped: false))
            }
            channel.send(.finished)
        } catch {
            channel.send(.failed(error))
        }
    }
}
