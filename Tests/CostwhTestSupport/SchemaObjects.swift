import GRDB

/// The `sqlite_master` entries of a database, comments and whitespace folded away.
package func schemaObjects(_ db: Database) throws -> [String: String] {
    var out: [String: String] = [:]
    for row in try Row.fetchAll(
        db,
        sql:
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'grdb_%' AND name NOT LIKE 'sqlite_%'"
    ) {
        out["\(row["type"] as String) \(row["name"] as String)"] = normaliseSQL(row["sql"])
    }
    return out
}

package func normaliseSQL(_ sql: String) -> String {
    sql.split(separator: "\n").map { line -> Substring in
        if let range = line.range(of: "--") { return line[..<range.lowerBound] }
        return line
    }.joined(separator: " ").split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        .replacingOccurrences(of: "( ", with: "(").replacingOccurrences(of: " )", with: ")")
        // ALTER TABLE … ADD COLUMN stores the new column as `\n, Name TYPE`.
        .replacingOccurrences(of: " ,", with: ",")
}
