-- 0003: files from the wild. FOCUS files keep their own columns (FOCUS costs on the fact
-- row, FOCUS-only charge and commitment columns on the product dimension), the ledger says
-- how each file was read, and the views return the new columns.

ALTER TABLE loads ADD COLUMN Dialect TEXT;  -- how the files were read: encoding, delimiter, decimal comma, date order

ALTER TABLE cost_fact ADD COLUMN BilledCost REAL;      -- FOCUS files only: the costs as the file gave them
ALTER TABLE cost_fact ADD COLUMN EffectiveCost REAL;
ALTER TABLE cost_fact ADD COLUMN ListCost REAL;
ALTER TABLE cost_fact ADD COLUMN ContractedCost REAL;

ALTER TABLE dim_product ADD COLUMN ChargeCategory TEXT;  -- FOCUS files only, as the file gave them
ALTER TABLE dim_product ADD COLUMN ChargeClass TEXT;
ALTER TABLE dim_product ADD COLUMN ChargeFrequency TEXT;
ALTER TABLE dim_product ADD COLUMN ChargeDescription TEXT;
ALTER TABLE dim_product ADD COLUMN PricingCategory TEXT;
ALTER TABLE dim_product ADD COLUMN PricingUnit TEXT;
ALTER TABLE dim_product ADD COLUMN CommitmentDiscountStatus TEXT;
ALTER TABLE dim_product ADD COLUMN CommitmentDiscountType TEXT;
ALTER TABLE dim_product ADD COLUMN CommitmentDiscountCategory TEXT;
ALTER TABLE dim_product ADD COLUMN ServiceCategory TEXT;
ALTER TABLE dim_product ADD COLUMN InvoiceIssuerName TEXT;
ALTER TABLE dim_product ADD COLUMN RegionId TEXT;
ALTER TABLE dim_product ADD COLUMN RegionName TEXT;
ALTER TABLE dim_product ADD COLUMN SkuId TEXT;
ALTER TABLE dim_product ADD COLUMN SkuPriceId TEXT;

DROP VIEW focus_costs;
DROP VIEW cost_details;

-- What analysts query: one row per cost record of every current partition.
CREATE VIEW cost_details AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    f.Date, f.ChargeType, f.PricingModel, f.CostInBillingCurrency, f.BillingCurrency,
    f.Quantity, f.EffectivePrice, f.UnitPrice, f.PayGPrice, f.CostInPricingCurrency, f.CostInUsd, f.PaygCostInBillingCurrency, f.PaygCostInUsd, f.ExchangeRatePricingToBilling, f.PartnerEarnedCreditRate,
    f.BilledCost, f.EffectiveCost, f.ListCost, f.ContractedCost,
    a.BillingAccountId, a.BillingAccountName, a.BillingProfileId, a.BillingProfileName, a.InvoiceSectionId, a.InvoiceSectionName, a.AccountOwnerId, a.AccountName, a.AccountId, a.SubscriptionId, a.SubscriptionName, a.CostCenter, a.OfferId, a.InvoiceId, a.PreviousInvoiceId, a.ResellerName, a.ResellerMpnId, a.PartnerTenantId, a.PartnerName, a.CustomerTenantId, a.CustomerName, a.ServiceAdministratorId, a.BillingPeriodStartDate, a.BillingPeriodEndDate, a.ServicePeriodStartDate, a.ServicePeriodEndDate, a.ExchangeRateDate, a.PricingCurrency,
    r.ResourceId, r.ResourceName, r.ResourceGroup, r.ResourceType, r.ResourceLocation, r.ResourceLocationNormalized, r.Location, r.AvailabilityZone, r.ConsumedService, r.ServiceInfo1, r.ServiceInfo2, r.CostAllocationRuleName,
    m.MeterId, m.MeterName, m.MeterCategory, m.MeterSubCategory, m.MeterRegion, m.ServiceFamily, m.ProductName, m.ProductId, m.PartNumber, m.UnitOfMeasure, m.Frequency, m.PublisherType, m.PublisherName, m.PublisherId, m.PlanName, m.IsAzureCreditEligible, m.Provider, m.ServiceName, m.ServiceTier, m.ProductOrderId, m.ProductOrderName, m.Term, m.ReservationId, m.ReservationName, m.BenefitId, m.BenefitName, m.PartnerEarnedCreditApplied, m.StoreServiceIdentifier,
    m.ChargeCategory, m.ChargeClass, m.ChargeFrequency, m.ChargeDescription, m.PricingCategory, m.PricingUnit, m.CommitmentDiscountStatus, m.CommitmentDiscountType, m.CommitmentDiscountCategory, m.ServiceCategory, m.InvoiceIssuerName, m.RegionId, m.RegionName, m.SkuId, m.SkuPriceId,
    t.Tags, i.AdditionalInfo, x.ExtraColumns,
    f.SourcePart, f.SourceLine
FROM partitions p
JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId
LEFT JOIN dim_account a ON a.AccountKey = f.AccountKey
LEFT JOIN dim_resource r ON r.ResourceKey = f.ResourceKey
LEFT JOIN dim_product m ON m.ProductKey = f.ProductKey
LEFT JOIN dim_tags t ON t.TagsKey = f.TagsKey
LEFT JOIN dim_info i ON i.InfoKey = f.InfoKey
LEFT JOIN dim_extra x ON x.ExtraKey = f.ExtraKey;

