-- cost_details_keys, as in 0010, with the three computed costs' stored values beside them
-- (StoredEffectiveCost, StoredListCost, StoredContractedCost: what the row carried, NULL when
-- its source had none). `costwh export` reads these and the computed costs' inputs and applies
-- the view's rules itself (DerivedCosts): SQLite spent about 1.2 s of a 1 M-row partition's
-- export evaluating the three expressions, a fifth of the reading thread. A query that does
-- not name the new columns costs nothing more: SQLite evaluates a view's columns only when
-- they are read.
DROP VIEW cost_details_keys;

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
    f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey, f.InfoKey, f.ExtraKey,
    f.EffectiveCost AS StoredEffectiveCost, f.ListCost AS StoredListCost, f.ContractedCost AS StoredContractedCost
FROM partitions p
JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId;

-- list_price_keys: the price sheet's list price for each product and account, per billing
-- period, as cost_details' ListCost looks it up for a row that carries neither a list price
-- nor a PayG cost (not for marketplace products): the row's ListCost is
-- MarketPrice * Quantity * COALESCE(ExchangeRatePricingToBilling, 1) * UnitFactor, in that
-- order. The export reads it for the product and account pairs a partition uses
-- (DerivedCosts); keep its expressions equal to cost_details_keys'.
CREATE VIEW list_price_keys AS
SELECT m.ProductKey, a.AccountKey, lp.BillingPeriod, lp.MarketPrice,
    CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE (CASE WHEN CAST(m.UnitOfMeasure AS REAL) > 0 THEN CAST(m.UnitOfMeasure AS REAL) ELSE 1.0 END) / lp.UnitMultiplier END AS UnitFactor
FROM dim_product m
JOIN list_prices lp ON lp.MeterId = m.MeterId
JOIN dim_account a ON lp.BillingProfileId = COALESCE(a.BillingProfileId, a.BillingAccountId)
WHERE COALESCE(m.PublisherType, '') <> 'Marketplace';
