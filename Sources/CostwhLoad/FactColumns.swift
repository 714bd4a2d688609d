import CostwhModel

/// The columns of a fact row as both engines write them (SQLite's INSERT, PostgreSQL's COPY):
/// where the row came from, the catalog's fact columns, then its dimension keys in
/// `HashedDimension` order.
package enum FactColumns {
    package static let leading = ["SourcePart", "SourceLine"]
    package static let keys = ["AccountKey", "ResourceKey", "ProductKey", "TagsKey", "InfoKey", "ExtraKey"]
    package static var inInsertOrder: [String] {
        leading + Catalog.factColumns.map { Catalog.columns[$0].name } + keys
    }
}
