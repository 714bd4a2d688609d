/// The rows a query returned, with their column names, whatever the store's engine.
package struct ResultTable: Sendable {
    package let columns: [String]
    package let rows: [[StoreValue]]

    package init(columns: [String], rows: [[StoreValue]]) {
        self.columns = columns
        self.rows = rows
    }

    /// Row `row`'s value of the column named `column` (NULL when there is no such column).
    package func value(_ row: Int, _ column: String) -> StoreValue {
        guard let i = columns.firstIndex(of: column) else { return .null }
        return rows[row][i]
    }
}
