import CostwhLoad

/// EffectiveCost, ListCost and ContractedCost of a fact row, computed as `cost_details_keys`
/// computes them (SQLite migrations 0010-0011, PostgreSQL 0009-0010) from the row's stored
/// values, for the export. SQLite spent about 1.2 s of a 1 M-row partition's export on the
/// three expressions, a fifth of the reading thread (the list price's branch looked a product
/// up per row); here they cost a few cursor calls per row.
///
/// The same rules in the same order, and the same floating-point operations in the same order,
/// so the same doubles: DimensionedExportTests compares the file with the wide view's on both
/// stores, on rows that take every branch (a price sheet's list price included). A value the
/// rules cannot take as SQL would (text where a number belongs) or a product and account the
/// partition's summaries do not list throws `NotDerivable`: the file is abandoned and the
/// partition read through `cost_details_wide`, whose computed columns SQL evaluates.
struct DerivedCosts {
    /// Positions in the export's select list of what the rules read.
    struct Fields {
        var storedEffective = 0, storedList = 0, storedContracted = 0
        var chargeType = 0, cost = 0, quantity = 0, unitPrice = 0, payGPrice = 0, paygCost = 0, rate = 0
        var productKey = 0, accountKey = 0
    }

    /// The view's columns each field reads, in `Fields`' order.
    static let inputs = [
        "StoredEffectiveCost", "StoredListCost", "StoredContractedCost", "ChargeType", "CostInBillingCurrency",
        "Quantity", "UnitPrice", "PayGPrice", "PaygCostInBillingCurrency", "ExchangeRatePricingToBilling",
        "ProductKey", "AccountKey",
    ]
    /// The output columns the rules compute.
    static let outputs = ["EffectiveCost", "ListCost", "ContractedCost"]

    let fields: Fields
    /// The partition's metric is AmortizedCost: a row without an EffectiveCost of its own
    /// takes its cost.
    let amortized: Bool
    /// The price sheet's list prices of the partition's products and accounts; nil when the
    /// billing period has none, so that every lookup finds nothing.
    let prices: ListPrices?

    struct Pair: Hashable {
        let product: Int64
        let account: Int64
    }

    /// `list_price_keys` for the pairs a partition uses.
    struct ListPrices {
        /// Every product and account pair the partition's summaries list.
        var pairs: Set<Pair> = []
        /// The pairs with a list price: MarketPrice, and UnitFactor (NULL where SQL's division
        /// gave NULL).
        var price: [Pair: (market: Double, factor: Double?)] = [:]
    }

    struct NotDerivable: Error {}

    init(fields: [Int], amortized: Bool, prices: ListPrices?) {
        precondition(fields.count == Self.inputs.count)
        var f = Fields()
        let paths: [WritableKeyPath<Fields, Int>] = [
            \.storedEffective, \.storedList, \.storedContracted, \.chargeType, \.cost, \.quantity, \.unitPrice,
            \.payGPrice, \.paygCost, \.rate, \.productKey, \.accountKey,
        ]
        for (path, field) in zip(paths, fields) { f[keyPath: path] = field }
        self.fields = f
        self.amortized = amortized
        self.prices = prices
    }

    /// The row's three costs, nil where `cost_details` has NULL.
    func values(_ c: any RowCursor) throws(NotDerivable) -> (effective: Double?, list: Double?, contracted: Double?) {
        let f = fields
        // COALESCE(f.EffectiveCost, CASE WHEN p.Metric = 'AmortizedCost' THEN f.CostInBillingCurrency END)
        var effective = try Self.number(c, f.storedEffective)
        if effective == nil, amortized { effective = try Self.number(c, f.cost) }
        let storedList = try Self.number(c, f.storedList)
        let storedContracted = try Self.number(c, f.storedContracted)
        if let storedList, let storedContracted { return (effective, storedList, storedContracted) }

        // ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan'): NULL is not in the list.
        var unused = false
        if case .text = c.kind(f.chargeType) {
            unused = c.withBytes(f.chargeType) { Self.isUnused($0) }
        }
        let quantity = try Self.number(c, f.quantity)
        let unitPrice = try Self.number(c, f.unitPrice)
        let rate = try Self.number(c, f.rate)

        // COALESCE(f.ContractedCost, CASE WHEN unused THEN 0
        //     WHEN f.UnitPrice IS NOT NULL THEN f.UnitPrice * f.Quantity * COALESCE(rate, 1) END)
        var contracted = storedContracted
        if contracted == nil {
            if unused {
                contracted = 0
            } else if let unitPrice {
                contracted = Self.product(unitPrice, quantity, rate)
            }
        }

        // COALESCE(f.ListCost, CASE WHEN unused THEN 0
        //     WHEN f.PayGPrice > 0 OR (f.PayGPrice = 0 AND COALESCE(f.UnitPrice, 0) = 0)
        //         THEN f.PayGPrice * f.Quantity * COALESCE(rate, 1)
        //     WHEN f.PaygCostInBillingCurrency > 0 THEN f.PaygCostInBillingCurrency
        //     WHEN not a marketplace product THEN the price sheet's MarketPrice * ... END)
        // A NULL PayGPrice makes the second condition NULL, which CASE takes as false.
        var list = storedList
        if list == nil {
            let payG = try Self.number(c, f.payGPrice)
            if unused {
                list = 0
            } else if let payG, payG > 0 || (payG == 0 && (unitPrice ?? 0) == 0) {
                list = Self.product(payG, quantity, rate)
            } else if let paygCost = try Self.number(c, f.paygCost), paygCost > 0 {
                list = paygCost
            } else {
                list = try listed(c, quantity: quantity, rate: rate)
            }
        }
        return (effective, list, contracted)
    }

    /// The price sheet's branch: MarketPrice * Quantity * COALESCE(rate, 1) * UnitFactor for a
    /// product and account `list_price_keys` lists (not a marketplace product), else NULL.
    private func listed(_ c: any RowCursor, quantity: Double?, rate: Double?) throws(NotDerivable) -> Double? {
        guard let prices else { return nil }
        // A NULL key matches no product or account, as in SQL.
        guard case .integer = c.kind(fields.productKey), case .integer = c.kind(fields.accountKey) else { return nil }
        let pair = Pair(product: c.int64(fields.productKey), account: c.int64(fields.accountKey))
        guard prices.pairs.contains(pair) else { throw NotDerivable() }
        guard let price = prices.price[pair], let factor = price.factor, let quantity else { return nil }
        let v = price.market * quantity * (rate ?? 1) * factor
        return v.isNaN ? nil : v
    }

    /// a * quantity * COALESCE(rate, 1), left to right as SQL evaluates it; NULL when the
    /// quantity is, and when the result is not a number (SQLite's rule for NaN).
    static func product(_ a: Double, _ quantity: Double?, _ rate: Double?) -> Double? {
        guard let quantity else { return nil }
        let v = a * quantity * (rate ?? 1)
        return v.isNaN ? nil : v
    }

    /// A stored number, nil for NULL; text or a blob in a number's column is left to SQL.
    @inline(__always)
    static func number(_ c: any RowCursor, _ i: Int) throws(NotDerivable) -> Double? {
        switch c.number(i) {
        case .null: return nil
        case .real(let v): return v
        case .integer(let v): return Double(v)
        case .other: throw NotDerivable()
        }
    }

    static func isUnused(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Both names are 17 bytes long: most rows' charge type ("Usage") stops at the count.
        bytes.count == 17 && (bytes.elementsEqual("UnusedReservation".utf8) || bytes.elementsEqual("UnusedSavingsPlan".utf8))
    }
}
