import GRDB

/// The listing behind `costwh query --list`.
public enum QueryCatalog {
    public static func listing() -> ResultTable {
        ResultTable(
            columns: ["Name", "Description", "Parameters"],
            rows: CannedQuery.all.map {
                [
                    $0.name.databaseValue, $0.description.databaseValue,
                    $0.parameters.joined(separator: ", ").databaseValue,
                ]
            })
    }
}
