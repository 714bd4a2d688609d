import CostwhLoad
import CostwhModel
import CostwhParquet
import Foundation

/// A partition of `cost_details` exported as the warehouse stores it: the fact rows through
/// `cost_details_keys` (the fact columns and the six dimension keys), and each dimension row
/// the partition uses read once. Of a row's ~115 columns, ~85 are a dimension's; read through
/// `cost_details_wide` they cost the store a join and the writer a hash of their bytes per
/// cell. Here each distinct value is registered with the writer once and a row appends
/// handles (an array lookup per cell), which is what a dictionary page holds anyway.
///
/// The output is the same file `PartitionExport` writes through the wide view: the same
/// columns in the same order, with the same values (the export's tests compare every value
/// with `cost_details` on both stores). When the store's views do not map onto the output
/// (a column of `cost_details_wide` found neither in `cost_details_keys` nor in one
/// dimension table), `write` returns nil and the caller reads the wide view.
struct DimensionedExport {
    let filter: [(column: String, value: String)]
    let compression: ParquetCompression
    /// A dimension with more rows than this in a partition is joined to the fact rows rather
    /// than registered (see `write`).
    var registeredRowsLimit = 65_536
    /// The most text of AdditionalInfo and the extra columns (the dimensions the summaries do
    /// not list) registered for a partition; past it they are joined to the fact rows. See
    /// `write`.
    var registeredBytesLimit = 40 << 20
    /// The most rows in a row group (see `PartitionExport.rowGroupRows`).
    var rowGroupRows = ParquetFileWriter.defaultRowGroupRows


    /// The first four dimensions are those `summary_resource` keeps a key of.
    static let summarised = 4

    /// A fact row's key that its load's summaries do not list: the file being written is
    /// abandoned and the caller reads the wide view instead.
    struct SummaryMissesAKey: Error {}

    /// The unsummarised dimensions' text passed `registeredBytesLimit`: the file is begun
    /// again with them joined.
    struct RegisteredTooLarge: Error {}

    /// The dimension tables, with the key `cost_fact` holds for each.
    static let dimensions: [(table: String, key: String)] = [
        ("dim_account", "AccountKey"), ("dim_resource", "ResourceKey"), ("dim_product", "ProductKey"),
        ("dim_tags", "TagsKey"), ("dim_info", "InfoKey"), ("dim_extra", "ExtraKey"),
    ]


    /// One dimension's rows that the partition uses, converted for the writer.
    struct Rows {
        /// The writer's columns this dimension fills: text (registered), then the others.
        var textColumns: [Int32] = []
        var textFields: [Int] = []
        var otherColumns: [Int] = []
        var otherFields: [Int] = []
        var otherKinds: [ParquetColumnSpec.Kind] = []
        /// The dimension row of each key.
        var rowOf: [Int64: Int32] = [:]
        /// The same as an array from `firstKey` when the keys are dense enough (they are
        /// numbered as the dimension grows): a lookup per row without hashing.
        var firstKey: Int64 = 0
        var denseRowOf: [Int32] = []
        /// Row-major: a row's text handles, then its other cells.
        var handles: [Int32] = []
        var cells: [ValueConverter.Number?] = []
        /// The text and other columns that no row fills (set by `index`): a batch's NULLs are
        /// appended in one call (half of a cost file's columns are empty).
        var emptyTexts: [Bool] = []
        var emptyOthers: [Bool] = []
    }

