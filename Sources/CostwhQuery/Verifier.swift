import CostwhLoad
import GRDB

/// One check of `costwh verify`.
public struct VerificationCheck: Sendable {
    public let check: String
    public let scope: String
    public let period: String
    public let metric: String
    public let passed: Bool
    public let detail: String
}

/// Checks that every loaded partition is what its ledger says, and that the two metrics
/// describe the same usage.
public struct Verifier: Sendable {
    public let database: CostDatabase
    /// Money tolerance for comparing the metrics, in the billing currency.
    public let tolerance: Double

    public init(database: CostDatabase, tolerance: Double = 0.01) {
        self.database = database
        self.tolerance = tolerance
    }

    public func run(scope: String?, from: String, to: String) throws(QueryError) -> [VerificationCheck] {
        do {
            return try database.pool.read { db in try checks(db, scope: scope, from: from, to: to) }
        } catch let error as QueryError {
            throw error
        } catch {
            throw .database(String(describing: error))
        }
    }

    private func checks(_ db: Database, scope: String?, from: String, to: String) throws -> [VerificationCheck] {
        var out: [VerificationCheck] = []
        let partitions = try Row.fetchAll(
            db,
            sql: """
                SELECT p.Scope, p.BillingPeriod, p.Metric, p.LoadId, p.FirstRowId, p.LastRowId, p.RowCount, p.CostTotal,
                       l.RowsRead, l.RowsLoaded, l.RowsRejected, l.CostTotal AS LedgerCost
                FROM partitions p JOIN loads l ON l.LoadId = p.LoadId
                WHERE (:scope IS NULL OR p.Scope = :scope) AND p.BillingPeriod BETWEEN :from AND :to
                ORDER BY p.Scope, p.BillingPeriod, p.Metric
                """,
            arguments: ["scope": scope, "from": from, "to": to])
        for p in partitions {
            let s: String = p["Scope"], period: String = p["BillingPeriod"], metric: String = p["Metric"]
            func add(_ check: String, _ passed: Bool, _ detail: String) {
                out.append(
                    VerificationCheck(
                        check: check, scope: s, period: period, metric: metric, passed: passed, detail: detail))
            }
            let read: Int = p["RowsRead"] ?? 0, loaded: Int = p["RowsLoaded"] ?? 0,
                rejected: Int = p["RowsRejected"] ?? 0
            add(
                "rows read = loaded + rejected", read == loaded + rejected,
                "\(read) read, \(loaded) loaded, \(rejected) rejected")

            let fact = try Row.fetchOne(
                db,
                sql:
                    "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS cost FROM cost_fact WHERE rowid BETWEEN ? AND ?",
                arguments: [p["FirstRowId"], p["LastRowId"]])!
            let rows: Int = fact["n"], cost: Double = fact["cost"]
            let ledgerCost: Double = p["LedgerCost"] ?? 0
            add(
                "rows in the table = ledger", rows == loaded && rows == (p["RowCount"] as Int),
                "\(rows) rows in cost_details, ledger \(loaded)")
            add(
                "ledger cost = sum in cost_details", Verifier.close(cost, ledgerCost),
                "sum \(Verifier.money(cost)), ledger \(Verifier.money(ledgerCost))")

            let summary =
                try Double.fetchOne(
                    db, sql: "SELECT TOTAL(Cost) FROM summary_daily WHERE LoadId = ?", arguments: [p["LoadId"]]) ?? 0
            add(
                "summaries = rows", Verifier.close(summary, cost),
                "summary \(Verifier.money(summary)), rows \(Verifier.money(cost))")

            if metric == "AmortizedCost" {
                let purchases =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT TOTAL(Rows) FROM summary_daily WHERE LoadId = ? AND ChargeType IN ('Purchase', 'Refund')
                                AND PricingModel IN ('Reservation', 'SavingsPlan')
                            """, arguments: [p["LoadId"]]) ?? 0
                add(
                    "no commitment purchases in amortized", purchases == 0,
                    "\(purchases) Reservation/SavingsPlan Purchase or Refund rows")
            } else {
                let unused =
                    try Int.fetchOne(
                        db,
                        sql:
                            "SELECT TOTAL(Rows) FROM summary_daily WHERE LoadId = ? AND ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan')",
                        arguments: [p["LoadId"]]) ?? 0
                add("no Unused rows in actual", unused == 0, "\(unused) UnusedReservation/UnusedSavingsPlan rows")
            }
        }
        let compared = try Row.fetchAll(
            db,
            sql: """
                SELECT Scope, BillingPeriod, Currency, Other FROM cost_comparison_totals
                WHERE (:scope IS NULL OR Scope = :scope) AND BillingPeriod BETWEEN :from AND :to
                ORDER BY Scope, BillingPeriod, Currency
                """,
            arguments: ["scope": scope, "from": from, "to": to])
        for row in compared {
            let other: Double = row["Other"]
            let currency: String = row["Currency"] ?? ""
            out.append(
                VerificationCheck(
                    check: "on-demand, spot and marketplace agree", scope: row["Scope"], period: row["BillingPeriod"],
                    metric: "both",
                    passed: abs(other) <= tolerance,
                    detail: abs(other) <= tolerance
                        ? "amortized − actual is explained by commitments (\(currency))"
                        : "they differ by \(Verifier.money(other)) \(currency): the two loads do not describe the same usage (loaded at different times?)"
                ))
        }
        return out
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= 1e-6 * max(1, abs(a), abs(b))
    }

    static func money(_ v: Double) -> String {
        TableFormatter.formatNumber(v)
    }

    public static func table(_ checks: [VerificationCheck]) -> ResultTable {
        ResultTable(
            columns: ["Result", "Check", "Scope", "BillingPeriod", "Metric", "Detail"],
            rows: checks.map {
                [
                    ($0.passed ? "ok" : "FAIL").databaseValue, $0.check.databaseValue, $0.scope.databaseValue,
                    $0.period.databaseValue,
                    $0.metric.databaseValue, $0.detail.databaseValue,
                ]
            })
    }
}
