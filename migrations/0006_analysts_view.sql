-- Analysts' GROUP BYs through cost_details.
--
-- SQLite drops an unused LEFT JOIN on a unique key only when the query does not aggregate,
-- so `SELECT ResourceGroup, SUM(CostInBillingCurrency) FROM cost_details ... GROUP BY 1`
-- looked up all six dimension rows for every fact row, about half of its time. Each
-- dimension column is now a scalar subquery on the dimension's INTEGER PRIMARY KEY: the
-- view is flattened into the analyst's query, and a column the query does not use costs
-- nothing. A column that is used costs one rowid lookup per row, as the join did.
--
-- cost_details_wide has the same rows and columns written as joins: cheaper for a query that
-- reads many columns of one dimension (SELECT *, copies, exports, the canned savings and
-- commitments queries), where the subqueries would look the same row up once per column.
-- Resource group is what analysts group by most. dim_resource's rows are wide (long ids),
-- so a lookup per cost row misses a client's default 2 MB cache; this narrow index stays in
-- it (A1 in docs/PERFORMANCE.md: 3.8 s to 2.3 s for a 2 M-row month).
CREATE INDEX dim_resource_group_by_key ON dim_resource(ResourceKey, ResourceGroup);
DROP VIEW focus_costs;
DROP VIEW cost_details;