    func write(_ store: any StoreReading, to path: String, metadata: [(String, String)]) throws(PipelineError)
        -> PartitionExport.Written?
    {
        var written: PartitionExport.Written?
        let describe = filter.map { "\($0.column) \($0.value)" }.joined(separator: ", ")
        do {
            try store.reading { reader in
                var parameters: [String: StoreValue] = [:]
                for (column, value) in filter { parameters[column.lowercased()] = .text(value) }
                // SQLite's page cache is made small (2 MB) while every read is in order (the key
                // pass, each dimension's rows once, the fact rows): its 16 MB would be pages read
                // once, and the registered AdditionalInfo (tens of MB) needs the memory. A join
                // revisits pages, so the fact rows get the connection's own cache back when a
                // dimension is joined: 2 MB read them again from the kernel, a tenth of the
                // export's time (docs/PERFORMANCE.md, session 11).
                let connectionCache = try Self.pageCache(reader)
                if connectionCache != nil { try Self.setPageCache(reader, "-2048") }
                defer { if let connectionCache { try? Self.setPageCache(reader, connectionCache) } }

                let names = try reader.read("SELECT * FROM cost_details_wide WHERE 1 = 0", [:]).columns
                let factNames = try reader.read("SELECT * FROM cost_details_keys WHERE 1 = 0", [:]).columns
                let dimensionNames = try Self.dimensions.map { d in
                    try reader.read("SELECT * FROM \(d.table) WHERE 1 = 0", [:]).columns
                }
                let factIndex = Self.positions(factNames)
                let keyFields = Self.dimensions.map { factIndex[$0.key.lowercased()] }
                guard keyFields.allSatisfy({ $0 != nil }) else { return }

                // Where each output column comes from: the fact view, or one dimension table.
                let specs = names.map { ParquetColumnSpec($0, PartitionExport.kind(of: $0, in: LakeLayout.costDetails)) }
                var factColumns: [(column: Int, field: Int)] = []  // field: of the fact query
                var rows = Array(repeating: Rows(), count: Self.dimensions.count)
                var selected = Array(repeating: [String](), count: Self.dimensions.count)
                let dimensionIndex = dimensionNames.map(Self.positions)
                for (column, name) in names.enumerated() {
                    let key = name.lowercased()
                    if let field = factIndex[key], !Self.dimensions.contains(where: { $0.key.lowercased() == key }) {
                        factColumns.append((column, field))
                        continue
                    }
                    guard
                        let d = dimensionIndex.indices.first(where: {
                            dimensionIndex[$0][key] != nil && Self.dimensions[$0].key.lowercased() != key
                        })
                    else { return }  // not mapped: the caller reads the wide view
                    let field = selected[d].count + 1  // 0 is the key
                    selected[d].append(dimensionNames[d][dimensionIndex[d][key]!])
                    if specs[column].kind == .string {
                        rows[d].textColumns.append(Int32(column))
                        rows[d].textFields.append(field)
                    } else {
                        rows[d].otherColumns.append(column)
                        rows[d].otherFields.append(field)
                        rows[d].otherKinds.append(specs[column].kind)
                    }
                }

                // The keys the partition uses, from its loads' summaries (a row per account,
                // resource, product and tag set, about a twentieth of the fact rows: reading
                // the fact rows' keys would cost a scan of the partition). A fact row whose
                // key is not among them stops this path (`SummaryMissesAKey`).
                let loads = filter.map { "\($0.column) = :\($0.column.lowercased())" }.joined(separator: " AND ")
                var keys = Array(repeating: KeySet(), count: Self.dimensions.count)
                _ = try reader.forEachRow(
                    "SELECT DISTINCT AccountKey, ResourceKey, ProductKey, TagsKey FROM summary_resource WHERE LoadId IN (SELECT LoadId FROM partitions WHERE \(loads))",
                    parameters
                ) { cursor in
                    for d in 0..<Self.summarised { keys[d].insert(cursor, d) }
                }

                // The dimensions not in the summaries (AdditionalInfo, the extra columns) are
                // registered too when their text fits `registeredBytesLimit`: their keys come
                // from a pass over the fact rows' keys. Joined, each fact row looked its value up
                // in a B-tree whose pages the partition's rows visit in no order: on the
                // benchmark's month, 150,000 keys spread over all of dim_info made the join
                // 1.75 s of SQLite's time and re-read pages from the kernel 190,000 times; the
                // pass and one read of the keys in order cost a quarter of that.
                let qualified = filter.map { "k.\($0.column) = :\($0.column.lowercased())" }.joined(separator: " AND ")
                let unsummarised = (Self.summarised..<Self.dimensions.count).filter { !selected[$0].isEmpty }
                if registeredBytesLimit > 0, !unsummarised.isEmpty {
                    let list = unsummarised.map { "k.\(Self.dimensions[$0].key)" }.joined(separator: ", ")
                    _ = try reader.forEachRow("SELECT \(list) FROM cost_details_keys k WHERE \(qualified)", parameters) { cursor in
                        for (i, d) in unsummarised.enumerated() { keys[d].insert(cursor, i) }
                    }
                }

                // A dimension with many rows in the partition is joined to the fact rows instead
                // (and the unsummarised ones when not registered): registering would hold every
                // distinct value of the partition in memory at once, for little reuse.
                var joined: [String] = []
                var joins: [String] = []
                var joinedTables: [String] = []
                for (d, dimension) in Self.dimensions.enumerated()
                where !selected[d].isEmpty
                    && (d >= Self.summarised ? registeredBytesLimit <= 0 : keys[d].count > registeredRowsLimit)
                {
                    let alias = "j\(d)"
                    joinedTables.append(dimension.table)
                    joins.append("LEFT JOIN \(dimension.table) \(alias) ON \(alias).\(dimension.key) = k.\(dimension.key)")
                    let columns = rows[d].textColumns.map(Int.init) + rows[d].otherColumns
                    let fields = rows[d].textFields + rows[d].otherFields
                    for (column, field) in zip(columns, fields) {
                        factColumns.append((column, factNames.count + joined.count))
                        joined.append("\(alias).\(selected[d][field - 1])")
                    }
                    selected[d] = []
                    rows[d] = Rows()
                }

                let writer = try ParquetFileWriter(
                    path: path, columns: specs, compression: compression, rowGroupRows: rowGroupRows, metadata: metadata)

                // Each dimension row used, once: its text registered, its other values converted.
                var registeredBytes = 0
                for (d, dimension) in Self.dimensions.enumerated() where !selected[d].isEmpty && !keys[d].isEmpty {
                    let wanted = keys[d]
                    let list = ([dimension.key] + selected[d]).joined(separator: ", ")
                    var row = rows[d]
                    let budgeted = d >= Self.summarised
                    let distinct = budgeted && row.textFields.count == 1
                    if budgeted {
                        // Room for the budget, reserved and not yet touched: the text never
                        // sits in the old and the doubled storage at once.
                        for column in row.textColumns {
                            writer.reserveRegistered(
                                Int(column), count: wanted.count, bytes: registeredBytesLimit - registeredBytes, hashed: !distinct)
                        }
                    }
                    _ = try reader.forEachRow(
                        "SELECT \(list) FROM \(dimension.table) WHERE \(dimension.key) BETWEEN :low AND :high",
                        ["low": .integer(wanted.min!), "high": .integer(wanted.max!)]
                    ) { cursor in
                        let key = cursor.int64(0)
                        guard wanted.contains(key), row.rowOf[key] == nil else { return }
                        row.rowOf[key] = Int32(row.rowOf.count)
                        for (k, field) in row.textFields.enumerated() {
                            if budgeted, cursor.kind(field) == .text || cursor.kind(field) == .blob {
                                registeredBytes += cursor.withBytes(field) { $0.count }
                                if registeredBytes > registeredBytesLimit { throw RegisteredTooLarge() }
                            }
                            row.handles.append(
                                Self.register(cursor, field, column: Int(row.textColumns[k]), writer, distinct: distinct))
                        }
                        for (k, field) in row.otherFields.enumerated() {
                            do throws(ValueConverter.Problem) {
                                row.cells.append(cursor.kind(field) == .null ? nil : try ValueConverter.number(cursor, field, as: row.otherKinds[k]))
                            } catch {
                                throw PipelineError.export(
                                    "\(LakeLayout.costDetails) \(describe), \(dimension.table) key \(key), column \(names[row.otherColumns[k]]): \(error.message)"
                                )
                            }
                        }
                    }
                    row.index()
                    rows[d] = row
                    keys[d] = KeySet()
                }

                // Registered text is memory the writer's row groups give up: each MiB of a row
                // group costs ~3 at peak (`ParquetFileWriter`), a registered MiB ~1. With 4 MiB
                // row groups past 16 MiB registered, the benchmark's month (38 MiB of
                // AdditionalInfo) peaks at 108-114 MiB (99 MiB joined, with 12 MiB row groups)
                // and its six months' lake at 118 MiB (6 MiB row groups: 125-127 MiB, too near
                // the 128 MiB bound); the lake is 7.7 % larger.
                if registeredBytes > 16 << 20 { writer.rowGroupBytes = min(writer.rowGroupBytes, 4 << 20) }

                // The partition's own keys hold one value on every row (the filter's, and the
                // partition's one load): written as constants, like a dimension of one row,
                // rather than read, copied and looked up per row.
                var constants = Rows()
                let loadIds = try reader.read("SELECT DISTINCT LoadId FROM partitions WHERE \(loads)", parameters).rows
                factColumns.removeAll { fact in
                    let name = names[fact.column].lowercased()
                    if specs[fact.column].kind == .string, let key = filter.first(where: { $0.column.lowercased() == name }) {
                        var text = key.value
                        constants.textColumns.append(Int32(fact.column))
                        constants.handles.append(text.withUTF8 { writer.register(fact.column, utf8: $0) })
                        return true
                    }
                    if name == "loadid", specs[fact.column].kind == .int64, loadIds.count == 1, case .integer(let id) = loadIds[0].first {
                        constants.otherColumns.append(fact.column)
                        constants.otherKinds.append(.int64)
                        constants.cells.append(.whole(id))
                        return true
                    }
                    return false
                }

                // EffectiveCost, ListCost and ContractedCost are computed from the stored values
                // (`DerivedCosts`) rather than read: SQLite evaluated them for a fifth of the
                // reading thread. Only where the view has what the rules read, and the filter
                // names the partition's period and metric.
                let derivedOutputs = DerivedCosts.outputs.map { name in
                    factColumns.firstIndex { names[$0.column].lowercased() == name.lowercased() }
                }
                let period = filter.first { $0.column.lowercased() == "billingperiod" }
                let metric = filter.first { $0.column.lowercased() == "metric" }?.value
                var derivedColumns: [(column: Int, field: Int)] = []
                var prices: DerivedCosts.ListPrices?
                if let period, metric != nil, derivedOutputs.allSatisfy({ $0 != nil }),
                    DerivedCosts.inputs.allSatisfy({ factIndex[$0.lowercased()] != nil })
                {
                    derivedColumns = derivedOutputs.map { factColumns[$0!] }
                    let outputs = Set(derivedColumns.map(\.column))
                    factColumns.removeAll { outputs.contains($0.column) }
                    prices = try Self.listPrices(reader, period: period.value, loads: loads, parameters)
                }

                // Only the fact view's columns the file needs are read, each once.
                var needed: [Int] = []  // fields of `k.*` and then `joined`
                var position: [Int: Int] = [:]
                func read(_ field: Int) -> Int {
                    if let p = position[field] { return p }
                    position[field] = needed.count
                    needed.append(field)
                    return needed.count - 1
                }
                let factRead = factColumns.map { (column: $0.column, field: read($0.field)) }
                let derived = derivedColumns.isEmpty
                    ? nil
                    : DerivedCosts(
                        fields: DerivedCosts.inputs.map { read(factIndex[$0.lowercased()]!) },
                        amortized: metric == "AmortizedCost", prices: prices)
                // The computed columns' converters follow the read ones' (their field is unused).
                let converted = factRead + derivedColumns.map { (column: $0.column, field: -1) }
                let keyPositions = keyFields.map { read($0!) }
                let money = factIndex[Catalog.cost.lowercased()].map(read)
                let currency = factIndex[Catalog.currency.lowercased()].map(read)
                let selectList = needed.map { $0 < factNames.count ? "k.\(factNames[$0])" : joined[$0 - factNames.count] }

                // The fact rows, a batch at a time: their own columns converted row by row, each
                // registered dimension's columns appended column by column for the whole batch.
                var facts = FactBatch(
                    kinds: converted.map { specs[$0.column].kind }, factColumns: converted, derived: derived,
                    dimensions: rows, keyPositions: keyPositions, money: money, currency: currency)
                // The batches go into the writer's columns on a thread of their own (see
                // `FactFlusher`): from here to `finish` the writer is the flusher's.
                let flusher = FactFlusher(writer: writer, factColumns: converted, dimensions: rows, constants: constants)
                defer { flusher.stop() }
                if !joins.isEmpty, let connectionCache { try Self.setPageCache(reader, connectionCache) }
                let factSQL =
                    "SELECT " + selectList.joined(separator: ", ") + " FROM cost_details_keys k "
                    + joins.joined(separator: " ") + " WHERE \(qualified)"
                _ = try reader.forEachRow(factSQL, parameters) { cursor in
                    do {
                        try facts.add(cursor)
                    } catch let problem as FactBatch.Problem {
                        throw PipelineError.export(
                            "\(LakeLayout.costDetails) \(describe), row \(facts.count + 1), column \(names[problem.column]): \(problem.message)"
                        )
                    }
                    if facts.payload.rows == ParquetFileWriter.batchRows { try flusher.submit(&facts.payload) }
                }
                try flusher.submit(&facts.payload)
                try flusher.finish()
                let count = facts.count
                let cost = facts.totals.all
                let bytes = try writer.finish()
                written = PartitionExport.Written(
                    rows: count, bytes: bytes, cost: cost, read: "cost_details_keys", computedCosts: derived != nil, joined: joinedTables)
            }
        } catch is SummaryMissesAKey, is DerivedCosts.NotDerivable {
            unlink(path)
            return nil
        } catch is RegisteredTooLarge {
            // Found before the first fact row was read: what is lost is the key pass and the
            // registration so far.
            unlink(path)
            var joining = self
            joining.registeredBytesLimit = 0
            return try joining.write(store, to: path, metadata: metadata)
        } catch let error as PipelineError {
            throw error
        } catch let error as ParquetError {
            throw .export("cannot write \(path): \(error)")
        } catch {
            throw .export("cannot export \(LakeLayout.costDetails) \(describe): \(error)")
        }
        return written
    }