-- FOCUS-style costs (FinOps toolkit, docs-mslearn/focus/convert.md): all amortized rows,
-- plus the actual Purchase/Refund rows of reservations and savings plans, so nothing is
-- counted twice. BilledCost is what the invoice shows, EffectiveCost the amortized cost.
-- Commitment-covered usage, used or unused, was billed by its purchase: BilledCost 0.
-- Rows loaded from a FOCUS file return the FOCUS values the file gave (COALESCE below).
CREATE VIEW focus_costs AS
SELECT
    c.Scope,
    c.BillingPeriod,
    c.Metric AS x_SourceMetric,
    COALESCE(c.BilledCost, CASE
        WHEN c.ChargeType IN ('Usage', 'UnusedReservation', 'UnusedSavingsPlan') AND c.PricingModel IN ('Reservation', 'SavingsPlan') THEN 0
        ELSE c.CostInBillingCurrency
    END) AS BilledCost,
    COALESCE(c.EffectiveCost, CASE
        WHEN c.ChargeType IN ('Purchase', 'Refund') AND c.PricingModel IN ('Reservation', 'SavingsPlan') THEN 0
        ELSE c.CostInBillingCurrency
    END) AS EffectiveCost,
    c.ListCost,
    c.ContractedCost,
    c.BillingCurrency,
    COALESCE(c.ChargeCategory, CASE
        WHEN c.ChargeType IN ('Usage', 'Purchase', 'Credit', 'Tax') THEN c.ChargeType
        WHEN c.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 'Usage'
        WHEN c.ChargeType = 'Refund' THEN 'Purchase'
        ELSE 'Adjustment'
    END) AS ChargeCategory,
    COALESCE(c.ChargeClass, CASE WHEN c.ChargeType = 'Refund' THEN 'Correction' END) AS ChargeClass,
    c.ChargeFrequency,
    COALESCE(c.PricingCategory, CASE c.PricingModel
        WHEN 'OnDemand' THEN 'Standard'
        WHEN 'Spot' THEN 'Dynamic'
        WHEN 'Reservation' THEN 'Committed'
        WHEN 'SavingsPlan' THEN 'Committed'
    END) AS PricingCategory,
    COALESCE(c.CommitmentDiscountStatus, CASE
        WHEN c.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 'Unused'
        WHEN c.ChargeType = 'Usage' AND c.PricingModel IN ('Reservation', 'SavingsPlan') THEN 'Used'
    END) AS CommitmentDiscountStatus,
    COALESCE(c.CommitmentDiscountType, CASE c.PricingModel
        WHEN 'Reservation' THEN 'Reservation'
        WHEN 'SavingsPlan' THEN 'Savings Plan'
    END) AS CommitmentDiscountType,
    CASE WHEN c.PricingModel IN ('Reservation', 'SavingsPlan') THEN c.BenefitId END AS CommitmentDiscountId,
    CASE WHEN c.PricingModel IN ('Reservation', 'SavingsPlan') THEN c.BenefitName END AS CommitmentDiscountName,
    c.Date AS ChargePeriodStart,
    date(c.Date, '+1 day') AS ChargePeriodEnd,
    c.BillingPeriodStartDate AS BillingPeriodStart,
    date(c.BillingPeriodEndDate, '+1 day') AS BillingPeriodEnd,
    COALESCE(c.BillingProfileId, c.BillingAccountId) AS BillingAccountId,
    COALESCE(c.BillingProfileName, c.BillingAccountName) AS BillingAccountName,
    c.SubscriptionId AS SubAccountId,
    c.SubscriptionName AS SubAccountName,
    c.ResourceId,
    c.ResourceName,
    c.ResourceGroup AS x_ResourceGroupName,
    COALESCE(c.RegionId, c.ResourceLocation) AS RegionId,
    c.RegionName,
    COALESCE(c.ServiceCategory, c.ServiceFamily) AS ServiceCategory,
    c.ServiceName,
    COALESCE(c.Provider, 'Microsoft') AS ProviderName,
    c.InvoiceIssuerName,
    c.SkuId,
    c.SkuPriceId,
    c.ChargeDescription,
    c.MeterCategory AS x_SkuMeterCategory,
    c.MeterId AS x_SkuMeterId,
    c.MeterName AS x_SkuMeterName,
    c.Quantity AS ConsumedQuantity,
    c.UnitOfMeasure AS ConsumedUnit,
    c.PricingUnit,
    c.PayGPrice AS ListUnitPrice,
    c.EffectivePrice AS x_EffectiveUnitPrice,
    c.UnitPrice AS ContractedUnitPrice,
    c.PublisherName,
    c.PublisherName AS x_PublisherName,
    c.PublisherType AS x_PublisherCategory,
    c.Tags,
    c.ExtraColumns AS x_ExtraColumns,
    c.ChargeType AS x_ChargeType,
    c.PricingModel AS x_PricingModel
FROM cost_details c
JOIN comparable_periods p ON p.Scope = c.Scope AND p.BillingPeriod = c.BillingPeriod
WHERE c.Metric = 'AmortizedCost'
    OR (c.Metric = 'ActualCost' AND c.ChargeType IN ('Purchase', 'Refund') AND c.PricingModel IN ('Reservation', 'SavingsPlan'));
