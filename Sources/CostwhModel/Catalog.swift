package enum Catalog {
    package static let date = "Date"
    package static let chargeType = "ChargeType"
    package static let pricingModel = "PricingModel"
    package static let cost = "CostInBillingCurrency"
    package static let currency = "BillingCurrency"
    package static let tags = "Tags"
    package static let additionalInfo = "AdditionalInfo"
    /// Columns a file has that the catalog does not know, as one JSON object per row.
    package static let extraColumns = "ExtraColumns"

    package static let columns: [CanonicalColumn] = {
        typealias C = CanonicalColumn
        let account = C.Home.dimension(.account)
        let resource = C.Home.dimension(.resource)
        let product = C.Home.dimension(.product)
        return [
            // Fact columns: the normalised four, the currency and the numbers.
            C("Date", .date, .fact, aliases: [("UsageDateTime", 1), ("UsageDate", 1), ("usageStart", 2)]),
            C("ChargeType", .text, .fact),
            C("PricingModel", .text, .fact),
            C("CostInBillingCurrency", .real, .fact, aliases: [("Cost", 1), ("PreTaxCost", 1), ("ExtendedCost", 1)]),
            C("BillingCurrency", .text, .fact, aliases: [("BillingCurrencyCode", 1), ("Currency", 1)]),
            C("Quantity", .real, .fact, aliases: [("UsageQuantity", 1), ("ConsumedQuantity", 1)]),
            C("EffectivePrice", .real, .fact, aliases: [("ResourceRate", 1), ("Rate", 2)]),
            C("UnitPrice", .real, .fact),
            C("PayGPrice", .real, .fact),
            C("CostInPricingCurrency", .real, .fact),
            C("CostInUsd", .real, .fact),
            C("PaygCostInBillingCurrency", .real, .fact),
            C("PaygCostInUsd", .real, .fact),
            C("ExchangeRatePricingToBilling", .real, .fact, aliases: [("ExchangeRate", 1)]),
            C("PartnerEarnedCreditRate", .real, .fact),
            // FOCUS costs, kept as the file gave them (a FOCUS row fills both metrics).
            C("BilledCost", .real, .fact),
            C("EffectiveCost", .real, .fact),
            C("ListCost", .real, .fact),
            C("ContractedCost", .real, .fact),

            // Who is billed: agreement, account and subscription.
            C("BillingAccountId", .text, account),
            C("BillingAccountName", .text, account),
            C("BillingProfileId", .text, account),
            C("BillingProfileName", .text, account),
            C("InvoiceSectionId", .text, account),
            C("InvoiceSectionName", .text, account, aliases: [("InvoiceSection", 1), ("DepartmentName", 1)]),
            C("AccountOwnerId", .text, account),
            C("AccountName", .text, account),
            C("AccountId", .text, account),
            C("SubscriptionId", .text, account, aliases: [("SubscriptionGuid", -1)]),
            C("SubscriptionName", .text, account),
            C("CostCenter", .text, account),
            C("OfferId", .text, account),
            C("InvoiceId", .text, account),
            C("PreviousInvoiceId", .text, account),
            C("ResellerName", .text, account),
            C("ResellerMpnId", .text, account),
            C("PartnerTenantId", .text, account),
            C("PartnerName", .text, account),
            C("CustomerTenantId", .text, account),
            C("CustomerName", .text, account),
            C("ServiceAdministratorId", .text, account),
            C("BillingPeriodStartDate", .date, account),
            C("BillingPeriodEndDate", .date, account),
            C("ServicePeriodStartDate", .date, account),
            C("ServicePeriodEndDate", .date, account),
            C("ExchangeRateDate", .date, account),
            C("PricingCurrency", .text, account),

            // What was used: the resource.
            C("ResourceId", .text, resource, aliases: [("InstanceId", 1)]),
            C("ResourceName", .text, resource),
            C("ResourceGroup", .text, resource, aliases: [("ResourceGroupName", 1)]),
            C("ResourceType", .text, resource),
            C("ResourceLocation", .text, resource),
            C("ResourceLocationNormalized", .text, resource),
            C("Location", .text, resource),
            C("AvailabilityZone", .text, resource),
            C("ConsumedService", .text, resource),
            C("ServiceInfo1", .text, resource),
            C("ServiceInfo2", .text, resource),
            C("CostAllocationRuleName", .text, resource),

            // How it was priced: meter, product and commitment.
            C("MeterId", .text, product),
            C("MeterName", .text, product),
            C("MeterCategory", .text, product),
            C("MeterSubCategory", .text, product),
            C("MeterRegion", .text, product),
            C("ServiceFamily", .text, product),
            C("ProductName", .text, product, aliases: [("Product", 1)]),
            C("ProductId", .text, product),
            C("PartNumber", .text, product),
            C("UnitOfMeasure", .text, product, aliases: [("Unit", 2)]),
            C("Frequency", .text, product),
            C("PublisherType", .text, product),
            C("PublisherName", .text, product),
            C("PublisherId", .text, product),
            C("PlanName", .text, product),
            C("IsAzureCreditEligible", .text, product),
            C("Provider", .text, product),
            C("ServiceName", .text, product),
            C("ServiceTier", .text, product),
            C("ProductOrderId", .text, product),
            C("ProductOrderName", .text, product),
            C("Term", .text, product),
            C("ReservationId", .text, product),
            C("ReservationName", .text, product),
            C("BenefitId", .text, product),
            C("BenefitName", .text, product),
            C("PartnerEarnedCreditApplied", .text, product),
            C("StoreServiceIdentifier", .text, product),
            // FOCUS columns with no Cost Management counterpart, so `focus_costs` returns them as given.
            C("ChargeCategory", .text, product),
            C("ChargeClass", .text, product),
            C("ChargeFrequency", .text, product),
            C("ChargeDescription", .text, product),
            C("PricingCategory", .text, product),
            C("PricingUnit", .text, product),
            C("CommitmentDiscountStatus", .text, product),
            C("CommitmentDiscountType", .text, product),
            C("CommitmentDiscountCategory", .text, product),
            C("ServiceCategory", .text, product),
            C("InvoiceIssuerName", .text, product),
            C("RegionId", .text, product),
            C("RegionName", .text, product),
            C("SkuId", .text, product),
            C("SkuPriceId", .text, product),

            C("Tags", .jsonObject, .dimension(.tags)),
            C("AdditionalInfo", .jsonObject, .dimension(.info)),
        ]
    }()

    package static let index: [String: Int] = {
        var map: [String: Int] = [:]
        for (i, c) in columns.enumerated() { map[c.name] = i }
        return map
    }()

    package static func column(named name: String) -> CanonicalColumn? {
        index[name].map { columns[$0] }
    }

    /// Normalised header spelling → (column index, rank).
    package static let aliasTable: [String: (column: Int, rank: Int)] = {
        var map: [String: (column: Int, rank: Int)] = [:]
        for (i, c) in columns.enumerated() {
            for alias in c.aliases {
                precondition(map[alias.key] == nil, "alias \(alias.key) is claimed twice")
                map[alias.key] = (i, alias.rank)
            }
        }
        return map
    }()

    /// FOCUS column names (normalised) that mean a Cost Management column, for FOCUS files
    /// only: in FOCUS, `ChargePeriodStart` is the usage date and `SubAccountId` the
    /// subscription. Names FOCUS shares with Cost Management (ResourceId, Tags, …) and the
    /// FOCUS-only columns above map through the ordinary aliases. Both spellings of the
    /// columns FOCUS 1.2 promoted from `x_` are listed (x_InvoiceId → InvoiceId, …).
    package static let focusAliases: [String: String] = {
        let pairs: [(String, String)] = [
            ("ChargePeriodStart", "Date"),
            ("SubAccountId", "SubscriptionId"),
            ("SubAccountName", "SubscriptionName"),
            ("CommitmentDiscountId", "BenefitId"),
            ("CommitmentDiscountName", "BenefitName"),
            ("ConsumedQuantity", "Quantity"),
            ("ConsumedUnit", "UnitOfMeasure"),
            ("ContractedUnitPrice", "UnitPrice"),
            ("ListUnitPrice", "PayGPrice"),
            ("x_EffectiveUnitPrice", "EffectivePrice"),
            ("BillingPeriodStart", "BillingPeriodStartDate"),
            ("ProviderName", "Provider"),
            ("x_ResourceGroupName", "ResourceGroup"),
            ("x_SkuMeterCategory", "MeterCategory"),
            ("x_SkuMeterSubcategory", "MeterSubCategory"),
            ("x_SkuMeterName", "MeterName"),
            ("SkuMeter", "MeterName"),
            ("x_SkuMeterId", "MeterId"),
            ("x_SkuServiceFamily", "ServiceFamily"),
            ("x_SkuRegion", "MeterRegion"),
            ("x_SkuPartNumber", "PartNumber"),
            ("x_SkuOfferId", "OfferId"),
            ("x_SkuTerm", "Term"),
            ("x_SkuOrderId", "ProductOrderId"),
            ("x_SkuOrderName", "ProductOrderName"),
            ("x_SkuDescription", "ProductName"),
            ("x_PublisherCategory", "PublisherType"),
            ("x_BillingAccountId", "BillingAccountId"),
            ("x_BillingProfileId", "BillingProfileId"),
            ("x_BillingProfileName", "BillingProfileName"),
            ("x_InvoiceSectionId", "InvoiceSectionId"),
            ("x_InvoiceSectionName", "InvoiceSectionName"),
            ("x_InvoiceId", "InvoiceId"),
            ("x_PricingCurrency", "PricingCurrency"),
            ("x_BillingExchangeRate", "ExchangeRatePricingToBilling"),
            ("x_BillingExchangeRateDate", "ExchangeRateDate"),
            ("x_BilledCostInUsd", "CostInUsd"),
            ("x_BilledCostInPricingCurrency", "CostInPricingCurrency"),
            ("x_CostCenter", "CostCenter"),
            ("x_AccountName", "AccountName"),
            ("x_AccountOwnerId", "AccountOwnerId"),
            ("x_ServicePeriodStart", "ServicePeriodStartDate"),
            ("x_ServicePeriodEnd", "ServicePeriodEndDate"),
            ("x_ResellerId", "ResellerMpnId"),
            ("x_ResellerName", "ResellerName"),
            ("x_PartnerCreditRate", "PartnerEarnedCreditRate"),
            ("x_PartnerCreditApplied", "PartnerEarnedCreditApplied"),
        ]
        var map: [String: String] = [:]
        for (focus, column) in pairs {
            precondition(index[column] != nil, "FOCUS alias \(focus) names no column \(column)")
            map[CanonicalColumn.normalise(focus)] = column
        }
        return map
    }()

    package static func columns(in dimension: Dimension) -> [Int] {
        columns.indices.filter { columns[$0].home == .dimension(dimension) }
    }

    package static let factColumns: [Int] = columns.indices.filter { columns[$0].home == .fact }
}
