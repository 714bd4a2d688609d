-- A year's question is no slower than before #31 (#31 §4). Since 0008, cost_details took
-- BillingPeriod from the fact rows so that a month's filter prunes at plan time, but
-- PostgreSQL 15 keeps a filter on the partition key in every pruned-to table's scan: each row
-- was decoded to its last column (BillingPeriod, a default kept in the catalog) to be tested.
-- On 24 M rows a year took 1.3-1.5 times as long as when BillingPeriod came from `partitions`.
--
-- cost_fact_periods gives the fact rows of each billing period's table with its period as a
-- constant (one UNION ALL branch per period). The planner folds `'2026-10' = '2026-10'` to
-- true and drops it, and `'2026-09' = '2026-10'` to false and drops the branch: the same
-- pruning, and no test per row. Rows of a period the view does not name yet are read through
-- the last branch, from cost_fact with the filter per row, so nothing is ever missing;
-- costwh_refresh_fact_periods() names the new period after the load that created its table
-- commits (a short lock wait: a reader holding the view makes it a later load's job).
-- A later migration that adds a column to cost_fact rebuilds the view the same way, after
-- `COMMENT ON VIEW cost_fact_periods IS NULL` (an unchanged list of periods skips the DDL).
CREATE FUNCTION costwh_refresh_fact_periods() RETURNS BOOLEAN
    LANGUAGE plpgsql AS $$
DECLARE
    known TEXT[];
    listed TEXT;
    columns TEXT;
    branches TEXT := '';
    period TEXT;
BEGIN
    -- Two loads of new periods in this schema take turns, so the later one sees the earlier
    -- one's table (otherwise the view could lose a period to the catch-all branch until the
    -- next load).
    PERFORM pg_advisory_xact_lock(hashtext('costwh-fact-periods'), hashtext(current_schema()));
    SELECT COALESCE(array_agg(bound ORDER BY bound), '{}') INTO known
    FROM (
        SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), '^FOR VALUES IN \(''([0-9]{4}-[0-9]{2})''\)$'))[1]
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'cost_fact'::regclass AND c.relkind = 'p'
    ) bounds (bound)
    WHERE bound IS NOT NULL;
    -- The view's comment lists the periods it names: an unchanged list needs no DDL.
    listed := 'costwh periods: ' || array_to_string(known, ',');
    IF to_regclass('cost_fact_periods') IS NOT NULL
        AND obj_description(to_regclass('cost_fact_periods'), 'pg_class') IS NOT DISTINCT FROM listed THEN
        RETURN false;
    END IF;
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO columns
    FROM pg_attribute a
    WHERE a.attrelid = 'cost_fact'::regclass AND a.attnum > 0 AND NOT a.attisdropped
        AND a.attname <> 'billingperiod';
    FOREACH period IN ARRAY known LOOP
        branches := branches || format(
            'SELECT %L::TEXT AS billingperiod, %s FROM %I UNION ALL ',
            period, columns, 'cost_fact_p' || replace(period, '-', '_'));
    END LOOP;
    EXECUTE format(
        'CREATE OR REPLACE VIEW cost_fact_periods AS %s SELECT billingperiod, %s FROM cost_fact WHERE billingperiod <> ALL (%L::TEXT[])',
        branches, columns, known);
    EXECUTE format('COMMENT ON VIEW cost_fact_periods IS %L', listed);
    RETURN true;
END
$$;

SELECT costwh_refresh_fact_periods();

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
JOIN cost_fact_periods f ON f.LoadId = p.LoadId
LEFT JOIN dim_account a ON a.AccountKey = f.AccountKey
LEFT JOIN dim_resource r ON r.ResourceKey = f.ResourceKey
LEFT JOIN dim_product m ON m.ProductKey = f.ProductKey
LEFT JOIN dim_tags t ON t.TagsKey = f.TagsKey
LEFT JOIN dim_info i ON i.InfoKey = f.InfoKey
LEFT JOIN dim_extra x ON x.ExtraKey = f.ExtraKey;
