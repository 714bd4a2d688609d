import CostwhLoad
import GRDB

/// The rows a query returned, with their column names.
public struct ResultTable: Sendable {
    public let columns: [String]
    public let rows: [[DatabaseValue]]

    public init(columns: [String], rows: [[DatabaseValue]]) {
        self.columns = columns
        self.rows = rows
    }
}
