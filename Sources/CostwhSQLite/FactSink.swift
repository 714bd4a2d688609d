import CostwhLoad
import CostwhModel
import CostwhTransform
import GRDB

/// Writes batched rows into `cost_fact`, resolving their dimension keys.
package final class FactSink {
    private let statement: UncheckedStatement
    private let writers: [(writer: DimensionWriter, first: Int)]
    /// Each catalogued dimension's first catalog column, in `HashedDimension` order.
    private let firsts: [Int]
    private let accountWriter: DimensionWriter
    private let resourceWriter: DimensionWriter
    private let productWriter: DimensionWriter
    private let tagsWriter: DimensionWriter
    private let infoWriter: DimensionWriter
    private let extra: DimensionWriter
    private let db: Database
    private let factColumns: [(column: Int, type: CanonicalColumn.ValueType, real: Int)]
    let currencyColumn = Catalog.index[Catalog.currency]!
    private let values = UnsafeMutablePointer<ByteSlice>.allocate(capacity: Catalog.columns.count)
    private let extraSlot = UnsafeMutablePointer<ByteSlice>.allocate(capacity: 1)
    let summaries = SummaryBuilder()
    private let dateColumn = Catalog.index[Catalog.date]!
    private let chargeTypeColumn = Catalog.index[Catalog.chargeType]!
    private let pricingModelColumn = Catalog.index[Catalog.pricingModel]!
    /// The rowids of the first and last rows written: a load's rows are contiguous.
    private(set) var firstRowId: Int64?
    private(set) var lastRowId: Int64?
    private(set) var costTotal = 0.0
    private(set) var rowsLoaded = 0
    private(set) var currencies: [[UInt8]] = []

    init(_ db: Database) throws {
        self.db = db
        var writers: [(DimensionWriter, Int)] = []
        for (d, run) in zip(HashedDimension.catalogued, HashedDimension.cataloguedRuns) {
            let names = (run.first..<(run.first + run.count)).map { Catalog.columns[$0].name }
            writers.append((try DimensionWriter(db, dimension: d.dimension, columns: names), run.first))
        }
        self.writers = writers
        firsts = writers.map(\.1)
        let byDimension = Dictionary(uniqueKeysWithValues: writers.map { ($0.0.dimension, $0.0) })
        accountWriter = byDimension[HashedDimension.account.dimension]!
        resourceWriter = byDimension[HashedDimension.resource.dimension]!
        productWriter = byDimension[HashedDimension.product.dimension]!
        tagsWriter = byDimension[HashedDimension.tags.dimension]!
        infoWriter = byDimension[HashedDimension.info.dimension]!
        extra = try DimensionWriter(db, dimension: .extra, columns: [Catalog.extraColumns])
        var realIndex = 0
        factColumns = Catalog.factColumns.map { column in
            let type = Catalog.columns[column].type
            defer { if type == .real { realIndex += 1 } }
            return (column, type, type == .real ? realIndex : -1)
        }
        let columns = FactColumns.inInsertOrder
        statement = try UncheckedStatement(
            db,
            sql:
                "INSERT INTO cost_fact (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
        )
    }

    deinit {
        values.deallocate()
        extraSlot.deallocate()
    }

    /// The key of row `i`'s dimension `d`, from its writer (each a `let` of its own: reached
    /// through the array of writers, every lookup retained and released its writer).
    @inline(__always)
    private func key(_ d: HashedDimension, _ writer: DimensionWriter, _ batch: RowBatch, _ i: Int) throws -> Int64? {
        try writer.key(batch.hash(i, d.rawValue), batch, row: i, first: firsts[d.rawValue], scratch: values, db)
    }

    /// Inserts row `i` of the batch.
    @inline(__always)
    func insert(_ batch: RowBatch, _ i: Int) throws {
        var keys: (Int64?, Int64?, Int64?, Int64?, Int64?, Int64?)
        keys.0 = try key(.account, accountWriter, batch, i)
        keys.1 = try key(.resource, resourceWriter, batch, i)
        keys.2 = try key(.product, productWriter, batch, i)
        keys.3 = try key(.tags, tagsWriter, batch, i)
        keys.4 = try key(.info, infoWriter, batch, i)
        extraSlot.pointee = batch.extra(i)
        keys.5 = try extra.key(batch.hash(i, HashedDimension.extra.rawValue), UnsafePointer(extraSlot), db)

        statement.bind(1, int: Int64(batch.parts[i]))
        statement.bind(2, int: Int64(batch.lines[i]))
        var index: Int32 = 3
        for (column, type, real) in factColumns {
            if type == .real {
                statement.bind(index, double: batch.real(i, real))
            } else {
                let value = batch.value(i, column)
                statement.bind(index, text: value.base, count: value.count)
            }
            index += 1
        }
        statement.bind(index, int: keys.0)
        statement.bind(index + 1, int: keys.1)
        statement.bind(index + 2, int: keys.2)
        statement.bind(index + 3, int: keys.3)
        statement.bind(index + 4, int: keys.4)
        statement.bind(index + 5, int: keys.5)
        try statement.execute(db)
        let rowId = db.lastInsertedRowID
        if firstRowId == nil { firstRowId = rowId }
        lastRowId = rowId
        let cost = batch.costs[i]
        costTotal += cost
        rowsLoaded += 1
        let currency = batch.value(i, currencyColumn)
        if let base = currency.base, currencies.count < 32,
            !currencies.contains(where: { $0.elementsEqual(UnsafeBufferPointer(start: base, count: currency.count)) })
        {
            currencies.append(Array(UnsafeBufferPointer(start: base, count: currency.count)))
        }
        summaries.add(
            date: batch.value(i, dateColumn), currency: currency, chargeType: batch.value(i, chargeTypeColumn),
            pricingModel: batch.value(i, pricingModelColumn), cost: cost,
            keys: (keys.0, keys.1, keys.2, keys.3))
    }
}