    /// `list_price_keys` for the product and account pairs the partition's summaries list;
    /// nil when the billing period has no list price at all (the common case: no price sheet).
    static func listPrices(
        _ reader: any StoreReader, period: String, loads: String, _ parameters: [String: StoreValue]
    ) throws -> DerivedCosts.ListPrices? {
        guard !(try reader.read("SELECT 1 FROM list_prices WHERE BillingPeriod = :period LIMIT 1", ["period": .text(period)]).rows.isEmpty)
        else { return nil }
        var prices = DerivedCosts.ListPrices()
        let pairs = "SELECT DISTINCT ProductKey, AccountKey FROM summary_resource WHERE LoadId IN (SELECT LoadId FROM partitions WHERE \(loads))"
        _ = try reader.forEachRow(pairs, parameters) { c in
            guard case .integer = c.kind(0), case .integer = c.kind(1) else { return }
            prices.pairs.insert(DerivedCosts.Pair(product: c.int64(0), account: c.int64(1)))
        }
        var lookup = parameters
        lookup["listperiod"] = .text(period)
        _ = try reader.forEachRow(
            "SELECT k.ProductKey, k.AccountKey, k.MarketPrice, k.UnitFactor FROM list_price_keys k JOIN (\(pairs)) s "
                + "ON s.ProductKey = k.ProductKey AND s.AccountKey = k.AccountKey WHERE k.BillingPeriod = :listperiod",
            lookup
        ) { c in
            let pair = DerivedCosts.Pair(product: c.int64(0), account: c.int64(1))
            prices.price[pair] = (c.double(2), c.kind(3) == .null ? nil : c.double(3))
        }
        return prices
    }

