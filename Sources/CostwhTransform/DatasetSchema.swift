import CostwhModel

/// The columns of a dataset other than cost details, as the warehouse stores them, and the
/// names the APIs and files give them. One home for both: the migrations create the same
/// columns (a test keeps them in step), the reader maps a file's header or a JSON record's
/// keys onto them, the stores insert them in this order.
package struct DatasetSchema: Sendable {
    package enum Kind: Sendable, Equatable {
        /// Kept as given; empty is NULL.
        case text
        /// A number; a value that is not one rejects the row.
        case real
        /// A date or date-time, stored as YYYY-MM-DD.
        case date
        /// A nested object or array, stored as JSON text.
        case json
    }

    package struct Column: Sendable {
        package let name: String
        package let kind: Kind
        /// Every spelling that maps here, folded (lower case, no spaces, `_` or `-`).
        package let keys: [String]

        init(_ name: String, _ kind: Kind = .text, _ aliases: String...) {
            self.name = name
            self.kind = kind
            self.keys = ([name] + aliases).map(DatasetSchema.fold)
        }
    }

    package let dataset: Dataset
    /// The table of every load's rows (`ds_…`); the view of the current ones drops the prefix.
    package let table: String
    package let columns: [Column]
    /// Columns without which a row is rejected.
    package let required: [String]
    /// Where a JSON answer keeps its records, besides `value`: `properties.pricesheets`.
    package let jsonArrays: [String]

    package static func fold(_ name: String) -> String {
        String(name.lowercased().unicodeScalars.filter { $0 != " " && $0 != "_" && $0 != "-" }.map(Character.init))
    }

    package static func of(_ dataset: Dataset) -> DatasetSchema {
        switch dataset {
        case .costDetails: preconditionFailure("cost details have their own loader")
        case .priceSheet: return priceSheet
        case .reservationTransactions: return reservationTransactions
        case .reservationDetails: return reservationDetails
        case .balanceSummary: return balanceSummary
        case .marketplace: return marketplace
        case .billingPeriods: return billingPeriods
        }
    }

    /// EA (Cost Management download, 2023-05-01 schema; and Consumption pricesheets) and MCA
    /// price sheets. UnitMultiplier is computed from UnitOfMeasure.
    static let priceSheet = DatasetSchema(
        dataset: .priceSheet, table: "ds_price_sheet",
        columns: [
            Column("MeterId", .text, "meterID"), Column("MeterName"), Column("MeterCategory"),
            Column("MeterSubCategory"),
            Column("MeterRegion"), Column("MeterType"), Column("Product", .text, "ProductName"), Column("ProductId"),
            Column("SkuId"), Column("PartNumber"), Column("ServiceFamily"), Column("UnitOfMeasure", .text, "Unit"),
            Column("UnitMultiplier", .real), Column("PriceType"), Column("Term"),
            Column("Currency", .text, "CurrencyCode", "PricingCurrency"), Column("BillingCurrency"),
            Column("UnitPrice", .real), Column("MarketPrice", .real), Column("BasePrice", .real),
            Column("IncludedQuantity", .real), Column("TierMinimumUnits", .real),
            Column("EffectiveStartDate", .date), Column("EffectiveEndDate", .date),
            Column("BillingAccountId", .text, "BillingAccountID"), Column("BillingProfileId"), Column("OfferId"),
        ], required: ["MeterId"], jsonArrays: ["properties.pricesheets", "pricesheets"])

    /// Consumption `reservationTransactions` (2023-05-01).
    static let reservationTransactions = DatasetSchema(
        dataset: .reservationTransactions, table: "ds_reservation_transactions",
        columns: [
            Column("EventDate", .date), Column("EventType"), Column("ReservationOrderId"),
            Column("ReservationOrderName"), Column("Description"), Column("Quantity", .real), Column("Amount", .real),
            Column("Currency"), Column("ArmSkuName"), Column("Term"), Column("Region"),
            Column("PurchasingSubscriptionGuid"), Column("PurchasingSubscriptionName"), Column("AccountName"),
            Column("AccountOwnerEmail"), Column("DepartmentName"), Column("CostCenter"), Column("CurrentEnrollment"),
            Column("BillingFrequency"), Column("BillingMonth", .date), Column("MonetaryCommitment", .real),
            Column("Overage", .real),
        ], required: ["EventDate", "Amount"], jsonArrays: [])

    /// Cost Management `generateReservationDetailsReport` CSV (and the older Consumption
    /// `reservationDetails` JSON, whose instanceId is InstanceName).
    static let reservationDetails = DatasetSchema(
        dataset: .reservationDetails, table: "ds_reservation_details",
        columns: [
            Column("UsageDate", .date), Column("ReservationOrderId"), Column("ReservationId"), Column("SkuName"),
            Column("Kind"), Column("InstanceName", .text, "InstanceId"), Column("InstanceFlexibilityGroup"),
            Column("InstanceFlexibilityRatio", .real), Column("TotalReservedQuantity", .real),
            Column("ReservedHours", .real), Column("UsedHours", .real),
        ], required: ["UsageDate", "ReservationId"], jsonArrays: [])

    /// Consumption `balances` of an EA billing account and billing period (2023-05-01).
    static let balanceSummary = DatasetSchema(
        dataset: .balanceSummary, table: "ds_balance_summary",
        columns: [
            Column("Currency"), Column("BeginningBalance", .real), Column("EndingBalance", .real),
            Column("NewPurchases", .real), Column("Adjustments", .real), Column("Utilized", .real),
            Column("ServiceOverage", .real), Column("ChargesBilledSeparately", .real), Column("TotalOverage", .real),
            Column("TotalUsage", .real), Column("AzureMarketplaceServiceCharges", .real), Column("BillingFrequency"),
            Column("PriceHidden"), Column("OverageRefund", .real), Column("NewPurchasesDetails", .json),
            Column("AdjustmentDetails", .json),
        ], required: [], jsonArrays: [])

    /// Consumption `marketplaces` (2023-05-01).
    static let marketplace = DatasetSchema(
        dataset: .marketplace, table: "ds_marketplace_charges",
        columns: [
            Column("UsageStart", .date), Column("UsageEnd", .date), Column("SubscriptionGuid"),
            Column("SubscriptionName"), Column("AccountName"), Column("DepartmentName"), Column("CostCenter"),
            Column("ResourceGroup"), Column("InstanceName"), Column("InstanceId"), Column("MeterId"),
            Column("OfferName"), Column("PublisherName"), Column("PlanName"), Column("OrderNumber"),
            Column("ConsumedQuantity", .real), Column("ResourceRate", .real), Column("PretaxCost", .real),
            Column("Currency"), Column("UnitOfMeasure"), Column("IsEstimated"), Column("IsRecurringCharge"),
            Column("Tags", .json), Column("AdditionalProperties", .json),
        ], required: ["PretaxCost"], jsonArrays: [])

    /// `Microsoft.Billing/billingPeriods` (and the EA Reporting v2 list's field names).
    static let billingPeriods = DatasetSchema(
        dataset: .billingPeriods, table: "ds_billing_periods",
        columns: [
            Column("Name", .text, "BillingPeriodId"),
            Column("BillingPeriodStart", .date, "BillingPeriodStartDate", "BillingStart"),
            Column("BillingPeriodEnd", .date, "BillingPeriodEndDate", "BillingEnd"), Column("InvoiceIds", .json),
        ], required: ["Name"], jsonArrays: [])

    /// The index of each folded spelling.
    package func index(of key: String) -> Int? {
        let folded = DatasetSchema.fold(key)
        return columns.firstIndex { $0.keys.contains(folded) }
    }

    /// The number in a unit of measure (`100 Hours` is 100, `10K` is 10), 1 when it has none:
    /// the same rule the views apply to a cost row's unit.
    package static func unitMultiplier(_ unit: String?) -> Double {
        guard let unit else { return 1 }
        var digits = ""
        var seenPoint = false
        for c in unit.drop(while: { $0 == " " }) {
            if c.isASCII && c.isNumber {
                digits.append(c)
            } else if c == "." && !seenPoint && !digits.isEmpty {
                seenPoint = true
                digits.append(c)
            } else {
                break
            }
        }
        if digits.hasSuffix(".") { digits.removeLast() }
        guard let value = Double(digits), value > 0 else { return 1 }
        return value
    }
}