-- What analysts query: one row per cost record of every current partition.
CREATE VIEW cost_details AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    f.Date, f.ChargeType, f.PricingModel, f.CostInBillingCurrency, f.BillingCurrency,
    f.Quantity, f.EffectivePrice, f.UnitPrice, f.PayGPrice, f.CostInPricingCurrency, f.CostInUsd, f.PaygCostInBillingCurrency, f.PaygCostInUsd, f.ExchangeRatePricingToBilling, f.PartnerEarnedCreditRate,
    f.BilledCost,
    COALESCE(f.EffectiveCost, CASE WHEN p.Metric = 'AmortizedCost' THEN f.CostInBillingCurrency END) AS EffectiveCost,
    COALESCE(f.ListCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.PayGPrice > 0 OR (f.PayGPrice = 0 AND COALESCE(f.UnitPrice, 0) = 0)
            THEN f.PayGPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
        WHEN f.PaygCostInBillingCurrency > 0 THEN f.PaygCostInBillingCurrency
        ELSE (
            SELECT lp.MarketPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
                * CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE (CASE WHEN CAST(m.UnitOfMeasure AS REAL) > 0 THEN CAST(m.UnitOfMeasure AS REAL) ELSE 1.0 END) / lp.UnitMultiplier END
            FROM dim_product m
            JOIN list_prices lp ON lp.BillingPeriod = p.BillingPeriod AND lp.MeterId = m.MeterId
            WHERE m.ProductKey = f.ProductKey AND COALESCE(m.PublisherType, '') <> 'Marketplace'
                AND lp.BillingProfileId = (
                    SELECT COALESCE(a.BillingProfileId, a.BillingAccountId) FROM dim_account a WHERE a.AccountKey = f.AccountKey))
    END) AS ListCost,
    COALESCE(f.ContractedCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.UnitPrice IS NOT NULL THEN f.UnitPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
    END) AS ContractedCost,
    (SELECT BillingAccountId FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingAccountId,
    (SELECT BillingAccountName FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingAccountName,
    (SELECT BillingProfileId FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingProfileId,
    (SELECT BillingProfileName FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingProfileName,
    (SELECT InvoiceSectionId FROM dim_account WHERE AccountKey = f.AccountKey) AS InvoiceSectionId,
    (SELECT InvoiceSectionName FROM dim_account WHERE AccountKey = f.AccountKey) AS InvoiceSectionName,
    (SELECT AccountOwnerId FROM dim_account WHERE AccountKey = f.AccountKey) AS AccountOwnerId,
    (SELECT AccountName FROM dim_account WHERE AccountKey = f.AccountKey) AS AccountName,
    (SELECT AccountId FROM dim_account WHERE AccountKey = f.AccountKey) AS AccountId,
    (SELECT SubscriptionId FROM dim_account WHERE AccountKey = f.AccountKey) AS SubscriptionId,
    (SELECT SubscriptionName FROM dim_account WHERE AccountKey = f.AccountKey) AS SubscriptionName,
    (SELECT CostCenter FROM dim_account WHERE AccountKey = f.AccountKey) AS CostCenter,
    (SELECT OfferId FROM dim_account WHERE AccountKey = f.AccountKey) AS OfferId,
    (SELECT InvoiceId FROM dim_account WHERE AccountKey = f.AccountKey) AS InvoiceId,
    (SELECT PreviousInvoiceId FROM dim_account WHERE AccountKey = f.AccountKey) AS PreviousInvoiceId,
    (SELECT ResellerName FROM dim_account WHERE AccountKey = f.AccountKey) AS ResellerName,
    (SELECT ResellerMpnId FROM dim_account WHERE AccountKey = f.AccountKey) AS ResellerMpnId,
    (SELECT PartnerTenantId FROM dim_account WHERE AccountKey = f.AccountKey) AS PartnerTenantId,
    (SELECT PartnerName FROM dim_account WHERE AccountKey = f.AccountKey) AS PartnerName,
    (SELECT CustomerTenantId FROM dim_account WHERE AccountKey = f.AccountKey) AS CustomerTenantId,
    (SELECT CustomerName FROM dim_account WHERE AccountKey = f.AccountKey) AS CustomerName,
    (SELECT ServiceAdministratorId FROM dim_account WHERE AccountKey = f.AccountKey) AS ServiceAdministratorId,
    (SELECT BillingPeriodStartDate FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingPeriodStartDate,
    (SELECT BillingPeriodEndDate FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingPeriodEndDate,
    (SELECT ServicePeriodStartDate FROM dim_account WHERE AccountKey = f.AccountKey) AS ServicePeriodStartDate,
    (SELECT ServicePeriodEndDate FROM dim_account WHERE AccountKey = f.AccountKey) AS ServicePeriodEndDate,
    (SELECT ExchangeRateDate FROM dim_account WHERE AccountKey = f.AccountKey) AS ExchangeRateDate,
    (SELECT PricingCurrency FROM dim_account WHERE AccountKey = f.AccountKey) AS PricingCurrency,
    (SELECT ResourceId FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ResourceId,
    (SELECT ResourceName FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ResourceName,
    (SELECT ResourceGroup FROM dim_resource INDEXED BY dim_resource_group_by_key WHERE ResourceKey = f.ResourceKey) AS ResourceGroup,
    (SELECT ResourceType FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ResourceType,
    (SELECT ResourceLocation FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ResourceLocation,
    (SELECT ResourceLocationNormalized FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ResourceLocationNormalized,
    (SELECT Location FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS Location,
    (SELECT AvailabilityZone FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS AvailabilityZone,
    (SELECT ConsumedService FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ConsumedService,
    (SELECT ServiceInfo1 FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ServiceInfo1,
    (SELECT ServiceInfo2 FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ServiceInfo2,
    (SELECT CostAllocationRuleName FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS CostAllocationRuleName,
    (SELECT MeterId FROM dim_product WHERE ProductKey = f.ProductKey) AS MeterId,
    (SELECT MeterName FROM dim_product WHERE ProductKey = f.ProductKey) AS MeterName,
    (SELECT MeterCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS MeterCategory,
    (SELECT MeterSubCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS MeterSubCategory,
    (SELECT MeterRegion FROM dim_product WHERE ProductKey = f.ProductKey) AS MeterRegion,
    (SELECT ServiceFamily FROM dim_product WHERE ProductKey = f.ProductKey) AS ServiceFamily,
    (SELECT ProductName FROM dim_product WHERE ProductKey = f.ProductKey) AS ProductName,
    (SELECT ProductId FROM dim_product WHERE ProductKey = f.ProductKey) AS ProductId,
    (SELECT PartNumber FROM dim_product WHERE ProductKey = f.ProductKey) AS PartNumber,
    (SELECT UnitOfMeasure FROM dim_product WHERE ProductKey = f.ProductKey) AS UnitOfMeasure,
    (SELECT Frequency FROM dim_product WHERE ProductKey = f.ProductKey) AS Frequency,
    (SELECT PublisherType FROM dim_product WHERE ProductKey = f.ProductKey) AS PublisherType,
    (SELECT PublisherName FROM dim_product WHERE ProductKey = f.ProductKey) AS PublisherName,
    (SELECT PublisherId FROM dim_product WHERE ProductKey = f.ProductKey) AS PublisherId,
    (SELECT PlanName FROM dim_product WHERE ProductKey = f.ProductKey) AS PlanName,
    (SELECT IsAzureCreditEligible FROM dim_product WHERE ProductKey = f.ProductKey) AS IsAzureCreditEligible,
    (SELECT Provider FROM dim_product WHERE ProductKey = f.ProductKey) AS Provider,
    (SELECT ServiceName FROM dim_product WHERE ProductKey = f.ProductKey) AS ServiceName,
    (SELECT ServiceTier FROM dim_product WHERE ProductKey = f.ProductKey) AS ServiceTier,
    (SELECT ProductOrderId FROM dim_product WHERE ProductKey = f.ProductKey) AS ProductOrderId,
    (SELECT ProductOrderName FROM dim_product WHERE ProductKey = f.ProductKey) AS ProductOrderName,
    (SELECT Term FROM dim_product WHERE ProductKey = f.ProductKey) AS Term,
    (SELECT ReservationId FROM dim_product WHERE ProductKey = f.ProductKey) AS ReservationId,
    (SELECT ReservationName FROM dim_product WHERE ProductKey = f.ProductKey) AS ReservationName,
    (SELECT BenefitId FROM dim_product WHERE ProductKey = f.ProductKey) AS BenefitId,
    (SELECT BenefitName FROM dim_product WHERE ProductKey = f.ProductKey) AS BenefitName,
    (SELECT PartnerEarnedCreditApplied FROM dim_product WHERE ProductKey = f.ProductKey) AS PartnerEarnedCreditApplied,
    (SELECT StoreServiceIdentifier FROM dim_product WHERE ProductKey = f.ProductKey) AS StoreServiceIdentifier,
    (SELECT ChargeCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS ChargeCategory,
    (SELECT ChargeClass FROM dim_product WHERE ProductKey = f.ProductKey) AS ChargeClass,
    (SELECT ChargeFrequency FROM dim_product WHERE ProductKey = f.ProductKey) AS ChargeFrequency,
    (SELECT ChargeDescription FROM dim_product WHERE ProductKey = f.ProductKey) AS ChargeDescription,
    (SELECT PricingCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS PricingCategory,
    (SELECT PricingUnit FROM dim_product WHERE ProductKey = f.ProductKey) AS PricingUnit,
    (SELECT CommitmentDiscountStatus FROM dim_product WHERE ProductKey = f.ProductKey) AS CommitmentDiscountStatus,
    (SELECT CommitmentDiscountType FROM dim_product WHERE ProductKey = f.ProductKey) AS CommitmentDiscountType,
    (SELECT CommitmentDiscountCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS CommitmentDiscountCategory,
    (SELECT ServiceCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS ServiceCategory,
    (SELECT InvoiceIssuerName FROM dim_product WHERE ProductKey = f.ProductKey) AS InvoiceIssuerName,
    (SELECT RegionId FROM dim_product WHERE ProductKey = f.ProductKey) AS RegionId,
    (SELECT RegionName FROM dim_product WHERE ProductKey = f.ProductKey) AS RegionName,
    (SELECT SkuId FROM dim_product WHERE ProductKey = f.ProductKey) AS SkuId,
    (SELECT SkuPriceId FROM dim_product WHERE ProductKey = f.ProductKey) AS SkuPriceId,
    (SELECT Tags FROM dim_tags WHERE TagsKey = f.TagsKey) AS Tags,
    (SELECT AdditionalInfo FROM dim_info WHERE InfoKey = f.InfoKey) AS AdditionalInfo,
    (SELECT ExtraColumns FROM dim_extra WHERE ExtraKey = f.ExtraKey) AS ExtraColumns,
    f.SourcePart, f.SourceLine
FROM partitions p
JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId;

-- The same rows and columns as cost_details, as joins: for queries that read whole rows.
CREATE VIEW cost_details_wide AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    f.Date, f.ChargeType, f.PricingModel, f.CostInBillingCurrency, f.BillingCurrency,
    f.Quantity, f.EffectivePrice, f.UnitPrice, f.PayGPrice, f.CostInPricingCurrency, f.CostInUsd, f.PaygCostInBillingCurrency, f.PaygCostInUsd, f.ExchangeRatePricingToBilling, f.PartnerEarnedCreditRate,
    f.BilledCost,
    COALESCE(f.EffectiveCost, CASE WHEN p.Metric = 'AmortizedCost' THEN f.CostInBillingCurrency END) AS EffectiveCost,
    COALESCE(f.ListCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.PayGPrice > 0 OR (f.PayGPrice = 0 AND COALESCE(f.UnitPrice, 0) = 0)
            THEN f.PayGPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
        WHEN f.PaygCostInBillingCurrency > 0 THEN f.PaygCostInBillingCurrency
        WHEN COALESCE(m.PublisherType, '') <> 'Marketplace' THEN (
            SELECT lp.MarketPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
                * CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE (CASE WHEN CAST(m.UnitOfMeasure AS REAL) > 0 THEN CAST(m.UnitOfMeasure AS REAL) ELSE 1.0 END) / lp.UnitMultiplier END
            FROM list_prices lp
            WHERE lp.BillingProfileId = COALESCE(a.BillingProfileId, a.BillingAccountId)
                AND lp.BillingPeriod = p.BillingPeriod AND lp.MeterId = m.MeterId)
    END) AS ListCost,
    COALESCE(f.ContractedCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.UnitPrice IS NOT NULL THEN f.UnitPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
    END) AS ContractedCost,
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
    CASE WHEN c.Quantity <> 0 THEN c.ListCost / c.Quantity END AS ListUnitPrice,
    c.EffectivePrice AS x_EffectiveUnitPrice,
    c.UnitPrice AS ContractedUnitPrice,
    c.PublisherName,
    c.PublisherName AS x_PublisherName,
    c.PublisherType AS x_PublisherCategory,
    c.Tags,
    c.ExtraColumns AS x_ExtraColumns,
    c.ChargeType AS x_ChargeType,
    c.PricingModel AS x_PricingModel
FROM cost_details_wide c
JOIN comparable_periods p ON p.Scope = c.Scope AND p.BillingPeriod = c.BillingPeriod
WHERE c.Metric = 'AmortizedCost'
    OR (c.Metric = 'ActualCost' AND c.ChargeType IN ('Purchase', 'Refund') AND c.PricingModel IN ('Reservation', 'SavingsPlan'));


-- cost_details without Date, added up per load: each current load's summary_resource rows,
-- one per currency, charge type, pricing model, account, resource, product and tag set
-- (about a twentieth of the cost rows). Totals by subscription, resource group, meter or tag
-- over months answer from here in about a second; Rows counts the cost records behind a row.
-- For dates, query cost_details (or cost_comparison_daily).
CREATE VIEW cost_summary AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    s.BillingCurrency, s.ChargeType, s.PricingModel, s.Cost AS CostInBillingCurrency, s.Rows,
    (SELECT BillingAccountId FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingAccountId,
    (SELECT BillingAccountName FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingAccountName,
    (SELECT BillingProfileId FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingProfileId,
    (SELECT BillingProfileName FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingProfileName,
    (SELECT InvoiceSectionId FROM dim_account WHERE AccountKey = s.AccountKey) AS InvoiceSectionId,
    (SELECT InvoiceSectionName FROM dim_account WHERE AccountKey = s.AccountKey) AS InvoiceSectionName,
    (SELECT AccountOwnerId FROM dim_account WHERE AccountKey = s.AccountKey) AS AccountOwnerId,
    (SELECT AccountName FROM dim_account WHERE AccountKey = s.AccountKey) AS AccountName,
    (SELECT AccountId FROM dim_account WHERE AccountKey = s.AccountKey) AS AccountId,
    (SELECT SubscriptionId FROM dim_account WHERE AccountKey = s.AccountKey) AS SubscriptionId,
    (SELECT SubscriptionName FROM dim_account WHERE AccountKey = s.AccountKey) AS SubscriptionName,
    (SELECT CostCenter FROM dim_account WHERE AccountKey = s.AccountKey) AS CostCenter,
    (SELECT OfferId FROM dim_account WHERE AccountKey = s.AccountKey) AS OfferId,
    (SELECT InvoiceId FROM dim_account WHERE AccountKey = s.AccountKey) AS InvoiceId,
    (SELECT PreviousInvoiceId FROM dim_account WHERE AccountKey = s.AccountKey) AS PreviousInvoiceId,
    (SELECT ResellerName FROM dim_account WHERE AccountKey = s.AccountKey) AS ResellerName,
    (SELECT ResellerMpnId FROM dim_account WHERE AccountKey = s.AccountKey) AS ResellerMpnId,
    (SELECT PartnerTenantId FROM dim_account WHERE AccountKey = s.AccountKey) AS PartnerTenantId,
    (SELECT PartnerName FROM dim_account WHERE AccountKey = s.AccountKey) AS PartnerName,
    (SELECT CustomerTenantId FROM dim_account WHERE AccountKey = s.AccountKey) AS CustomerTenantId,
    (SELECT CustomerName FROM dim_account WHERE AccountKey = s.AccountKey) AS CustomerName,
    (SELECT ServiceAdministratorId FROM dim_account WHERE AccountKey = s.AccountKey) AS ServiceAdministratorId,
    (SELECT BillingPeriodStartDate FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingPeriodStartDate,
    (SELECT BillingPeriodEndDate FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingPeriodEndDate,
    (SELECT ServicePeriodStartDate FROM dim_account WHERE AccountKey = s.AccountKey) AS ServicePeriodStartDate,
    (SELECT ServicePeriodEndDate FROM dim_account WHERE AccountKey = s.AccountKey) AS ServicePeriodEndDate,
    (SELECT ExchangeRateDate FROM dim_account WHERE AccountKey = s.AccountKey) AS ExchangeRateDate,
    (SELECT PricingCurrency FROM dim_account WHERE AccountKey = s.AccountKey) AS PricingCurrency,
    (SELECT ResourceId FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ResourceId,
    (SELECT ResourceName FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ResourceName,
    (SELECT ResourceGroup FROM dim_resource INDEXED BY dim_resource_group_by_key WHERE ResourceKey = s.ResourceKey) AS ResourceGroup,
    (SELECT ResourceType FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ResourceType,
    (SELECT ResourceLocation FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ResourceLocation,
    (SELECT ResourceLocationNormalized FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ResourceLocationNormalized,
    (SELECT Location FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS Location,
    (SELECT AvailabilityZone FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS AvailabilityZone,
    (SELECT ConsumedService FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ConsumedService,
    (SELECT ServiceInfo1 FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ServiceInfo1,
    (SELECT ServiceInfo2 FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ServiceInfo2,
    (SELECT CostAllocationRuleName FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS CostAllocationRuleName,
    (SELECT MeterId FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterId,
    (SELECT MeterName FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterName,
    (SELECT MeterCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterCategory,
    (SELECT MeterSubCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterSubCategory,
    (SELECT MeterRegion FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterRegion,
    (SELECT ServiceFamily FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceFamily,
    (SELECT ProductName FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductName,
    (SELECT ProductId FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductId,
    (SELECT PartNumber FROM dim_product WHERE ProductKey = s.ProductKey) AS PartNumber,
    (SELECT UnitOfMeasure FROM dim_product WHERE ProductKey = s.ProductKey) AS UnitOfMeasure,
    (SELECT Frequency FROM dim_product WHERE ProductKey = s.ProductKey) AS Frequency,
    (SELECT PublisherType FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherType,
    (SELECT PublisherName FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherName,
    (SELECT PublisherId FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherId,
    (SELECT PlanName FROM dim_product WHERE ProductKey = s.ProductKey) AS PlanName,
    (SELECT IsAzureCreditEligible FROM dim_product WHERE ProductKey = s.ProductKey) AS IsAzureCreditEligible,
    (SELECT Provider FROM dim_product WHERE ProductKey = s.ProductKey) AS Provider,
    (SELECT ServiceName FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceName,
    (SELECT ServiceTier FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceTier,
    (SELECT ProductOrderId FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductOrderId,
    (SELECT ProductOrderName FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductOrderName,
    (SELECT Term FROM dim_product WHERE ProductKey = s.ProductKey) AS Term,
    (SELECT ReservationId FROM dim_product WHERE ProductKey = s.ProductKey) AS ReservationId,
    (SELECT ReservationName FROM dim_product WHERE ProductKey = s.ProductKey) AS ReservationName,
    (SELECT BenefitId FROM dim_product WHERE ProductKey = s.ProductKey) AS BenefitId,
    (SELECT BenefitName FROM dim_product WHERE ProductKey = s.ProductKey) AS BenefitName,
    (SELECT PartnerEarnedCreditApplied FROM dim_product WHERE ProductKey = s.ProductKey) AS PartnerEarnedCreditApplied,
    (SELECT StoreServiceIdentifier FROM dim_product WHERE ProductKey = s.ProductKey) AS StoreServiceIdentifier,
    (SELECT ChargeCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeCategory,
    (SELECT ChargeClass FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeClass,
    (SELECT ChargeFrequency FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeFrequency,
    (SELECT ChargeDescription FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeDescription,
    (SELECT PricingCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS PricingCategory,
    (SELECT PricingUnit FROM dim_product WHERE ProductKey = s.ProductKey) AS PricingUnit,
    (SELECT CommitmentDiscountStatus FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountStatus,
    (SELECT CommitmentDiscountType FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountType,
    (SELECT CommitmentDiscountCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountCategory,
    (SELECT ServiceCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceCategory,
    (SELECT InvoiceIssuerName FROM dim_product WHERE ProductKey = s.ProductKey) AS InvoiceIssuerName,
    (SELECT RegionId FROM dim_product WHERE ProductKey = s.ProductKey) AS RegionId,
    (SELECT RegionName FROM dim_product WHERE ProductKey = s.ProductKey) AS RegionName,
    (SELECT SkuId FROM dim_product WHERE ProductKey = s.ProductKey) AS SkuId,
    (SELECT SkuPriceId FROM dim_product WHERE ProductKey = s.ProductKey) AS SkuPriceId,
    (SELECT Tags FROM dim_tags WHERE TagsKey = s.TagsKey) AS Tags
FROM partitions p
JOIN summary_resource s ON s.LoadId = p.LoadId;

-- The daily summary is kept per product (SummaryBuilder). The current loads' daily rows are
-- rebuilt from their fact rows once, here; the rounding is CostUnits' (one read of the table).
ALTER TABLE summary_daily ADD COLUMN ProductKey INTEGER;
DELETE FROM summary_daily WHERE LoadId IN (SELECT LoadId FROM partitions);
INSERT INTO summary_daily (LoadId, Date, BillingCurrency, ChargeType, PricingModel, ProductKey, Cost, CostUnits, Rows)
SELECT p.LoadId, f.Date, f.BillingCurrency, f.ChargeType, f.PricingModel, f.ProductKey, TOTAL(f.CostInBillingCurrency),
       SUM(CAST(f.CostInBillingCurrency * 1000000.0 + (CASE WHEN f.CostInBillingCurrency < 0 THEN -0.5 ELSE 0.5 END) AS INTEGER)), COUNT(*)
FROM partitions p
JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId
GROUP BY p.LoadId, f.Date, f.BillingCurrency, f.ChargeType, f.PricingModel, f.ProductKey;

-- cost_details added up per load, day and product (summary_daily): daily cost by meter
-- category, service or product reads about a hundredth of the cost rows. Rows counts the
-- cost records behind a row.
CREATE VIEW cost_daily_summary AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    s.Date, s.BillingCurrency, s.ChargeType, s.PricingModel, s.Cost AS CostInBillingCurrency, s.Rows,
    (SELECT MeterId FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterId,
    (SELECT MeterName FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterName,
    (SELECT MeterCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterCategory,
    (SELECT MeterSubCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterSubCategory,
    (SELECT MeterRegion FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterRegion,
    (SELECT ServiceFamily FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceFamily,
    (SELECT ProductName FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductName,
    (SELECT ProductId FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductId,
    (SELECT PartNumber FROM dim_product WHERE ProductKey = s.ProductKey) AS PartNumber,
    (SELECT UnitOfMeasure FROM dim_product WHERE ProductKey = s.ProductKey) AS UnitOfMeasure,
    (SELECT Frequency FROM dim_product WHERE ProductKey = s.ProductKey) AS Frequency,
    (SELECT PublisherType FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherType,
    (SELECT PublisherName FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherName,
    (SELECT PublisherId FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherId,
    (SELECT PlanName FROM dim_product WHERE ProductKey = s.ProductKey) AS PlanName,
    (SELECT IsAzureCreditEligible FROM dim_product WHERE ProductKey = s.ProductKey) AS IsAzureCreditEligible,
    (SELECT Provider FROM dim_product WHERE ProductKey = s.ProductKey) AS Provider,
    (SELECT ServiceName FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceName,
    (SELECT ServiceTier FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceTier,
    (SELECT ProductOrderId FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductOrderId,
    (SELECT ProductOrderName FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductOrderName,
    (SELECT Term FROM dim_product WHERE ProductKey = s.ProductKey) AS Term,
    (SELECT ReservationId FROM dim_product WHERE ProductKey = s.ProductKey) AS ReservationId,
    (SELECT ReservationName FROM dim_product WHERE ProductKey = s.ProductKey) AS ReservationName,
    (SELECT BenefitId FROM dim_product WHERE ProductKey = s.ProductKey) AS BenefitId,
    (SELECT BenefitName FROM dim_product WHERE ProductKey = s.ProductKey) AS BenefitName,
    (SELECT PartnerEarnedCreditApplied FROM dim_product WHERE ProductKey = s.ProductKey) AS PartnerEarnedCreditApplied,
    (SELECT StoreServiceIdentifier FROM dim_product WHERE ProductKey = s.ProductKey) AS StoreServiceIdentifier,
    (SELECT ChargeCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeCategory,
    (SELECT ChargeClass FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeClass,
    (SELECT ChargeFrequency FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeFrequency,
    (SELECT ChargeDescription FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeDescription,
    (SELECT PricingCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS PricingCategory,
    (SELECT PricingUnit FROM dim_product WHERE ProductKey = s.ProductKey) AS PricingUnit,
    (SELECT CommitmentDiscountStatus FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountStatus,
    (SELECT CommitmentDiscountType FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountType,
    (SELECT CommitmentDiscountCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountCategory,
    (SELECT ServiceCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceCategory,
    (SELECT InvoiceIssuerName FROM dim_product WHERE ProductKey = s.ProductKey) AS InvoiceIssuerName,
    (SELECT RegionId FROM dim_product WHERE ProductKey = s.ProductKey) AS RegionId,
    (SELECT RegionName FROM dim_product WHERE ProductKey = s.ProductKey) AS RegionName,
    (SELECT SkuId FROM dim_product WHERE ProductKey = s.ProductKey) AS SkuId,
    (SELECT SkuPriceId FROM dim_product WHERE ProductKey = s.ProductKey) AS SkuPriceId
FROM partitions p
JOIN summary_daily s ON s.LoadId = p.LoadId;