    /// SQLite's `cache_size` on this connection, as the PRAGMA reads it; nil on other stores.
    static func pageCache(_ reader: any StoreReader) throws -> String? {
        guard reader.dialect == .sqlite else { return nil }
        guard case .integer(let size)? = try reader.read("PRAGMA cache_size", [:]).rows.first?.first else { return nil }
        return String(size)
    }

    static func setPageCache(_ reader: any StoreReader, _ size: String) throws {
        _ = try reader.read("PRAGMA cache_size = \(size)", [:])
    }

    /// Column name (lower-cased: PostgreSQL folds names) → position.
    static func positions(_ names: [String]) -> [String: Int] {
        var out: [String: Int] = [:]
        for (i, name) in names.enumerated() where out[name.lowercased()] == nil { out[name.lowercased()] = i }
        return out
    }

    /// A text value registered with the writer, as `ValueConverter` writes text; -1 for NULL.
    /// `distinct`: the dimension's rows are distinct by this text (AdditionalInfo and the
    /// extra columns, one text column each, deduplicated by its 128-bit hash when loaded), so
    /// it is registered without a lookup (`registerDistinct`).
    static func register(_ cursor: any RowCursor, _ i: Int, column: Int, _ writer: ParquetFileWriter, distinct: Bool = false)
        -> Int32
    {
        func add(_ bytes: UnsafeBufferPointer<UInt8>) -> Int32 {
            distinct ? writer.registerDistinct(column, utf8: bytes) : writer.register(column, utf8: bytes)
        }
        switch cursor.kind(i) {
        case .null: return -1
        case .integer:
            var text = String(cursor.int64(i))
            return text.withUTF8 { add($0) }
        case .real:
            var text = String(cursor.double(i))
            return text.withUTF8 { add($0) }
        case .text, .blob:
            return cursor.withBytes(i) { add($0) }
        }
    }
}

