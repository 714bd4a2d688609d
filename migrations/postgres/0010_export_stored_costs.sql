-- cost_details_keys, as in 0009, with the three computed costs' stored values added at the
-- end (as on SQLite, migration 0011 there): `costwh export` reads them and the computed costs'
-- inputs and applies the view's rules itself (DerivedCosts). PostgreSQL drops the joins to
-- dim_account and dim_product from a query that names no column of theirs.
CREATE OR REPLACE VIEW cost_details_keys AS
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
    f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey, f.InfoKey, f.ExtraKey,
    f.EffectiveCost AS StoredEffectiveCost, f.ListCost AS StoredListCost, f.ContractedCost AS StoredContractedCost
FROM partitions p
JOIN cost_fact f ON f.LoadId = p.LoadId
LEFT JOIN dim_account a ON a.AccountKey = f.AccountKey
LEFT JOIN dim_product m ON m.ProductKey = f.ProductKey;

-- list_price_keys: the price sheet's list price for each product and account, per billing
-- period, as cost_details' ListCost looks it up (as on SQLite): a row's ListCost is
-- MarketPrice * Quantity * COALESCE(ExchangeRatePricingToBilling, 1) * UnitFactor, in that
-- order. Keep its expressions equal to cost_details_keys'.
CREATE VIEW list_price_keys AS
SELECT m.ProductKey, a.AccountKey, lp.BillingPeriod, lp.MarketPrice,
    CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE COALESCE(NULLIF(substring(m.UnitOfMeasure from '^[0-9]+(\.[0-9]+)?'), '')::float8, 1.0) / lp.UnitMultiplier END AS UnitFactor
FROM dim_product m
JOIN list_prices lp ON lp.MeterId = m.MeterId
JOIN dim_account a ON lp.BillingProfileId = COALESCE(a.BillingProfileId, a.BillingAccountId)
WHERE COALESCE(m.PublisherType, '') <> 'Marketplace';
