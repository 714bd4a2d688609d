import CostwhBytes
import CostwhLoad
import CostwhModel
import CostwhTransform
import NIOCore

/// Encodes each batch as COPY text for the load's table, and collects what the swap writes
/// afterwards: new dimension rows, the summaries and the load's totals.
///
/// Dimension keys are the first 64 bits of the values' 128-bit hash, so a row's keys are
/// known without asking the server; each distinct dimension row is encoded once per load
/// and inserted with ON CONFLICT DO NOTHING.
final class PostgresBatchWriter: BatchWriter {
    let loadId: Int64
    var pipe: CopyPipe?
    private var text = CopyText()
    private let factColumns: [(column: Int, type: CanonicalColumn.ValueType, real: Int)]
    private let runs = HashedDimension.catalogued.map(\.columns)
    private var seen: [Set<Int64>] = Array(repeating: [], count: HashedDimension.allCases.count)
    private var dimensionRows: [CopyText] = HashedDimension.allCases.map { _ in CopyText(capacity: 1 << 12) }
    /// The load's summaries, from the parsing thread after the last batch.
    private(set) var summaries: SummaryBuilder?
    private(set) var rowsLoaded = 0
    private(set) var costTotal = 0.0
    private(set) var currencies: Set<String> = []
    private let currencyColumn = Catalog.index[Catalog.currency]!
    /// Bytes per COPY message.
    static let chunk = 1 << 20

    init(loadId: Int64) {
        self.loadId = loadId
        var realIndex = 0
        factColumns = Catalog.factColumns.map { column in
            let type = Catalog.columns[column].type
            defer { if type == .real { realIndex += 1 } }
            return (column, type, type == .real ? realIndex : -1)
        }
    }

    func write(_ batch: RowBatch) throws {
        for i in 0..<batch.count {
            var keys: [Int64?] = [nil, nil, nil, nil, nil, nil]
            for d in HashedDimension.allCases {
                guard let hash = batch.hash(i, d.rawValue) else { continue }
                let key = PostgresBatchWriter.key(d, hash)
                keys[d.rawValue] = key
                if seen[d.rawValue].insert(key).inserted { addDimension(d, key: key, hash: hash, batch, i) }
            }
            text.integer(loadId)
            text.integer(Int64(batch.parts[i]))
            text.integer(Int64(batch.lines[i]))
            for (column, type, real) in factColumns {
                if type == .real { text.real(batch.real(i, real)) } else { text.text(batch.value(i, column)) }
            }
            for key in keys { text.integer(key) }
            text.endRow()
            let cost = batch.costs[i]
            costTotal += cost
            rowsLoaded += 1
            let currency = batch.value(i, currencyColumn)
            if let base = currency.base, currencies.count < 32 {
                currencies.insert(
                    String(decoding: UnsafeBufferPointer(start: base, count: currency.count), as: UTF8.self))
            }
        }
        PhaseProbe.mark("insert")
        if text.byteCount >= PostgresBatchWriter.chunk { try flush() }
    }

    func summarise(_ summaries: SummaryBuilder) { self.summaries = summaries }

    /// The feed ended without handing over the summaries (a defect, never a file's fault).
    struct MissingSummaries: Error, CustomStringConvertible {
        var description: String { "the load ended without its summaries" }
    }

    /// A dimension row's key: the first 64 bits of its hash.
    static func key(_ d: HashedDimension, _ hash: Hash128) -> Int64 { Int64(bitPattern: hash.high) }

    private func addDimension(_ d: HashedDimension, key: Int64, hash: Hash128, _ batch: RowBatch, _ i: Int) {
        dimensionRows[d.rawValue].integer(key)
        dimensionRows[d.rawValue].integer(key)
        dimensionRows[d.rawValue].integer(Int64(bitPattern: hash.low))
        if d == .extra {
            dimensionRows[d.rawValue].text(batch.extra(i))
        } else {
            let run = runs[d.rawValue]
            for c in run.first..<(run.first + run.count) { dimensionRows[d.rawValue].text(batch.value(i, c)) }
        }
        dimensionRows[d.rawValue].endRow()
    }

    /// Sends what is encoded so far.
    func flush() throws {
        guard text.byteCount > 0, let pipe else { return }
        try pipe.push(text.take())
    }

    /// Each dimension's new rows as COPY text, with its table's columns in order.
    func dimensionText() -> [(Dimension, [String], ByteBuffer)] {
        HashedDimension.allCases.map { d in
            let names: [String]
            if d == .extra {
                names = [Catalog.extraColumns]
            } else {
                let run = runs[d.rawValue]
                names = (run.first..<(run.first + run.count)).map { Catalog.columns[$0].name }
            }
            var rows = dimensionRows[d.rawValue]
            return (d.dimension, [d.dimension.keyColumn, "KeyHash", "KeyHash2"] + names, rows.take())
        }
    }
}