/// The fact rows of a batch being gathered, as one value: the row closure then makes one
/// exclusive access per row (the variables it captured were checked at every use). What the
/// reading thread keeps from row to row (the last keys, the totals, the count) stays here;
/// the batch's values are the `payload`, handed to `FactFlusher` when full.
struct FactBatch {
    /// A batch's values: each fact column's, and each dimension's row per fact row (-1: none).
    struct Payload {
        var converters: [ValueConverter]
        /// Dimension `d`'s row for the batch's row `r` at `d * batchRows + r`: one array
        /// written in place (an append per dimension and row tested the array's uniqueness
        /// each time, 1.5 % of an export's samples).
        var rowsOf: [Int32]
        var rows = 0

        init(kinds: [ParquetColumnSpec.Kind], dimensions: Int) {
            converters = kinds.map(ValueConverter.init(kind:))
            rowsOf = Array(repeating: -1, count: dimensions * ParquetFileWriter.batchRows)
        }

        /// Hands the batch to the writer and closes its rows; the payload is left empty, its
        /// arrays' capacity kept for the next batch.
        mutating func flush(
            to writer: ParquetFileWriter, factColumns: [(column: Int, field: Int)], dimensions: [DimensionedExport.Rows],
            constants: DimensionedExport.Rows, zeros: [Int32]
        ) throws(ParquetError) {
            guard rows > 0 else { return }
            for k in 0..<converters.count { converters[k].flush(to: writer, at: factColumns[k].column) }
            for d in 0..<dimensions.count {
                let start = d * ParquetFileWriter.batchRows
                rowsOf.withUnsafeBufferPointer { all in
                    dimensions[d].append(batch: UnsafeBufferPointer(rebasing: all[start..<(start + rows)]), to: writer)
                }
            }
            if constants.width > 0 {
                zeros.withUnsafeBufferPointer { constants.append(batch: UnsafeBufferPointer(rebasing: $0[0..<rows]), to: writer) }
            }
            try writer.endRows(rows)
            rows = 0
        }
    }

