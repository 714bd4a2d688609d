-- A month's question reads only that month (#31). cost_fact was partitioned by LoadId only,
-- and cost_details took BillingPeriod from `partitions`, so a filter on it reached the fact
-- rows only through a join: the planner read every load's table. Now cost_fact is
-- partitioned by BillingPeriod, and each period's table by LoadId:
--
--   cost_fact (LIST BillingPeriod) -> cost_fact_p2026_10 (LIST LoadId) -> cost_fact_l42
--
-- and cost_details takes BillingPeriod from the fact rows, so `WHERE BillingPeriod = '2026-10'`
-- (or BETWEEN, IN) prunes to that month's tables when the query is planned.
--
-- BillingPeriod costs no storage: a load's table is copied without it, and the column is then
-- added with the period as its default, which PostgreSQL keeps in the catalog, not in the rows
-- (a "fast default"). A CHECK on it lets ATTACH skip its scan.
--
-- The existing load tables move under the new parent with their data in place; a table whose
-- detach was left pending is finished and left for the purge to drop.
CREATE TABLE cost_fact_by_period (BillingPeriod TEXT NOT NULL, LIKE cost_fact INCLUDING DEFAULTS)
    PARTITION BY LIST (BillingPeriod);

DO $$
DECLARE
    r record;
    period_table text;
BEGIN
    FOR r IN
        SELECT c.relname AS name, l.LoadId AS load, l.BillingPeriod AS period, i.inhdetachpending AS pending
        FROM pg_inherits i
        JOIN pg_class c ON c.oid = i.inhrelid
        JOIN pg_class parent ON parent.oid = i.inhparent
        JOIN pg_namespace n ON n.oid = parent.relnamespace AND n.nspname = current_schema()
        JOIN loads l ON 'cost_fact_l' || l.LoadId = c.relname
        WHERE parent.relname = 'cost_fact'
        ORDER BY l.LoadId
    LOOP
        IF r.pending THEN
            EXECUTE format('ALTER TABLE cost_fact DETACH PARTITION %I FINALIZE', r.name);
            CONTINUE;
        END IF;
        EXECUTE format('ALTER TABLE cost_fact DETACH PARTITION %I', r.name);
        EXECUTE format('ALTER TABLE %I ADD COLUMN BillingPeriod TEXT NOT NULL DEFAULT %L', r.name, r.period);
        EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (BillingPeriod = %L)', r.name, r.name || '_period', r.period);
        period_table := 'cost_fact_p' || replace(r.period, '-', '_');
        EXECUTE format(
            'CREATE TABLE IF NOT EXISTS %I PARTITION OF cost_fact_by_period FOR VALUES IN (%L) PARTITION BY LIST (LoadId)',
            period_table, r.period);
        EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES IN (%s)', period_table, r.name, r.load);
    END LOOP;
END
$$;

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
FROM partitions p
JOIN cost_fact_by_period f ON f.LoadId = p.LoadId
LEFT JOIN dim_account a ON a.AccountKey = f.AccountKey
LEFT JOIN dim_resource r ON r.ResourceKey = f.ResourceKey
LEFT JOIN dim_product m ON m.ProductKey = f.ProductKey
LEFT JOIN dim_tags t ON t.TagsKey = f.TagsKey
LEFT JOIN dim_info i ON i.InfoKey = f.InfoKey
LEFT JOIN dim_extra x ON x.ExtraKey = f.ExtraKey;

DROP TABLE cost_fact;
ALTER TABLE cost_fact_by_period RENAME TO cost_fact;
