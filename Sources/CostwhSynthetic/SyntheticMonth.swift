import CostwhModel

/// One synthetic cost record, in canonical terms; the writers spell it per schema.
package struct SyntheticRow: Sendable {
    package var day = 1
    package var subscription = 0
    package var resource: Int?
    package var meter = 0
    package var quantity = 0.0
    package var effectivePrice = 0.0
    package var unitPrice = 0.0
    package var payGPrice = 0.0
    package var cost = 0.0
    package var chargeType = "Usage"
    package var pricingModel = "OnDemand"
    package var frequency = "UsageBased"
    package var publisherType = "Azure"
    package var publisherName = "Microsoft"
    package var planName = ""
    package var commitment: Int?
    package var consumedQuantity: Double?
    /// Asks the writer to print the cost with many decimals, as real files sometimes do.
    package var longDecimals = false
}

/// A month of cost details for one scope, the same for both metrics wherever Azure keeps
/// them the same: actual has the commitment purchases (every month for monthly-billed
/// commitments, the whole term in the purchase month for upfront ones) and refunds, and
/// prices covered usage at 0; amortized prices the covered usage every month of the term
/// and adds Unused* rows.
package struct SyntheticMonth: Sendable {
    package let estate: SyntheticEstate
    package let period: BillingPeriod
    package let targetRows: Int
    private let dailyAmounts: [Double]
    private let usedByCommitmentDay: [[Double]]
    /// A later version of the month, as Azure restates one; nil is the first version.
    package var restatement: Restatement?

    static let marketplacePurchases = 2

    package init(estate: SyntheticEstate, period: BillingPeriod, rows: Int) {
        self.estate = estate
        self.period = period
        self.targetRows = max(rows, 1)
        // First pass: how much covered usage each commitment gets each day, to size the
        // commitments.
        let days = period.daysInMonth
        var used = Array(repeating: Array(repeating: 0.0, count: days + 1), count: estate.commitments.count)
        var probe = SyntheticMonth.usageStream(
            estate: estate, period: period,
            count: SyntheticMonth.usageCount(rows: targetRows, estate: estate, days: days))
        while let row = probe.next() {
            if let c = row.commitment { used[c][row.day] += row.cost }
        }
        usedByCommitmentDay = used
        // Sized a little below the average day, as commitments are bought: most days leave
        // some of it unused, and a busy day's covered usage may exceed it (none unused then).
        dailyAmounts = used.map { days in
            (days.dropFirst().reduce(0, +) / Double(max(days.count - 1, 1)) * 0.95 + 0.01).rounded(toPlaces: 4)
        }
    }

    /// Usage rows: the target less the commitments' rows, but at least half the target, so
    /// small months still have usage to look at.
    static func usageCount(rows: Int, estate: SyntheticEstate, days: Int) -> Int {
        max(rows - estate.commitments.count * days - marketplacePurchases - 1, rows / 2, 1)
    }

    /// Calls `body` for each row of `metric`, in a fixed order.
    package func forEachRow(_ metric: Metric, _ body: (SyntheticRow) throws -> Void) rethrows {
        let days = period.daysInMonth
        if metric == .actualCost {
            for (c, commitment) in estate.commitments.enumerated() {
                // Monthly-billed commitments are charged every month for the month; upfront
                // ones for their whole term, in the month they are bought.
                let upfront = commitment.billing == .upfront
                guard !upfront || commitment.isBought(in: period) else { continue }
                var row = SyntheticRow()
                row.day = 1
                row.chargeType = "Purchase"
                row.frequency = upfront ? "OneTime" : "Recurring"
                row.pricingModel = commitment.kind == .reservation ? "Reservation" : "SavingsPlan"
                row.commitment = c
                row.quantity = 1
                let days = upfront ? commitment.termMonths / 12 * 365 : days
                row.cost = (dailyAmounts[c] * Double(days)).rounded(toPlaces: 6)
                row.effectivePrice = row.cost
                row.unitPrice = row.cost
                row.meter = 0
                try body(row)
            }
            if period.monthNumber % 3 == 1 {
                // A quarterly refund: three days of a monthly commitment, cancelled and credited.
                let c = SyntheticEstate.refundedCommitment
                var row = SyntheticRow()
                row.day = 15
                row.chargeType = "Refund"
                row.frequency = "OneTime"
                row.pricingModel = estate.commitments[c].kind == .reservation ? "Reservation" : "SavingsPlan"
                row.commitment = c
                row.quantity = -1
                row.cost = -(dailyAmounts[c] * 3).rounded(toPlaces: 6)
                row.effectivePrice = row.cost
                row.unitPrice = row.cost
                try body(row)
            }
        }
        for m in 0..<SyntheticMonth.marketplacePurchases {
            var row = SyntheticRow()
            row.day = 1 + m
            row.chargeType = "Purchase"
            row.frequency = "Recurring"
            row.publisherType = "Marketplace"
            row.publisherName = ["Contoso Security Ltd", "Fabrikam Observability"][m]
            row.planName = ["enterprise-annual", "pro-monthly"][m]
            row.pricingModel = "OnDemand"
            row.quantity = 1
            row.cost = [499.0, 129.5][m]
            row.effectivePrice = row.cost
            row.unitPrice = row.cost
            row.subscription = m % estate.subscriptions.count
            try body(row)
        }
        var stream = SyntheticMonth.usageStream(
            estate: estate, period: period,
            count: SyntheticMonth.usageCount(rows: targetRows, estate: estate, days: days))
        var index = 0
        while var row = stream.next() {
            defer { index += 1 }
            if metric == .actualCost && row.commitment != nil {
                row.cost = 0
                row.effectivePrice = 0
            }
            if let restatement, row.commitment == nil {
                switch restatement.change(scope: estate.scope, period: period, index: index) {
                case .none: break
                case .removed: continue
                case .repriced:
                    row.quantity = (row.quantity * 1.2).rounded(toPlaces: 6)
                    row.cost = row.quantity * row.effectivePrice
                case .lateUsage:
                    try body(row)
                    row.day = min(row.day + 1, days)
                    row.quantity = (row.quantity * 0.5).rounded(toPlaces: 6)
                    row.cost = row.quantity * row.effectivePrice
                }
            }
            try body(row)
        }
        var rounding = SyntheticRow()
        rounding.day = days
        rounding.chargeType = "RoundingAdjustment"
        rounding.pricingModel = ""
        rounding.cost = 0.01
        try body(rounding)
        if metric == .amortizedCost {
            for (c, commitment) in estate.commitments.enumerated() {
                for day in 1...days {
                    let unused = (dailyAmounts[c] - usedByCommitmentDay[c][day])
                    guard unused > 1e-9 else { continue }
                    var row = SyntheticRow()
                    row.day = day
                    row.chargeType = commitment.kind == .reservation ? "UnusedReservation" : "UnusedSavingsPlan"
                    row.pricingModel = commitment.kind == .reservation ? "Reservation" : "SavingsPlan"
                    row.commitment = c
                    row.quantity = (unused / max(dailyAmounts[c], 1e-9) * 24).rounded(toPlaces: 4)
                    row.cost = unused
                    row.effectivePrice = dailyAmounts[c] / 24
                    row.unitPrice = row.effectivePrice
                    row.longDecimals = true
                    try body(row)
                }
            }
        }
    }

    /// The usage rows, identical for both metrics except for how covered usage is priced.
    struct UsageStream {
        let estate: SyntheticEstate
        let days: Int
        let count: Int
        var index = 0
        var rng: SplitMix64

        mutating func next() -> SyntheticRow? {
            guard index < count else { return nil }
            defer { index += 1 }
            var row = SyntheticRow()
            row.day = 1 + index * days / count
            let r = rng.int(estate.resources.count)
            let resource = estate.resources[r]
            let meter = estate.meters[resource.meter]
            row.resource = r
            row.subscription = resource.subscription
            row.meter = resource.meter
            // The enrollment's negotiated price, and the list price it is negotiated from.
            row.unitPrice = meter.unitPrice
            row.payGPrice = SyntheticEstate.listPrice(meter)
            // Quantities: hours for compute, GB or operations otherwise.
            let u = rng.unit()
            row.quantity = meter.unit == "1 Hour" ? Double(1 + rng.int(24)) : (u * u * 500).rounded(toPlaces: 6)
            let draw = rng.unit()
            if meter.family == "Compute" && draw < 0.45 {
                // Covered by a commitment: reservations for VMs, savings plans for the rest.
                let commitments = estate.commitments
                let isReservation = meter.category == "Virtual Machines" && draw < 0.30
                let candidates = commitments.indices.filter { (commitments[$0].kind == .reservation) == isReservation }
                let c = candidates[r % candidates.count]
                row.commitment = c
                row.pricingModel = isReservation ? "Reservation" : "SavingsPlan"
                row.effectivePrice = (meter.unitPrice * (isReservation ? 0.58 : 0.71)).rounded(toPlaces: 8)
                // Commitments cover the steady fleets: a row is the hours of a scale set's 40 instances.
                row.quantity *= 40
                row.cost = row.quantity * row.effectivePrice
                row.payGPrice = 0
                row.consumedQuantity = row.quantity
                row.longDecimals = true
            } else if meter.family == "Compute" && draw < 0.50 {
                row.pricingModel = "Spot"
                row.effectivePrice = (meter.unitPrice * 0.2).rounded(toPlaces: 8)
                row.unitPrice = row.effectivePrice
                row.cost = row.quantity * row.effectivePrice
            } else {
                row.effectivePrice = meter.unitPrice
                row.cost = row.quantity * row.effectivePrice
                row.longDecimals = rng.int(4) == 0
            }
            return row
        }
    }

    static func usageStream(estate: SyntheticEstate, period: BillingPeriod, count: Int) -> UsageStream {
        UsageStream(
            estate: estate, days: period.daysInMonth, count: count,
            rng: SplitMix64(seed: SplitMix64.seed("usage:\(estate.scope.id):\(period)")))
    }

    /// A commitment's day: the covered usage it absorbed and what the day of it costs.
    package func commitmentDay(_ commitment: Int, day: Int) -> (used: Double, amount: Double) {
        (usedByCommitmentDay[commitment][day], dailyAmounts[commitment])
    }

    /// The total a metric adds up to, for tests and the emulator's own checks.
    package func total(_ metric: Metric) -> Double {
        var sum = 0.0
        forEachRow(metric) { sum += $0.cost }
        return sum
    }
}

/// How a restated month differs from the first version: a share of the usage rows not
/// covered by a commitment is changed, the same rows in both metrics and every time for a
/// given revision. A third of them disappear, a third are repriced (20 % more quantity),
/// and a third gain a late row on the next day with half the quantity.
package struct Restatement: Sendable, Equatable {
    package var share: Double
    package var revision: Int

    package init(share: Double, revision: Int) {
        self.share = share
        self.revision = revision
    }

    package enum Change: Sendable, Equatable {
        case none, removed, repriced, lateUsage
    }

    package func change(scope: Scope, period: BillingPeriod, index: Int) -> Change {
        var rng = SplitMix64(seed: SplitMix64.seed("restate:\(scope.id):\(period):\(revision):\(index)"))
        let draw = rng.unit()
        guard draw < share else { return .none }
        if draw < share / 3 { return .removed }
        return draw < share * 2 / 3 ? .repriced : .lateUsage
    }
}

extension Double {
    func rounded(toPlaces places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (self * scale).rounded() / scale
    }
}