    var payload: Payload
    let factColumns: [(column: Int, field: Int)]
    /// The three computed costs, when the last three converters take them (see `write`).
    let derived: DerivedCosts?
    /// The converters that read their cell: all but the computed costs'.
    let read: Int
    let dimensions: [DimensionedExport.Rows]
    let keyPositions: [Int]
    let money: Int?
    let currency: Int?
    /// Per dimension, the last key and its row: rows come in runs of one account or product.
    var lastKey: [Int64]
    var lastRow: [Int32]
    var totals = CurrencyTotals()
    /// Rows added, flushed or not.
    private(set) var count = 0

    /// A value that cannot be written as its column's type.
    struct Problem: Error {
        let column: Int
        let message: String
    }

    init(
        kinds: [ParquetColumnSpec.Kind], factColumns: [(column: Int, field: Int)], derived: DerivedCosts?,
        dimensions: [DimensionedExport.Rows], keyPositions: [Int], money: Int?, currency: Int?
    ) {
        payload = Payload(kinds: kinds, dimensions: dimensions.count)
        self.factColumns = factColumns
        self.derived = derived
        read = factColumns.count - (derived == nil ? 0 : DerivedCosts.outputs.count)
        self.dimensions = dimensions
        self.keyPositions = keyPositions
        self.money = money
        self.currency = currency
        lastKey = Array(repeating: Int64.min, count: dimensions.count)
        lastRow = Array(repeating: -1, count: dimensions.count)
    }

