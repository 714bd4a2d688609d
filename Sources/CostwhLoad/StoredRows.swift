import CostwhBytes
import CostwhModel
import CostwhTransform

/// Turns rows read back from a store's `cost_details` into batches another store can write,
/// with the same dimension hashes a load from files computes, so `costwh copy` writes what a
/// load of the original files would have written.
package final class StoredRows {
    private let columnIndex: [Int?]
    private let extraIndex: Int?
    private let partIndex: Int?
    private let lineIndex: Int?
    private let costIndex: Int
    /// `cost_details` computes ListCost, ContractedCost and EffectiveCost for rows of every
    /// schema; only FOCUS files give them (and always give BilledCost), so for other rows the
    /// copy leaves them NULL and the target computes them as the source did.
    private let billedIndex: Int?
    private let computedFocusColumns: Set<Int>
    private var hasher = DimensionHasher()
    private let runs = HashedDimension.catalogued.map(\.columns)
    private let values = UnsafeMutablePointer<ByteSlice>.allocate(capacity: Catalog.columns.count)
    private let reals = UnsafeMutablePointer<Double?>.allocate(capacity: Catalog.columns.count)
    private let hashes = UnsafeMutablePointer<Hash128?>.allocate(capacity: HashedDimension.allCases.count)

    /// `columns`: the names of the rows' columns (those of `cost_details`).
    package init(columns: [String]) throws(LoadError) {
        var byName: [String: Int] = [:]
        for (i, name) in columns.enumerated() { byName[name.lowercased()] = i }
        columnIndex = Catalog.columns.map { byName[$0.name.lowercased()] }
        extraIndex = byName[Catalog.extraColumns.lowercased()]
        partIndex = byName["sourcepart"]
        lineIndex = byName["sourceline"]
        guard let cost = byName[Catalog.cost.lowercased()] else {
            throw .sourceFailed(part: "copy", reason: "the rows read back have no \(Catalog.cost) column")
        }
        costIndex = cost
        billedIndex = byName["billedcost"]
        computedFocusColumns = Set(
            ["ListCost", "ContractedCost", "EffectiveCost"].compactMap { name in
                Catalog.columns.firstIndex { $0.name == name }
            })
        values.initialize(repeating: .null, count: Catalog.columns.count)
        reals.initialize(repeating: nil, count: Catalog.columns.count)
    }

    deinit {
        values.deallocate()
        reals.deallocate()
        hashes.deallocate()
        hasher.deallocate()
    }

    static func text(_ value: StoreValue) -> String? {
        switch value {
        case .null: return nil
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .real(let d): return d.description
        case .blob(let b): return String(decoding: b, as: UTF8.self)
        }
    }

    /// Appends `rows[range]` to `batch` (at most its capacity).
    package func append(_ rows: ArraySlice<[StoreValue]>, to batch: RowBatch) {
        for row in rows {
            // One buffer per row holds every value's bytes while the batch copies them.
            var bytes: [UInt8] = []
            var spans: [(Int, Int)?] = Array(repeating: nil, count: Catalog.columns.count + 1)
            let fromFocus = billedIndex.map { !row[$0].isNull } ?? false
            for (c, column) in Catalog.columns.enumerated() {
                reals[c] = nil
                guard let i = columnIndex[c], fromFocus || !computedFocusColumns.contains(c) else { continue }
                let value = row[i]
                if column.type == .real { reals[c] = value.double }
                if let text = StoredRows.text(value) {
                    spans[c] = (bytes.count, text.utf8.count)
                    bytes.append(contentsOf: text.utf8)
                }
            }
            if let e = extraIndex, let text = StoredRows.text(row[e]) {
                spans[Catalog.columns.count] = (bytes.count, text.utf8.count)
                bytes.append(contentsOf: text.utf8)
            }
            let cost = row[costIndex].double ?? 0
            let part = partIndex.flatMap { row[$0].int } ?? 0
            let line = lineIndex.flatMap { row[$0].int } ?? 0
            bytes.withUnsafeBufferPointer { buffer in
                func slice(_ span: (Int, Int)?) -> ByteSlice {
                    guard let (offset, count) = span else { return .null }
                    return ByteSlice(base: (buffer.baseAddress ?? UnsafePointer(bitPattern: 1)!) + offset, count: count)
                }
                for c in 0..<Catalog.columns.count { values[c] = slice(spans[c]) }
                var extra = slice(spans[Catalog.columns.count])
                for (d, run) in zip(HashedDimension.catalogued, runs) {
                    hashes[d.rawValue] = hasher.hash(values + run.first, count: run.count)
                }
                hashes[HashedDimension.extra.rawValue] = withUnsafePointer(to: &extra) { hasher.hash($0, count: 1) }
                batch.append(
                    values: UnsafePointer(values), reals: UnsafePointer(reals), extra: extra, cost: cost, part: part,
                    line: line, hashes: UnsafePointer(hashes))
            }
        }
    }
}
