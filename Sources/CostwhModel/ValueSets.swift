/// Canonical spellings of the value sets in reference §5.6.
public enum ChargeTypes {
    public static let known: [String] = [
        "Usage", "Purchase", "Refund", "UnusedReservation", "UnusedSavingsPlan",
        "RoundingAdjustment", "Tax", "Credit", "Adjustment",
    ]
    public static let commitmentPurchases: Set<String> = ["Purchase", "Refund"]
}

public enum PricingModels {
    /// The empty string is a documented value (rows that are not priced by a model).
    public static let known: [String] = ["OnDemand", "Reservation", "SavingsPlan", "Spot", ""]
    public static let commitments: Set<String> = ["Reservation", "SavingsPlan"]
}