    mutating func add(_ cursor: any RowCursor) throws {
        // One exclusive access to the converters per row, not one per cell (each tested the
        // array's uniqueness: 4 % of an export's reading thread).
        let factColumns = factColumns
        let read = read
        let costs = try derived?.values(cursor)
        try payload.converters.withUnsafeMutableBufferPointer { converters in
            for k in 0..<read {
                do throws(ValueConverter.Problem) {
                    try converters[k].append(cursor, factColumns[k].field)
                } catch {
                    throw Problem(column: factColumns[k].column, message: error.message)
                }
            }
            if let costs {
                converters[read].append(number: costs.effective)
                converters[read + 1].append(number: costs.list)
                converters[read + 2].append(number: costs.contracted)
            }
        }
        let r = payload.rows
        precondition(r < ParquetFileWriter.batchRows && payload.rowsOf.count == dimensions.count * ParquetFileWriter.batchRows)
        try payload.rowsOf.withUnsafeMutableBufferPointer { rowsOf in
            for d in 0..<dimensions.count {
                let at = d * ParquetFileWriter.batchRows + r
                // A dimension the file takes nothing from (joined, or no column) is not looked at.
                guard dimensions[d].width > 0 else {
                    rowsOf[at] = -1
                    continue
                }
                // One call into the store per key (`number`), not a `kind` and an `int64` call.
                let key: Int64
                switch cursor.number(keyPositions[d]) {
                case .integer(let v): key = v
                case .null:
                    rowsOf[at] = -1
                    continue
                case .real, .other: key = cursor.int64(keyPositions[d])
                }
                if key != lastKey[d] {
                    guard let row = dimensions[d].row(of: key) else { throw DimensionedExport.SummaryMissesAKey() }
                    lastKey[d] = key
                    lastRow[d] = row
                }
                rowsOf[at] = lastRow[d]
            }
        }
        totals.add(cursor, money: money, currency: currency)
        count += 1
        payload.rows += 1
    }
}

