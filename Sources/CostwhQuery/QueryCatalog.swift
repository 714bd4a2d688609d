import CostwhLoad

/// The listing behind `costwh query --list`.
package enum QueryCatalog {
    package static func listing() -> ResultTable {
        ResultTable(
            columns: ["Name", "Description", "Parameters"],
            rows: CannedQuery.all.map {
                [
                    .text($0.name), .text($0.description),
                    .text($0.parameters.joined(separator: ", ")),
                ]
            })
    }
}
