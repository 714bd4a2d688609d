-- cost_details_keys: the columns of cost_details that live on the fact rows (the computed
-- EffectiveCost, ListCost and ContractedCost included), with the dimension keys in place of
-- the dimension columns, as on SQLite (migration 0010 there): `costwh export` reads a
-- partition's facts through it and each dimension row once. Keep its expressions equal to
-- cost_details'; the export's tests compare every value of the lake with cost_details.
CREATE VIEW cost_details_keys AS
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
    f.SourcePart, f.SourceLine,
    f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey, f.InfoKey, f.ExtraKey
FROM partitions p
JOIN cost_fact f ON f.LoadId = p.LoadId
LEFT JOIN dim_account a ON a.AccountKey = f.AccountKey
LEFT JOIN dim_product m ON m.ProductKey = f.ProductKey;