extension DimensionedExport.Rows {
    /// The writer's columns this dimension fills.
    var width: Int { textColumns.count + otherColumns.count }

    /// Marks the columns no row fills (`emptyTexts`, `emptyOthers`), and builds `denseRowOf`
    /// when the keys span at most four times their number (or 1,024).
    mutating func index() {
        let textWidth = textColumns.count
        emptyTexts = (0..<textWidth).map { k in stride(from: k, to: handles.count, by: max(1, textWidth)).allSatisfy { handles[$0] < 0 } }
        let otherWidth = otherColumns.count
        emptyOthers = (0..<otherWidth).map { k in stride(from: k, to: cells.count, by: max(1, otherWidth)).allSatisfy { cells[$0] == nil } }
        // Keys may be anything a store numbers them with (PostgreSQL's are hashes): the span
        // is computed without overflowing.
        guard let low = rowOf.keys.min(), let high = rowOf.keys.max() else { return }
        let (span, overflow) = high.subtractingReportingOverflow(low)
        guard !overflow, span < Int64(max(1024, rowOf.count * 4)) else { return }
        firstKey = low
        denseRowOf = Array(repeating: -1, count: Int(span) + 1)
        for (key, row) in rowOf { denseRowOf[Int(key - low)] = row }
        // The array answers every lookup now: the table's memory (5 MB for AdditionalInfo's
        // 150,000 keys) is the export's, for the whole partition, if kept.
        rowOf = [:]
    }

    /// The dimension row of `key`, if the dimension has one.
    func row(of key: Int64) -> Int32? {
        if !denseRowOf.isEmpty {
            let offset = key &- firstKey
            guard offset >= 0 && offset < Int64(denseRowOf.count) else { return nil }
            let row = denseRowOf[Int(offset)]
            return row < 0 ? nil : row
        }
        return rowOf[key]
    }

    /// Appends a batch of fact rows' dimension rows (`rows[r]`, -1 where the fact row has
    /// none: NULLs) to the writer's columns, column by column.
    func append(batch: UnsafeBufferPointer<Int32>, to writer: ParquetFileWriter) {
        let width = textColumns.count
        handles.withUnsafeBufferPointer { handles in
            for (k, column) in textColumns.enumerated() {
                if k < emptyTexts.count && emptyTexts[k] {
                    writer.appendNulls(Int(column), count: batch.count)
                } else {
                    writer.append(Int(column), registered: handles, width: width, field: k, rows: batch)
                }
            }
        }
        // The other columns a batch at a time too (a call per cell was three exclusivity
        // checks of the writer's column each): one column's values and flags gathered, then
        // appended as its kind, which `ValueConverter.number` converted its cells to.
        let n = batch.count
        var flags = [UInt8](repeating: 0, count: n)
        var days = [Int32](repeating: 0, count: n)
        var wholes = [Int64](repeating: 0, count: n)
        var doubles = [Double](repeating: 0, count: n)
        for (k, column) in otherColumns.enumerated() {
            if k < emptyOthers.count && emptyOthers[k] {
                writer.appendNulls(column, count: n)
                continue
            }
            for (r, row) in batch.enumerated() {
                let cell = row < 0 ? nil : cells[Int(row) * otherColumns.count + k]
                flags[r] = cell == nil ? 0 : 1
                switch cell {
                case nil: break
                case .days(let v): days[r] = v
                case .double(let v): doubles[r] = v
                case .whole(let v): wholes[r] = v
                }
            }
            flags.withUnsafeBufferPointer { defined in
                switch otherKinds[k] {
                case .date: days.withUnsafeBufferPointer { writer.append(column, days: $0, defined: defined) }
                case .double: doubles.withUnsafeBufferPointer { writer.append(column, doubles: $0, defined: defined) }
                case .int64, .timestamp: wholes.withUnsafeBufferPointer { writer.append(column, int64s: $0, defined: defined) }
                case .string: preconditionFailure("a dimension's text goes through its registered values")
                }
            }
        }
    }
}
