-- cost_details_keys: the columns of cost_details that live on the fact rows (the computed
-- EffectiveCost, ListCost and ContractedCost included, as cost_details computes them), with the
-- dimension keys in place of the dimension columns. `costwh export` reads a partition's fact
-- rows through it and each dimension row the partition uses once (DimensionedExport), instead
-- of 110 columns per row: the lake's dictionary pages are the dimensions' distinct values anyway. Keep its expressions equal to cost_details';
-- the export's tests compare every value of the lake with cost_details on both stores, and
-- SavingsTests this view with cost_details where a price sheet gives a list price.
-- The product and account a list price needs are looked up only in the branch that needs
-- them (most rows carry their PayGPrice): two joins per row cost a partition's export about
-- a fifth of its read.
CREATE VIEW cost_details_keys AS
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
        WHEN COALESCE((SELECT m.PublisherType FROM dim_product m WHERE m.ProductKey = f.ProductKey), '') <> 'Marketplace' THEN (
            SELECT lp.MarketPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
                * CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE (CASE WHEN CAST(m.UnitOfMeasure AS REAL) > 0 THEN CAST(m.UnitOfMeasure AS REAL) ELSE 1.0 END) / lp.UnitMultiplier END
            FROM dim_product m
            JOIN list_prices lp ON lp.MeterId = m.MeterId
            LEFT JOIN dim_account a ON a.AccountKey = f.AccountKey
            WHERE m.ProductKey = f.ProductKey AND lp.BillingPeriod = p.BillingPeriod
                AND lp.BillingProfileId = COALESCE(a.BillingProfileId, a.BillingAccountId))
    END) AS ListCost,
    COALESCE(f.ContractedCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.UnitPrice IS NOT NULL THEN f.UnitPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
    END) AS ContractedCost,
    f.SourcePart, f.SourceLine,
    f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey, f.InfoKey, f.ExtraKey
FROM partitions p
JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId;
