import CostwhModel
import CostwhSynthetic
import Foundation

/// What every figure needs: the options, the binaries it measures and compares with, the
/// scopes and month of the synthetic data, and where its files go.
package struct Bench: Sendable {
    package let options: BenchOptions
    /// The costwh binary measured (the one beside the benchmark).
    package let costwh: String
    /// The sqlite3 shell, for `.import` and analysts' SQL; figures that need it are skipped without.
    package let sqlite3: String?
    package let eaScope: Scope
    package let mcaScope: Scope
    package let period: BillingPeriod

    package init(options: BenchOptions, costwh: String) throws(BenchError) {
        guard FileManager.default.isExecutableFile(atPath: costwh) else {
            throw BenchError("build costwh first (swift build -c release --product costwh): no \(costwh)")
        }
        self.options = options
        self.costwh = costwh
        sqlite3 = Processes.find(["/usr/bin/sqlite3", "/usr/local/bin/sqlite3"])
        do {
            eaScope = try Scope(parsing: "/providers/Microsoft.Billing/billingAccounts/8611537")
            mcaScope = try Scope(
                parsing:
                    "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB"
            )
            period = try BillingPeriod(parsing: "2026-10")
        } catch {
            throw BenchError("the benchmark's own scopes do not parse: \(error)")
        }
        do {
            try FileManager.default.createDirectory(atPath: options.work, withIntermediateDirectories: true)
        } catch {
            throw BenchError("cannot create the work folder \(options.work): \(error.localizedDescription)")
        }
    }

    package func path(_ name: String) -> String { options.work + "/" + name }

    /// Prints a figure's line.
    package func report(_ figure: Figure) { print(figure.line) }

    /// Progress on stderr, so stdout holds only the figures.
    package func log(_ message: String) {
        FileHandle.standardError.write(Data("· \(message)\n".utf8))
    }

    /// A synthetic cost file of `rows` rows for `scope` (`metric`), kept in the work folder and
    /// reused while its row count matches.
    package func generate(
        _ scope: Scope, rows: Int, name: String, resources: Int = 20_000, period: BillingPeriod? = nil,
        metric: Metric = .actualCost, keep: Bool = true
    ) throws(BenchError) -> String {
        let path = path(name)
        if keep && Processes.fileSize(path) > 0
            && (try? String(contentsOfFile: path + ".rows", encoding: .utf8)) == String(rows)
        {
            return path
        }
        let start = Processes.now()
        let month = SyntheticMonth(
            estate: SyntheticEstate(scope: scope, resources: resources), period: period ?? self.period, rows: rows)
        do {
            let size = try CostCSVWriter(month: month).write(metric, toFile: path)
            if keep {
                try String(rows).write(toFile: path + ".rows", atomically: true, encoding: .utf8)
                log(
                    String(format: "generated %@: %.0f MB in %.1f s", name, Double(size) / 1e6, Processes.now() - start)
                )
            }
        } catch {
            throw BenchError("cannot write \(path): \(error)")
        }
        return path
    }

    /// `costwh load` of a file into `db` as one month's actual cost of `scope`.
    package func loadArgs(
        _ db: String, _ file: String, _ scope: Scope, period: BillingPeriod? = nil, metric: Metric = .actualCost
    ) -> [String] {
        [
            costwh, "load", file, "--scope", scope.id, "--period", (period ?? self.period).description, "--metric",
            metric.rawValue, "--db", db,
        ]
    }

    /// Times `sqlite3 .import` of `file` into a fresh all-TEXT table; nil without sqlite3.
    package func sqliteImport(_ file: String) throws(BenchError) -> Double? {
        guard let sqlite3 else { return nil }
        let db = path("import.sqlite")
        Processes.removeDatabase(db)
        defer { Processes.removeDatabase(db) }
        let script = path("import.sql")
        do {
            try ".mode csv\n.import \(file) cost\n".write(toFile: script, atomically: true, encoding: .utf8)
        } catch {
            throw BenchError("cannot write \(script): \(error)")
        }
        return try Processes.run([sqlite3, db], "sqlite3 .import", stdin: script).seconds
    }
}
