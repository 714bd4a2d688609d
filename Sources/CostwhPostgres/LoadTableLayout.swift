import CostwhLoad

/// The order of a load's table's columns on disk (`cost_fact_l<N>`).
///
/// A load's table has `cost_fact`'s columns, but PostgreSQL matches a partition's columns to
/// its parent's by name, so their order on disk may differ. A text column between two 8-byte
/// numbers leaves up to 7 bytes of alignment padding in every row. In `cost_fact`'s order
/// there are two such gaps (`PricingModel` before `CostInBillingCurrency`, `BillingCurrency`
/// before `Quantity`), 9 bytes in a typical EA row. A load's table keeps the parent's order
/// but moves every text column up behind the first one, which leaves one gap: the
/// benchmark's month is 3.9 % smaller, and reading it is no slower, since the text columns
/// stay near the row's start (#31 §4, docs/PERFORMANCE.md). Putting every text column last
/// would save as much but made a ChargeType question 15 % slower: a row is decoded up to the
/// last column a query reads.
package struct LoadTableLayout {
    package struct Column: Equatable, Sendable {
        /// Quoted by the server (`quote_ident`).
        package var name: String
        /// As the server writes it (`format_type`).
        package var type: String
        package var notNull: Bool
        /// Quoted, when it is not the type's default.
        package var collation: String?
        /// A varlena (text): its bytes need no alignment, but the next number does.
        package var variableWidth: Bool

        package init(name: String, type: String, notNull: Bool, collation: String?, variableWidth: Bool) {
            self.name = name
            self.type = type
            self.notNull = notNull
            self.collation = collation
            self.variableWidth = variableWidth
        }
    }

    /// `cost_fact`'s columns in its order, without BillingPeriod: a load's table gets that
    /// column after its rows are copied, as a default kept in the catalog.
    package static let catalogSQL = """
        SELECT quote_ident(a.attname), format_type(a.atttypid, a.atttypmod), a.attnotnull,
            CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(c.collname) END, t.typlen = -1
        FROM pg_attribute a
        JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_collation c ON c.oid = a.attcollation
        WHERE a.attrelid = 'cost_fact'::regclass AND a.attnum > 0 AND NOT a.attisdropped
            AND a.attname <> 'billingperiod'
        ORDER BY a.attnum
        """

    package static func columns(_ result: ResultTable) -> [Column] {
        result.rows.compactMap { row in
            guard row.count == 5, let name = row[0].string, let type = row[1].string else { return nil }
            return Column(
                name: name, type: type, notNull: row[2].int == 1, collation: row[3].string,
                variableWidth: row[4].int == 1)
        }
    }

    /// The parent's order, with every text column after the first moved up behind it.
    package static func ordered(_ columns: [Column]) -> [Column] {
        guard let first = columns.firstIndex(where: \.variableWidth) else { return columns }
        let rest = columns[first...]
        return Array(columns[..<first]) + rest.filter(\.variableWidth) + rest.filter { !$0.variableWidth }
    }

    /// The load's table, with the CHECK that lets ATTACH skip its scan.
    package static func createSQL(table: String, loadId: Int64, columns: [Column]) -> String {
        let definitions = ordered(columns).map { column in
            column.name + " " + column.type + (column.collation.map { " COLLATE " + $0 } ?? "")
                + (column.notNull ? " NOT NULL" : "")
        }
        return "CREATE TABLE \(table) (\(definitions.joined(separator: ", ")), "
            + "CONSTRAINT \(table)_load CHECK (LoadId = \(loadId)))"
    }
}
