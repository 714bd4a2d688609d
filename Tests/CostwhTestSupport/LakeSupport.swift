import CostwhLoad
import CostwhPipeline
import Foundation

/// A Parquet lake (`costwh export`) checked against its warehouse with the readers analysts
/// use: pyarrow and DuckDB value for value (scripts/lake-check.py), Spark for the totals
/// (scripts/lake-spark.py).
package enum LakeCheck {
    /// The warehouse's rows of `view` as JSON lines, one object per row.
    package static func dump(_ location: String, view: String, to path: String) throws {
        let store = try DatabaseLocation.openForReading(location)
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? out.close() }
        try store.reading { reader in
            try reader.forEachPage("SELECT * FROM \(view)", [:], pageSize: 4096) { page in
                var chunk = Data()
                for row in page.rows {
                    var object: [String: Any] = [:]
                    for (name, value) in zip(page.columns, row) {
                        switch value {
                        case .null: object[name] = NSNull()
                        case .integer(let v): object[name] = NSNumber(value: v)
                        case .real(let v): object[name] = v
                        case .text(let v): object[name] = v
                        case .blob(let v): object[name] = String(decoding: v, as: UTF8.self)
                        }
                    }
                    chunk.append(try JSONSerialization.data(withJSONObject: object))
                    chunk.append(0x0A)
                }
                try out.write(contentsOf: chunk)
            }
        }
    }

    /// Runs lake-check.py; returns its status and output.
    package static func check(lake: String, dataset: String, location: String, keys: [String], scratch: TempDir)
        throws -> (status: Int32, output: String)
    {
        let expect = scratch.path("\(dataset).jsonl")
        try dump(location, view: dataset, to: expect)
        return try TestPython.run(script: "lake-check.py", [lake, dataset, expect, keys.joined(separator: ",")])
    }

    /// The key of a cost-details row: its partition and where it came from.
    package static let costKeys = ["Scope", "BillingPeriod", "Metric", "SourcePart", "SourceLine"]

    /// The warehouse's rows and cost per scope, period, metric and currency.
    package static func totals(_ location: String) throws -> [String: (rows: Int, cost: Double)] {
        let store = try DatabaseLocation.openForReading(location)
        let table = try store.reading { reader in
            try reader.read(
                """
                SELECT Scope, BillingPeriod, Metric, BillingCurrency, COUNT(*) AS n, SUM(CostInBillingCurrency) AS cost
                FROM cost_details GROUP BY Scope, BillingPeriod, Metric, BillingCurrency
                """, [:])
        }
        var out: [String: (rows: Int, cost: Double)] = [:]
        for i in table.rows.indices {
            let key = ["Scope", "BillingPeriod", "Metric", "BillingCurrency"].map { table.value(i, $0).string ?? "" }
                .joined(separator: "|")
            out[key] = (table.value(i, "n").int ?? -1, table.value(i, "cost").double ?? .nan)
        }
        return out
    }

    /// What is wrong with Spark's reading of the lake, against the warehouse's totals.
    package static func sparkProblems(lake: String, location: String) throws -> [String] {
        let run = try TestPython.run(script: "lake-spark.py", [lake])
        guard run.status == 0, let marker = run.output.range(of: "LAKE-SPARK ", options: .backwards),
            let line = run.output[marker.upperBound...].split(separator: "\n").first,
            let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return ["Spark failed (\(run.status)): \(run.output.suffix(3000))"] }
        let want = try totals(location)
        var problems: [String] = []
        let rows = report["totals"] as? [[String: Any]] ?? []
        if rows.count != want.count { problems.append("Spark sees \(rows.count) groups, the warehouse \(want.count)") }
        for row in rows {
            let key = ["Scope", "BillingPeriod", "Metric", "BillingCurrency"].map { row[$0] as? String ?? "" }
                .joined(separator: "|")
            guard let expected = want[key] else {
                problems.append("Spark has a group the warehouse does not: \(key)")
                continue
            }
            let count = (row["rows"] as? Int) ?? -1
            let cost = (row["cost"] as? Double) ?? .nan
            if count != expected.rows || abs(cost - expected.cost) > 1e-6 * max(1, abs(expected.cost)) {
                problems.append("\(key): Spark \(count) rows \(cost), warehouse \(expected.rows) rows \(expected.cost)")
            }
        }
        if (report["difference"] as? [Any])?.isEmpty != false { problems.append("Spark found no subscriptions") }
        return problems
    }

    /// Every file the manifest names exists with its size; returns what does not.
    package static func manifestProblems(_ lake: String) -> [String] {
        guard let manifest = LakeManifest.read(URL(fileURLWithPath: lake)) else { return ["no manifest in \(lake)"] }
        var problems: [String] = []
        for partition in manifest.partitions {
            for file in partition.files {
                let path = (lake as NSString).appendingPathComponent(file.path)
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
                if size != file.bytes { problems.append("\(file.path): \(size.map(String.init) ?? "missing"), manifest \(file.bytes)") }
            }
        }
        return problems
    }
}
