/// An inclusive range of billing periods, either end open: what `--period`, `--from` and
/// `--to` select. The one home of the open ends' SQL bounds.
public struct PeriodRange: Sendable, Equatable, CustomStringConvertible {
    public var from: BillingPeriod?
    public var to: BillingPeriod?

    public init(from: BillingPeriod? = nil, to: BillingPeriod? = nil) {
        self.from = from
        self.to = to
    }

    /// One month.
    public init(_ period: BillingPeriod) {
        self.init(from: period, to: period)
    }

    public static let all = PeriodRange()

    /// `2026-01`, `2026-01..2026-03`, `2026-01..` or `..2026-03`.
    public init(parsing text: String) throws(BillingPeriodError) {
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

    public var isEmpty: Bool {
        guard let from, let to else { return false }
        return from > to
    }

    /// The lower bound as SQL compares `BillingPeriod` text: an open end is below every month.
    public var lowerBound: String { from?.description ?? "0000-00" }
    /// The upper bound: an open end is above every month.
    public var upperBound: String { to?.description ?? "9999-99" }

    public var description: String {
        if let from, let to, from == to { return from.description }
        return "\(from?.description ?? "")..\(to?.description ?? "")"
    }
}
