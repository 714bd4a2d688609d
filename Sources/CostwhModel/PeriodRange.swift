/// An inclusive range of billing periods, either end open: what `--period`, `--from` and
/// `--to` select. The one home of the open ends' SQL bounds.
package struct PeriodRange: Sendable, Equatable, CustomStringConvertible {
    package var from: BillingPeriod?
    package var to: BillingPeriod?

    package init(from: BillingPeriod? = nil, to: BillingPeriod? = nil) {
        self.from = from
        self.to = to
    }

    /// One month.
    package init(_ period: BillingPeriod) {
        self.init(from: period, to: period)
    }

    package static let all = PeriodRange()

    /// `2026-01`, `2026-01..2026-03`, `2026-01..` or `..2026-03`.
    package init(parsing text: String) throws(BillingPeriodError) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 1 {
            self.init(try BillingPeriod(parsing: text))
            return
        }
        guard parts.count == 3, parts[1].isEmpty else { throw .invalid(text) }
        let from = parts[0].isEmpty ? nil : try BillingPeriod(parsing: String(parts[0]))
        let to = parts[2].isEmpty ? nil : try BillingPeriod(parsing: String(parts[2]))
        self.init(from: from, to: to)
    }

    package var isEmpty: Bool {
        guard let from, let to else { return false }
        return from > to
    }

    /// The lower bound as SQL compares `BillingPeriod` text: an open end is below every month.
    package var lowerBound: String { from?.description ?? "0000-00" }
    /// The upper bound: an open end is above every month.
    package var upperBound: String { to?.description ?? "9999-99" }

    package var description: String {
        if let from, let to, from == to { return from.description }
        return "\(from?.description ?? "")..\(to?.description ?? "")"
    }
}
