import CostwhBytes
import CostwhLoad
import CostwhModel
import CostwhTransform
import Foundation
import GRDB

/// Writes batched rows into `cost_fact`, resolving their dimension keys.
package final class FactSink {
    /// INSERTs of one row and of `rowsPerStatement` rows: SQLite opens the table's and the
    /// indexes' cursors, and runs its statement prologue and epilogue, once per statement.
    private let statement: UncheckedStatement
    private let statementOfRows: UncheckedStatement
    static let rowsPerStatement = 16
    /// Parameters per row.
    private let width: Int32
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
    /// The statement's parameter of each fact column: REAL ones by their index among the
    /// batch's reals, the others by catalog column. Two plain lists, so the binding loop
    /// compares no enum (through its `Equatable` witness, per cell).
    private let realParameters: [(parameter: Int32, real: Int)]
    private let textParameters: [(parameter: Int32, column: Int)]
    /// The statement's parameter of the first dimension key.
    private let keyParameter: Int32
    let currencyColumn = Catalog.index[Catalog.currency]!
    private let values = UnsafeMutablePointer<ByteSlice>.allocate(capacity: Catalog.columns.count)
    private let extraSlot = UnsafeMutablePointer<ByteSlice>.allocate(capacity: 1)
    /// The load's summaries, from the parsing thread after the last batch.
    var summaries: SummaryBuilder?
    /// What the rows written add up to, one stored value: kept in locals through a batch, as
    /// each access to a class's stored property is checked for exclusivity at run time.
    private struct Tally {
        /// The rowids of the first and last rows written: a load's rows are contiguous.
        var firstRowId: Int64?
        var lastRowId: Int64?
        var costTotal = 0.0
        var rowsLoaded = 0
    }
    private var tally = Tally()
    /// Each dimension's keys this load wrote or found, by `HashedDimension` order: one stored
    /// value, taken once per batch (each access to a class's `var` is checked at run time).
    private var caches = [HashKeyTable](repeating: HashKeyTable(), count: HashedDimension.allCases.count)
    var firstRowId: Int64? { tally.firstRowId }
    var lastRowId: Int64? { tally.lastRowId }
    var costTotal: Double { tally.costTotal }
    var rowsLoaded: Int { tally.rowsLoaded }
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
        var reals: [(Int32, Int)] = []
        var texts: [(Int32, Int)] = []
        var parameter: Int32 = 3  // after SourcePart and SourceLine
        for column in Catalog.factColumns {
            if Catalog.columns[column].type == .real {
                reals.append((parameter, reals.count))
            } else {
                texts.append((parameter, column))
            }
            parameter += 1
        }
        realParameters = reals
        textParameters = texts
        keyParameter = parameter
        let columns = FactColumns.inInsertOrder
        width = Int32(columns.count)
        let row = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        // OR FAIL, not the default ABORT: a statement of several rows that may abort makes
        // SQLite journal every page it first touches (its statement journal, a copy of the
        // page per statement: a tenth of the writer's instructions). A failing row fails the
        // whole load's transaction anyway, so there is nothing for a statement rollback to keep.
        let insert = "INSERT OR FAIL INTO cost_fact (\(columns.joined(separator: ", "))) VALUES "
        statement = try UncheckedStatement(db, sql: insert + row)
        statementOfRows = try UncheckedStatement(
            db, sql: insert + Array(repeating: row, count: FactSink.rowsPerStatement).joined(separator: ", "))
    }

    deinit {
        values.deallocate()
        extraSlot.deallocate()
    }

    /// The key of row `i`'s dimension `d`, from its writer (each a `let` of its own: reached
    /// through the array of writers, every lookup retained and released its writer).
    @inline(__always)
    private func key(
        _ d: Int, _ writer: DimensionWriter, _ batch: RowBatch, _ i: Int, _ caches: inout [HashKeyTable]
    ) throws -> Int64? {
        try writer.key(batch.hash(i, d), batch, row: i, first: firsts[d], scratch: values, db, &caches[d])
    }

    // The dimensions' positions as stored constants: `HashedDimension.rawValue` is a call from
    // here, and a static `let` a `swift_once` per use.
    private let account = HashedDimension.account.rawValue
    private let resource = HashedDimension.resource.rawValue
    private let product = HashedDimension.product.rawValue
    private let tags = HashedDimension.tags.rawValue
    private let info = HashedDimension.info.rawValue
    private let extraDimension = HashedDimension.extra.rawValue

    /// Inserts the rows of a batch, `rowsPerStatement` at a time, then the rest one by one.
    func insert(_ batch: RowBatch) throws {
        try insert(batch, &caches)
    }

    @inline(__always)
    private func insert(_ batch: RowBatch, _ caches: inout [HashKeyTable]) throws {
        var tally = self.tally
        defer { self.tally = tally }
        let n = FactSink.rowsPerStatement
        var i = 0
        while i + n <= batch.count {
            for r in 0..<n { try bind(batch, i + r, at: Int32(r) * width, statementOfRows, &tally, &caches) }
            try executed(statementOfRows, rows: n, &tally)
            i += n
        }
        while i < batch.count {
            try bind(batch, i, at: 0, statement, &tally, &caches)
            try executed(statement, rows: 1, &tally)
            i += 1
        }
    }

    /// Runs a statement of `rows` rows and notes their rowids, which must follow the last
    /// ones: a load's rows are one contiguous range (`partitions` holds its first and last).
    @inline(__always)
    private func executed(_ statement: UncheckedStatement, rows: Int, _ tally: inout Tally) throws {
        try statement.execute(db)
        let last = statement.lastInsertedRowID()
        let first = last - Int64(rows) + 1
        if let previous = tally.lastRowId, previous + 1 != first {
            throw DatabaseError(message: "cost_fact rowids are not contiguous: \(first) follows \(previous)")
        }
        if tally.firstRowId == nil { tally.firstRowId = first }
        tally.lastRowId = last
    }

    /// Resolves row `i`'s dimension keys and binds its values from parameter `offset + 1` on;
    /// adds it to the tally and the currencies.
    @inline(__always)
    private func bind(
        _ batch: RowBatch, _ i: Int, at offset: Int32, _ statement: UncheckedStatement, _ tally: inout Tally,
        _ caches: inout [HashKeyTable]
    ) throws {
        var keys: (Int64?, Int64?, Int64?, Int64?, Int64?, Int64?)
        keys.0 = try key(account, accountWriter, batch, i, &caches)
        keys.1 = try key(resource, resourceWriter, batch, i, &caches)
        keys.2 = try key(product, productWriter, batch, i, &caches)
        keys.3 = try key(tags, tagsWriter, batch, i, &caches)
        keys.4 = try key(info, infoWriter, batch, i, &caches)
        extraSlot.pointee = batch.extra(i)
        keys.5 = try extra.key(batch.hash(i, extraDimension), UnsafePointer(extraSlot), db, &caches[extraDimension])

        statement.bind(offset + 1, int: Int64(batch.parts[i]))
        statement.bind(offset + 2, int: Int64(batch.lines[i]))
        for (parameter, real) in realParameters {
            statement.bind(offset + parameter, double: batch.real(i, real))
        }
        for (parameter, column) in textParameters {
            let value = batch.value(i, column)
            statement.bind(offset + parameter, text: value.base, count: value.count)
        }
        let index = offset + keyParameter
        statement.bind(index, int: keys.0)
        statement.bind(index + 1, int: keys.1)
        statement.bind(index + 2, int: keys.2)
        statement.bind(index + 3, int: keys.3)
        statement.bind(index + 4, int: keys.4)
        statement.bind(index + 5, int: keys.5)
        let cost = batch.costs[i]
        tally.costTotal += cost
        tally.rowsLoaded += 1
        noteCurrency(batch.value(i, currencyColumn))
    }

    /// The key of the dimension row whose values hash to `hash`, which this load wrote or
    /// found: from the writer's table, or looked up (the table drops entries past its bound).
    func key(of d: HashedDimension, _ hash: Hash128) throws -> Int64 {
        let writer = d == .extra ? extra : writers[d.rawValue].writer
        return try writer.key(existing: hash, db, caches[d.rawValue])
    }

    /// Lists a row's currency (up to 32 of them); nearly every row repeats the last one.
    @inline(__always)
    private func noteCurrency(_ currency: ByteSlice) {
        guard let base = currency.base else { return }
        let bytes = UnsafeBufferPointer(start: base, count: currency.count)
        if let last = currencies.last, Interner.same(last, bytes) { return }
        if currencies.count < 32, !currencies.contains(where: { Interner.same($0, bytes) }) {
            currencies.append(Array(bytes))
        }
    }
}
