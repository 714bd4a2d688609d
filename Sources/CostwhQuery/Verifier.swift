import CostwhLoad

/// One check of `costwh verify`.
package struct VerificationCheck: Sendable {
    package let check: String
    package let scope: String
    package let period: String
    package let metric: String
    package let passed: Bool
    package let detail: String
}

/// Checks that every loaded partition is what its ledger says, and that the two metrics
/// describe the same usage.
package struct Verifier: Sendable {
    let store: any StoreReading
    /// Money tolerance for comparing the metrics, in the billing currency.
    package let tolerance: Double

    package init(store: any StoreReading, tolerance: Double = 0.01) {
        self.store = store
        self.tolerance = tolerance
    }

    package func run(scope: String?, from: String, to: String) throws(QueryError) -> [VerificationCheck] {
        do {
            // One snapshot for every check, so a load committing meanwhile cannot make them disagree.
            return try store.reading { reader in try checks(reader, scope: scope, from: from, to: to) }
        } catch let error as QueryError {
            throw error
        } catch {
            throw .database(String(describing: error))
        }
    }

    private func checks(_ db: any StoreReader, scope: String?, from: String, to: String) throws -> [VerificationCheck] {
        var out: [VerificationCheck] = []
        let window: [String: StoreValue] = ["scope": StoreValue(scope), "from": .text(from), "to": .text(to)]
        let partitions = try db.read(
            """
            SELECT p.Scope, p.BillingPeriod, p.Metric, p.LoadId, p.FirstRowId, p.LastRowId, p.RowCount, p.CostTotal,
                   l.RowsRead, l.RowsLoaded, l.RowsRejected, l.CostTotal AS LedgerCost
            FROM partitions p JOIN loads l ON l.LoadId = p.LoadId
            WHERE (:scope IS NULL OR p.Scope = :scope) AND p.BillingPeriod BETWEEN :from AND :to
            ORDER BY p.Scope, p.BillingPeriod, p.Metric
            """, window)
        for i in partitions.rows.indices {
            func p(_ column: String) -> StoreValue { partitions.value(i, column) }
            let s = p("Scope").string ?? "", period = p("BillingPeriod").string ?? "", metric = p("Metric").string ?? ""
            func add(_ check: String, _ passed: Bool, _ detail: String) {
                out.append(
                    VerificationCheck(
                        check: check, scope: s, period: period, metric: metric, passed: passed, detail: detail))
            }
            let read = p("RowsRead").int ?? 0, loaded = p("RowsLoaded").int ?? 0, rejected = p("RowsRejected").int ?? 0
            add(
                "rows read = loaded + rejected", read == loaded + rejected,
                "\(read) read, \(loaded) loaded, \(rejected) rejected")

            // The partition's rows as stored, not through the view.
            let fact = try db.read(
                db.dialect == .sqlite
                    ? "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS cost FROM cost_fact WHERE rowid BETWEEN :first AND :last"
                    : "SELECT COUNT(*) AS n, TOTAL(CostInBillingCurrency) AS cost FROM cost_fact WHERE LoadId = :load",
                ["first": p("FirstRowId"), "last": p("LastRowId"), "load": p("LoadId")])
            let rows = fact.value(0, "n").int ?? 0, cost = fact.value(0, "cost").double ?? 0
            let ledgerCost = p("LedgerCost").double ?? 0
            add(
                "rows in the table = ledger", rows == loaded && rows == p("RowCount").int,
                "\(rows) rows in cost_details, ledger \(loaded)")
            add(
                "ledger cost = sum in cost_details", Verifier.close(cost, ledgerCost),
                "sum \(Verifier.money(cost)), ledger \(Verifier.money(ledgerCost))")

            let summary =
                try db.read("SELECT TOTAL(Cost) AS c FROM summary_daily WHERE LoadId = :load", ["load": p("LoadId")])
                .value(0, "c").double ?? 0
            add(
                "summaries = rows", Verifier.close(summary, cost),
                "summary \(Verifier.money(summary)), rows \(Verifier.money(cost))")

            if metric == "AmortizedCost" {
                let purchases =
                    try db.read(
                        """
                        SELECT TOTAL(Rows) AS n FROM summary_daily WHERE LoadId = :load AND ChargeType IN ('Purchase', 'Refund')
                            AND PricingModel IN ('Reservation', 'SavingsPlan')
                        """, ["load": p("LoadId")]
                    ).value(0, "n").int ?? 0
                add(
                    "no commitment purchases in amortized", purchases == 0,
                    "\(purchases) Reservation/SavingsPlan Purchase or Refund rows")
            } else {
                let unused =
                    try db.read(
                        "SELECT TOTAL(Rows) AS n FROM summary_daily WHERE LoadId = :load AND ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan')",
                        ["load": p("LoadId")]
                    ).value(0, "n").int ?? 0
                add("no Unused rows in actual", unused == 0, "\(unused) UnusedReservation/UnusedSavingsPlan rows")
            }
        }
        let compared = try db.read(
            """
            SELECT Scope, BillingPeriod, Currency, Other FROM cost_comparison_totals
            WHERE (:scope IS NULL OR Scope = :scope) AND BillingPeriod BETWEEN :from AND :to
            ORDER BY Scope, BillingPeriod, Currency
            """, window)
        for i in compared.rows.indices {
            let other = compared.value(i, "Other").double ?? 0
            let currency = compared.value(i, "Currency").string ?? ""
            out.append(
                VerificationCheck(
                    check: "on-demand, spot and marketplace agree", scope: compared.value(i, "Scope").string ?? "",
                    period: compared.value(i, "BillingPeriod").string ?? "",
                    metric: "both",
                    passed: abs(other) <= tolerance,
                    detail: abs(other) <= tolerance
                        ? "amortized − actual is explained by commitments (\(currency))"
                        : "they differ by \(Verifier.money(other)) \(currency): the two loads do not describe the same usage (loaded at different times?)"
                ))
        }
        out += try balanceChecks(db, window: window)
        return out
    }

    /// The balance tolerance: invoices round each charge to the cent, the warehouse adds up
    /// rows of many decimals, so a difference below 0.05 % of the charges (or 0.05) is none.
    static func balanceTolerance(_ amount: Double) -> Double { max(0.05, 0.0005 * abs(amount)) }

    /// EA billing periods whose balance summary is loaded: the actual cost of the billing
    /// account's partition against the balance's charges. Azure usage and purchases (every row
    /// but marketplace) against Utilized + ServiceOverage + ChargesBilledSeparately; marketplace
    /// rows (or, when the cost details have none, the marketplace charges dataset) against
    /// AzureMarketplaceServiceCharges.
    private func balanceChecks(_ db: any StoreReader, window: [String: StoreValue]) throws -> [VerificationCheck] {
        let balances = try db.read(
            """
            SELECT b.Scope, b.BillingPeriod, b.Currency,
                COALESCE(b.Utilized, 0) + COALESCE(b.ServiceOverage, 0) + COALESCE(b.ChargesBilledSeparately, 0) AS AzureCharges,
                COALESCE(b.AzureMarketplaceServiceCharges, 0) AS MarketplaceCharges,
                (SELECT TOTAL(c.CostInBillingCurrency) FROM cost_details c
                 WHERE c.Scope = b.Scope AND c.BillingPeriod = b.BillingPeriod AND c.Metric = 'ActualCost'
                   AND COALESCE(c.PublisherType, '') <> 'Marketplace') AS WarehouseAzure,
                (SELECT TOTAL(c.CostInBillingCurrency) FROM cost_details c
                 WHERE c.Scope = b.Scope AND c.BillingPeriod = b.BillingPeriod AND c.Metric = 'ActualCost'
                   AND c.PublisherType = 'Marketplace') AS WarehouseMarketplaceRows,
                (SELECT TOTAL(m.PretaxCost) FROM marketplace_charges m
                 WHERE m.Scope = b.Scope AND m.BillingPeriod = b.BillingPeriod) AS MarketplaceDataset,
                (SELECT COUNT(*) FROM partitions p
                 WHERE p.Scope = b.Scope AND p.BillingPeriod = b.BillingPeriod AND p.Metric = 'ActualCost') AS HasActual
            FROM balance_summary b
            WHERE (:scope IS NULL OR b.Scope = :scope) AND b.BillingPeriod BETWEEN :from AND :to
            ORDER BY b.Scope, b.BillingPeriod
            """, window)
        var out: [VerificationCheck] = []
        for i in balances.rows.indices {
            func value(_ column: String) -> Double { balances.value(i, column).double ?? 0 }
            let scope = balances.value(i, "Scope").string ?? "",
                period = balances.value(i, "BillingPeriod").string ?? ""
            let currency = (balances.value(i, "Currency").string ?? "").trimmingTrailingSpaces()
            func add(_ check: String, _ passed: Bool, _ detail: String) {
                out.append(
                    VerificationCheck(
                        check: check, scope: scope, period: period, metric: "ActualCost", passed: passed, detail: detail
                    ))
            }
            guard balances.value(i, "HasActual").int ?? 0 > 0 else {
                add(
                    "balance summary = actual cost", false,
                    "the balance summary is loaded but the ActualCost partition is not")
                continue
            }
            let marketplaceRows = value("WarehouseMarketplaceRows")
            let comparisons = [
                (
                    "Azure charges = balance", value("WarehouseAzure"), value("AzureCharges"),
                    "Utilized + ServiceOverage + ChargesBilledSeparately"
                ),
                (
                    "marketplace charges = balance",
                    marketplaceRows != 0 ? marketplaceRows : value("MarketplaceDataset"), value("MarketplaceCharges"),
                    "AzureMarketplaceServiceCharges"
                ),
            ]
            for (check, warehouse, balance, fields) in comparisons {
                let difference = warehouse - balance
                let tolerance = Verifier.balanceTolerance(balance)
                add(
                    check, abs(difference) <= tolerance,
                    "warehouse \(Verifier.money(warehouse)), balance \(fields) \(Verifier.money(balance)) \(currency): "
                        + "difference \(Verifier.money(difference)) (tolerance \(Verifier.money(tolerance)))")
            }
        }
        return out
    }

    static func close(_ a: Double, _ b: Double) -> Bool {
        abs(a - b) <= 1e-6 * max(1, abs(a), abs(b))
    }

    /// Up to 6 decimals: a check's differences are often far below a cent.
    static func money(_ value: Double) -> String {
        let v = abs(value) < 0.000_000_5 ? 0 : value
        if v == v.rounded() && abs(v) < 1e15 { return String(format: "%.2f", v) }
        var s = String(format: "%.6f", v)
        while s.hasSuffix("0") && s.split(separator: ".").last!.count > 2 { s.removeLast() }
        return s
    }

    package static func table(_ checks: [VerificationCheck]) -> ResultTable {
        ResultTable(
            columns: ["Result", "Check", "Scope", "BillingPeriod", "Metric", "Detail"],
            rows: checks.map {
                [
                    .text($0.passed ? "ok" : "FAIL"), .text($0.check), .text($0.scope), .text($0.period),
                    .text($0.metric), .text($0.detail),
                ]
            })
    }
}
