/// Canonical spellings of the value sets in reference §5.6.
package enum ChargeTypes {
    package static let known: [String] = [
        "Usage", "Purchase", "Refund", "UnusedReservation", "UnusedSavingsPlan",
        "RoundingAdjustment", "Tax", "Credit", "Adjustment",
    ]
    package static let commitmentPurchases: Set<String> = ["Purchase", "Refund"]
}

package enum PricingModels {
    /// The empty string is a documented value (rows that are not priced by a model).
    package static let known: [String] = ["OnDemand", "Reservation", "SavingsPlan", "Spot", ""]
    package static let commitments: Set<String> = ["Reservation", "SavingsPlan"]
}
