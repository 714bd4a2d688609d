import CostwhLoad
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// A file that looks like costwh's own export (LoadId, SourcePart, SourceLine and
/// ExtraColumns) has its ExtraColumns object taken back as the row's extras; whatever else a
/// hostile file puts there is kept as a field of its own, never spliced in as broken JSON.
@Suite struct ExportedFileTests {
    @Test func extraColumnsComeBackOnlyAsValidObjects() throws {
        let dir = TempDir()
        let cells = [
            #""{""team"":""a"",""n"":1}""#, "not json", #""{""broken"":""#, "", #""{""nested"":{""x"":[1,2]}}""#, "{}",
            #""{""a"":1}, ""b"":2}""#,
        ]
        var text = "Date,CostInBillingCurrency,BillingCurrency,LoadId,SourcePart,SourceLine,ExtraColumns\n"
        for (i, cell) in cells.enumerated() { text += "2023-09-0\(i + 1),\(i + 1),USD,7,0,\(i + 2),\(cell)\n" }
        let db = dir.path("w.sqlite")
        try loadFile(db, dir.write("exported.csv", text))
        let stored = try rows(db, sql: "SELECT ExtraColumns AS x, json_valid(ExtraColumns) AS ok FROM cost_details ORDER BY Date")
        #expect(stored.count == cells.count)
        let values = stored.map { $0["x"] as String? }
        #expect(values[0] == #"{"team":"a","n":1}"#, "\(values)")
        #expect(values[1] == #"{"ExtraColumns":"not json"}"#, "\(values)")
        #expect(values[2] == #"{"ExtraColumns":"{\"broken\":"}"#, "\(values)")
        #expect(values[3] == nil, "\(values)")
        #expect(values[4] == #"{"nested":{"x":[1,2]}}"#, "\(values)")
        #expect(values[5] == #"{"ExtraColumns":"{}"}"#, "\(values)")
        #expect(values[6]?.hasPrefix(#"{"ExtraColumns":"#) == true, "\(values)")
        // Every stored value is JSON SQLite can read; the provenance columns went nowhere.
        #expect(stored.allSatisfy { ($0["x"] as String?) == nil || ($0["ok"] as Int) == 1 })
        #expect(values.allSatisfy { !($0 ?? "").contains("SourceLine") })
    }
}
