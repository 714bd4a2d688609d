-- A month's question on a warehouse of few loads is planned for its real number of rows
-- (#31 §4). cost_details joined each fact row to its load's row in `partitions`. PostgreSQL
-- has no statistics for a UNION ALL (cost_fact_periods), so it assumes 200 distinct LoadIds
-- there and estimates the inner join at |partitions| / 200 of the fact rows: 1 % of a month
-- on a warehouse of two loads. It then sorted the month's 2 M rows to group them (on disk, past
-- work_mem) where hashing 1,281 groups was the plan: 0.73 s for a month against 0.43 s.
--
-- An outer join is estimated at no fewer rows than its outer side, so the fact rows now come
-- first and `partitions` is left-joined to them. The rows of a replaced load that is not
-- purged yet (its table stays attached until no reader can see it) have no partition and are
-- dropped by the WHERE clause, so the view's rows are exactly those of the inner join. The
-- test is written `(p.LoadId IS NOT NULL) IS TRUE` on purpose: PostgreSQL turns an outer join back
-- into an inner one when a WHERE clause rejects its NULLs in a way it recognises (a plain
-- `IS NOT NULL`, or a filter on Scope or Metric, which then plans as before), and it
-- estimates this test at the share of non-NULL LoadIds in `partitions`: all of them.

CREATE OR REPLACE VIEW cost_details AS
SELECT
    p.Scope, f.BillingPeriod, p.Metric, p.LoadId,
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
                * CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE COALESCE(NULLIF(substring(m.UnitOfMeasure from '^[0-9]+(\.[0-9]+)?'), '')::float8, 1.0) / lp.UnitMultiplier END
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
FROM cost_fact_periods f
LEFT JOIN partitions p ON p.LoadId = f.LoadId
LEFT JOIN dim_account a ON a.AccountKey = f.AccountKey
LEFT JOIN dim_resource r ON r.ResourceKey = f.ResourceKey
LEFT JOIN dim_product m ON m.ProductKey = f.ProductKey
LEFT JOIN dim_tags t ON t.TagsKey = f.TagsKey
LEFT JOIN dim_info i ON i.InfoKey = f.InfoKey
LEFT JOIN dim_extra x ON x.ExtraKey = f.ExtraKey
-- Only the loads a partition points at: the inner join's rows (why written so: at the top).
WHERE (p.LoadId IS NOT NULL) IS TRUE;
