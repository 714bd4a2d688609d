-- SQLite's cost_details_wide is cost_details written as joins, for queries that read whole
-- rows (its cost_details uses scalar subqueries so that aggregates skip unused dimensions).
-- PostgreSQL's planner already removes unused joins, so here it is the same view.
CREATE VIEW cost_details_wide AS SELECT * FROM cost_details;

-- cost_details without Date, added up per load: each current load's summary_resource rows,
-- one per currency, charge type, pricing model, account, resource, product and tag set
-- (about a twentieth of the cost rows). Totals by subscription, resource group, meter or tag
-- over months answer from here in about a second; Rows counts the cost records behind a row.
-- For dates, query cost_details (or cost_comparison_daily).
CREATE VIEW cost_summary AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    s.BillingCurrency, s.ChargeType, s.PricingModel, s.Cost AS CostInBillingCurrency, s.Rows,
    a.BillingAccountId, a.BillingAccountName, a.BillingProfileId, a.BillingProfileName, a.InvoiceSectionId, a.InvoiceSectionName, a.AccountOwnerId, a.AccountName,
    a.AccountId, a.SubscriptionId, a.SubscriptionName, a.CostCenter, a.OfferId, a.InvoiceId, a.PreviousInvoiceId, a.ResellerName,
    a.ResellerMpnId, a.PartnerTenantId, a.PartnerName, a.CustomerTenantId, a.CustomerName, a.ServiceAdministratorId, a.BillingPeriodStartDate, a.BillingPeriodEndDate,
    a.ServicePeriodStartDate, a.ServicePeriodEndDate, a.ExchangeRateDate, a.PricingCurrency, r.ResourceId, r.ResourceName, r.ResourceGroup, r.ResourceType,
    r.ResourceLocation, r.ResourceLocationNormalized, r.Location, r.AvailabilityZone, r.ConsumedService, r.ServiceInfo1, r.ServiceInfo2, r.CostAllocationRuleName,
    m.MeterId, m.MeterName, m.MeterCategory, m.MeterSubCategory, m.MeterRegion, m.ServiceFamily, m.ProductName, m.ProductId,
    m.PartNumber, m.UnitOfMeasure, m.Frequency, m.PublisherType, m.PublisherName, m.PublisherId, m.PlanName, m.IsAzureCreditEligible,
    m.Provider, m.ServiceName, m.ServiceTier, m.ProductOrderId, m.ProductOrderName, m.Term, m.ReservationId, m.ReservationName,
    m.BenefitId, m.BenefitName, m.PartnerEarnedCreditApplied, m.StoreServiceIdentifier, m.ChargeCategory, m.ChargeClass, m.ChargeFrequency, m.ChargeDescription,
    m.PricingCategory, m.PricingUnit, m.CommitmentDiscountStatus, m.CommitmentDiscountType, m.CommitmentDiscountCategory, m.ServiceCategory, m.InvoiceIssuerName, m.RegionId,
    m.RegionName, m.SkuId, m.SkuPriceId, t.Tags
FROM partitions p
JOIN summary_resource s ON s.LoadId = p.LoadId
LEFT JOIN dim_account a ON a.AccountKey = s.AccountKey
LEFT JOIN dim_resource r ON r.ResourceKey = s.ResourceKey
LEFT JOIN dim_product m ON m.ProductKey = s.ProductKey
LEFT JOIN dim_tags t ON t.TagsKey = s.TagsKey;

-- The daily summary is kept per product (SummaryBuilder). The current loads' daily rows are
-- rebuilt from their fact rows once, here; the rounding is CostUnits' (one read of the table).
ALTER TABLE summary_daily ADD COLUMN ProductKey BIGINT;
DELETE FROM summary_daily WHERE LoadId IN (SELECT LoadId FROM partitions);
INSERT INTO summary_daily (LoadId, Date, BillingCurrency, ChargeType, PricingModel, ProductKey, Cost, CostUnits, Rows)
SELECT f.LoadId, f.Date, f.BillingCurrency, f.ChargeType, f.PricingModel, f.ProductKey, COALESCE(SUM(f.CostInBillingCurrency), 0),
       SUM(trunc(f.CostInBillingCurrency * 1000000.0::float8 + (CASE WHEN f.CostInBillingCurrency < 0 THEN -0.5 ELSE 0.5 END))::bigint), COUNT(*)
FROM cost_fact f
JOIN partitions p ON p.LoadId = f.LoadId
GROUP BY f.LoadId, f.Date, f.BillingCurrency, f.ChargeType, f.PricingModel, f.ProductKey;

-- cost_details added up per load, day and product (summary_daily): daily cost by meter
-- category, service or product reads about a hundredth of the cost rows. Rows counts the
-- cost records behind a row.
CREATE VIEW cost_daily_summary AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    s.Date, s.BillingCurrency, s.ChargeType, s.PricingModel, s.Cost AS CostInBillingCurrency, s.Rows,
    m.MeterId, m.MeterName, m.MeterCategory, m.MeterSubCategory, m.MeterRegion, m.ServiceFamily, m.ProductName, m.ProductId,
    m.PartNumber, m.UnitOfMeasure, m.Frequency, m.PublisherType, m.PublisherName, m.PublisherId, m.PlanName, m.IsAzureCreditEligible,
    m.Provider, m.ServiceName, m.ServiceTier, m.ProductOrderId, m.ProductOrderName, m.Term, m.ReservationId, m.ReservationName,
    m.BenefitId, m.BenefitName, m.PartnerEarnedCreditApplied, m.StoreServiceIdentifier, m.ChargeCategory, m.ChargeClass, m.ChargeFrequency, m.ChargeDescription,
    m.PricingCategory, m.PricingUnit, m.CommitmentDiscountStatus, m.CommitmentDiscountType, m.CommitmentDiscountCategory, m.ServiceCategory, m.InvoiceIssuerName, m.RegionId,
    m.RegionName, m.SkuId, m.SkuPriceId
FROM partitions p
JOIN summary_daily s ON s.LoadId = p.LoadId
LEFT JOIN dim_product m ON m.ProductKey = s.ProductKey;
