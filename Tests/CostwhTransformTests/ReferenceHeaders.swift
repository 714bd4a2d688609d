/// The exact header rows of reference §5 (azure-cost-apis.md), one per schema.
enum ReferenceHeaders {
    static let eaUsageDetailsV2 =
        #"BillingAccountId,BillingAccountName,BillingPeriodStartDate,BillingPeriodEndDate,BillingProfileId,BillingProfileName,AccountOwnerId,AccountName,SubscriptionId,SubscriptionName,Date,Product,PartNumber,MeterId,ServiceFamily,MeterCategory,MeterSubCategory,MeterRegion,MeterName,Quantity,EffectivePrice,Cost,UnitPrice,BillingCurrency,ResourceLocation,AvailabilityZone,ConsumedService,ResourceId,ResourceName,ServiceInfo1,ServiceInfo2,AdditionalInfo,Tags,InvoiceSectionId,InvoiceSection,CostCenter,UnitOfMeasure,ResourceGroup,ReservationId,ReservationName,ProductOrderId,ProductOrderName,OfferId,IsAzureCreditEligible,Term,PublisherName,PlanName,ChargeType,Frequency,PublisherType,PayGPrice,PricingModel,CostAllocationRuleName,benefitId,benefitName"#
    static let eaExports2021_01 =
        #"InvoiceSectionName,AccountName,AccountOwnerId,SubscriptionId,SubscriptionName,ResourceGroup,ResourceLocation,Date,ProductName,MeterCategory,MeterSubCategory,MeterId,MeterName,MeterRegion,UnitOfMeasure,Quantity,EffectivePrice,CostInBillingCurrency,CostCenter,ConsumedService,ResourceId,Tags,OfferId,AdditionalInfo,ServiceInfo1,ServiceInfo2,ResourceName,ReservationId,ReservationName,UnitPrice,ProductOrderId,ProductOrderName,Term,PublisherType,PublisherName,ChargeType,Frequency,PricingModel,AvailabilityZone,BillingAccountId,BillingAccountName,BillingCurrencyCode,BillingPeriodStartDate,BillingPeriodEndDate,BillingProfileId,BillingProfileName,InvoiceSectionId,IsAzureCreditEligible,PartNumber,PayGPrice,PlanName,ServiceFamily,CostAllocationRuleName,benefitId,benefitName"#
    static let eaExports2021_10 =
        #"CostInBillingCurrency,AccountName,AccountOwnerId,ProductName,ConsumedService,InvoiceSectionName,SubscriptionId,SubscriptionName,Date,MeterId,MeterCategory,MeterSubCategory,MeterRegion,MeterName,Quantity,ResourceLocation,ResourceId,ServiceInfo1,ServiceInfo2,AdditionalInfo,Tags,CostCenter,UnitOfMeasure,ResourceGroup,PartNumber,OfferId,ChargeType,EffectivePrice,UnitPrice,ReservationId,ReservationName,ResourceName,ProductOrderId,ProductOrderName,PlanName,PublisherName,PublisherType,Term,BillingAccountId,BillingAccountName,BillingProfileName,BillingProfileId,BillingCurrencyCode,ServiceFamily,Frequency,IsAzureCreditEligible,PayGPrice,PricingModel,BillingPeriodStartDate,BillingPeriodEndDate,AvailabilityZone,InvoiceSectionId,CostAllocationRuleName,benefitId,benefitName"#
    static let mca =
        #"invoiceId,previousInvoiceId,billingAccountId,billingAccountName,billingProfileId,billingProfileName,invoiceSectionId,invoiceSectionName,resellerName,resellerMpnId,costCenter,billingPeriodEndDate,billingPeriodStartDate,servicePeriodEndDate,servicePeriodStartDate,date,serviceFamily,productOrderId,productOrderName,consumedService,meterId,meterName,meterCategory,meterSubCategory,meterRegion,ProductId,ProductName,SubscriptionId,subscriptionName,publisherType,publisherId,publisherName,resourceGroupName,ResourceId,resourceLocation,location,effectivePrice,quantity,unitOfMeasure,chargeType,billingCurrency,pricingCurrency,costInBillingCurrency,costInPricingCurrency,costInUsd,paygCostInBillingCurrency,paygCostInUsd,exchangeRatePricingToBilling,exchangeRateDate,isAzureCreditEligible,serviceInfo1,serviceInfo2,additionalInfo,tags,PayGPrice,frequency,term,reservationId,reservationName,pricingModel,unitPrice,costAllocationRuleName,benefitId,benefitName,provider"#
    static let mpa =
        #"invoiceId,billingAccountId,billingAccountName,previousInvoiceId,billingProfileId,billingProfileName,invoiceSectionId,invoiceSectionName,partnerTenantId,partnerName,resellerName,resellerMpnId,customerTenantId,customerName,costCenter,billingPeriodStartDate,billingPeriodEndDate,servicePeriodStartDate,servicePeriodEndDate,date,serviceFamily,productOrderId,productOrderName,consumedService,meterId,meterName,meterCategory,meterSubCategory,meterRegion,productId,product,subscriptionId,subscriptionName,publisherType,publisherId,publisherName,resourceGroupName,resourceId,resourceLocation,location,effectivePrice,quantity,unitOfMeasure,chargeType,billingCurrency,pricingCurrency,costInBillingCurrency,costInPricingCurrency,costInUsd,paygCostInBillingCurrency,paygCostInUsd,exchangeRatePricingToBilling,exchangeRateDate,isAzureCreditEligible,serviceInfo1,serviceInfo2,additionalInfo,tags,partnerEarnedCreditRate,partnerEarnedCreditApplied,payGPrice,frequency,term,reservationId,reservationName,pricingModel,unitPrice,costAllocationRuleName,provider,benefitId,benefitName"#
    static let payAsYouGo =
        #"SubscriptionGuid,ResourceGroup,ResourceLocation,UsageDateTime,MeterCategory,MeterSubcategory,MeterId,MeterName,MeterRegion,UsageQuantity,ResourceRate,PreTaxCost,ConsumedService,ResourceType,InstanceId,Tags,OfferId,AdditionalInfo,ServiceInfo1,ServiceInfo2,ServiceName,ServiceTier,Currency,UnitOfMeasure"#
    static let managementGroup =
        #"DepartmentName,AccountName,AccountOwnerId,SubscriptionGuid,SubscriptionName,ResourceGroup,ResourceLocation,AvailabilityZone,UsageDateTime,ProductName,MeterCategory,MeterSubcategory,MeterId,MeterName,MeterRegion,UnitOfMeasure,UsageQuantity,ResourceRate,PreTaxCost,CostCenter,ConsumedService,ResourceType,InstanceId,Tags,OfferId,AdditionalInfo,ServiceInfo1,ServiceInfo2,Currency"#
    static let legacyEAv1 =
        #""AccountOwnerId","Account Name","ServiceAdministratorId","SubscriptionId","SubscriptionGuid","Subscription Name","Date","Month","Day","Year","Product","Meter ID","Meter Category","Meter Sub-Category","Meter Region","Meter Name","Consumed Quantity","ResourceRate","ExtendedCost","Resource Location","Consumed Service","Instance ID","ServiceInfo1","ServiceInfo2","AdditionalInfo","Tags","Store Service Identifier","Department Name","Cost Center","Unit Of Measure","Resource Group""#
    /// EA Exports 2024-08-01: the 2021-01-01 order plus two columns.
    static let eaExports2024_08 = eaExports2021_01 + ",AccountId,ResourceLocationNormalized"

    static let all: [(name: String, header: String)] = [
        ("eaUsageDetailsV2", eaUsageDetailsV2),
        ("eaExports2021_01", eaExports2021_01),
        ("eaExports2021_10", eaExports2021_10),
        ("mca", mca),
        ("mpa", mpa),
        ("payAsYouGo", payAsYouGo),
        ("managementGroup", managementGroup),
        ("legacyEAv1", legacyEAv1),
        ("eaExports2024_08", eaExports2024_08),
    ]
}
