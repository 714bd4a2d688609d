/// What a load holds. Cost details are the warehouse's core, partitioned by metric; the other
/// datasets of the same billing scopes (seed 004's price sheet, reservations, balance summary,
/// marketplace charges and billing periods) are partitioned by scope and billing period.
package enum Dataset: String, Sendable, CaseIterable, Hashable {
    case costDetails = "cost-details"
    case priceSheet = "price-sheet"
    case reservationTransactions = "reservation-transactions"
    case reservationDetails = "reservation-details"
    case balanceSummary = "balance-summary"
    case marketplace
    case billingPeriods = "billing-periods"

    /// The datasets besides cost details.
    package static var others: [Dataset] { allCases.filter { $0 != .costDetails } }

    /// Accepts the CLI spellings, any case, `_` for `-`, and a few natural aliases.
    package init(parsing text: String) throws(DatasetError) {
        let key = text.trimmingWhitespace().lowercased().replacingOccurrences("_", "-")
        switch key {
        case "cost-details", "costs", "usage": self = .costDetails
        case "price-sheet", "pricesheet", "prices": self = .priceSheet
        case "reservation-transactions", "reservationtransactions": self = .reservationTransactions
        case "reservation-details", "reservationdetails": self = .reservationDetails
        case "balance-summary", "balancesummary", "balance", "balances": self = .balanceSummary
        case "marketplace", "marketplaces", "marketplace-charges": self = .marketplace
        case "billing-periods", "billingperiods": self = .billingPeriods
        default: throw .invalid(text)
        }
    }
}

package enum DatasetError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    package var description: String {
        switch self {
        case .invalid(let text):
            return
                "invalid dataset `\(text)`: expected one of \(Dataset.allCases.map(\.rawValue).joined(separator: ", "))"
        }
    }
}

extension String {
    func replacingOccurrences(_ target: Character, _ replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
