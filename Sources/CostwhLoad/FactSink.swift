import CostwhModel
import CostwhTransform
import GRDB

/// Writes normalised rows into `cost_fact`, resolving their dimension keys.
final class FactSink {
    /// The rowids of the first and last rows written: a load's rows are contiguous.
    private(set) var firstRowId: Int64?
    private(set) var lastRowId: Int64?
    private let statement: UncheckedStatement
    private let dimensions: [(writer: DimensionWriter, first: Int)]
    private let tags: DimensionWriter
    private let info: DimensionWriter
    private let extra: DimensionWriter
    private let db: Database
    private let factColumns: [(column: Int, type: CanonicalColumn.ValueType)]
    let currencyColumn = Catalog.index[Catalog.currency]!
    private let tagsColumn = Catalog.index[Catalog.tags]!
    private let infoColumn = Catalog.index[Catalog.additionalInfo]!
    private let extraSlot = UnsafeMutablePointer<ByteSlice>.allocate(capacity: 1)
    let summaries = SummaryBuilder()
    private let dateColumn = Catalog.index[Catalog.date]!
    private let chargeTypeColumn = Catalog.index[Catalog.chargeType]!
    private let pricingModelColumn = Catalog.index[Catalog.pricingModel]!

    /// The fact columns in INSERT order: the fixed ones, then the catalog's other fact columns.
    static let leadingColumns = ["SourcePart", "SourceLine"]
    static let keyColumns = ["AccountKey", "ResourceKey", "ProductKey", "TagsKey", "InfoKey", "ExtraKey"]
    static var insertColumns: [String] {
        leadingColumns + Catalog.factColumns.map { Catalog.columns[$0].name } + keyColumns
    }

    init(_ db: Database) throws {
        self.db = db
        var dims: [(DimensionWriter, Int)] = []
        for dimension in [Dimension.account, .resource, .product] {
            let columns = Catalog.columns(in: dimension)
            // The writer reads a dimension's values as one run of the values array.
            precondition(columns == Array(columns.first!...columns.last!), "dimension columns must be contiguous")
            dims.append((try DimensionWriter(db, dimension: dimension, columns: columns.map { Catalog.columns[$0].name }, validatesJSON: false), columns.first!))
        }
        dimensions = dims
        tags = try DimensionWriter(db, dimension: .tags, columns: [Catalog.tags], validatesJSON: true)
        info = try DimensionWriter(db, dimension: .info, columns: [Catalog.additionalInfo], validatesJSON: true)
        extra = try DimensionWriter(db, dimension: .extra, columns: [Catalog.extraColumns], validatesJSON: false)
        factColumns = Catalog.factColumns.map { ($0, Catalog.columns[$0].type) }
        let columns = FactSink.insertColumns
        statement = try UncheckedStatement(
            db,
            sql: "INSERT INTO cost_fact (\(columns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))")
    }

    deinit { extraSlot.deallocate() }

    /// Inserts the normaliser's current row; returns why it was refused, or nil.
    @inline(__always)
    func insert(_ row: RowNormaliser, part: Int, line: Int) throws -> String? {
        let values = UnsafePointer(row.values)
        var keys: (Int64?, Int64?, Int64?, Int64?, Int64?, Int64?) = (nil, nil, nil, nil, nil, nil)
        keys.0 = try dimensions[0].writer.key(values + dimensions[0].first, db)
        keys.1 = try dimensions[1].writer.key(values + dimensions[1].first, db)
        keys.2 = try dimensions[2].writer.key(values + dimensions[2].first, db)
        keys.3 = try tags.key(values + tagsColumn, db)
        if keys.3 == DimensionWriter.invalid { return "Tags: expected a JSON object (or its members without braces), found `\(preview(values[tagsColumn]))`" }
        keys.4 = try info.key(values + infoColumn, db)
        if keys.4 == DimensionWriter.invalid { return "AdditionalInfo: expected a JSON object, found `\(preview(values[infoColumn]))`" }
        extraSlot.pointee = row.extra
        keys.5 = try extra.key(extraSlot, db)

        statement.bind(1, int: Int64(part))
        statement.bind(2, int: Int64(line))
        var index: Int32 = 3
        for (column, type) in factColumns {
            if type == .real {
                statement.bind(index, double: row.reals[column])
            } else {
                let v = values[column]
                statement.bind(index, text: v.base, count: v.count)
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
        summaries.add(
            date: values[dateColumn], currency: values[currencyColumn], chargeType: values[chargeTypeColumn],
            pricingModel: values[pricingModelColumn], cost: row.cost, keys: (keys.0, keys.1, keys.2, keys.3))
        return nil
    }

    private func preview(_ slice: ByteSlice) -> String {
        let text = slice.string ?? ""
        return text.count > 80 ? String(text.prefix(80)) + "…" : text
    }
}
