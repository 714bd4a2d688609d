-- name: totals
-- description: Actual and amortized totals per scope, billing period and currency, with the difference split into its causes.
--
-- Parameters (bound, never spliced):
--   :scope  canonical scope id, or NULL for every scope
--   :from   first billing period, YYYY-MM
--   :to     last billing period, YYYY-MM
--
-- Only periods where both metrics are loaded are compared. Currencies are never summed
-- together: each currency gets its own row.
--
-- Difference = AmortizedCost - ActualCost
--            = - CommitmentPurchases      (Reservation/SavingsPlan Purchase and Refund rows: actual only)
--              + AmortizedCommitmentUsage (usage covered by a commitment: 0 in actual, priced in amortized)
--              + UnusedReservation + UnusedSavingsPlan (amortized only)
--              + Other                    (on-demand, spot, marketplace: should be 0)
WITH complete AS (
    SELECT Scope, BillingPeriod
    FROM partitions
    WHERE (:scope IS NULL OR Scope = :scope) AND BillingPeriod BETWEEN :from AND :to
    GROUP BY Scope, BillingPeriod
    HAVING COUNT(DISTINCT Metric) = 2
),
grouped AS (
    SELECT p.Scope, p.BillingPeriod, p.Metric, f.BillingCurrency, f.ChargeType, f.PricingModel,
           SUM(f.CostInBillingCurrency) AS Cost
    FROM complete c
    JOIN partitions p ON p.Scope = c.Scope AND p.BillingPeriod = c.BillingPeriod
    JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId
    GROUP BY p.Scope, p.BillingPeriod, p.Metric, f.BillingCurrency, f.ChargeType, f.PricingModel
),
classified AS (
    SELECT *,
        CASE
            WHEN ChargeType IN ('Purchase', 'Refund') AND PricingModel IN ('Reservation', 'SavingsPlan') THEN 'purchase'
            WHEN ChargeType = 'UnusedReservation' THEN 'unused-reservation'
            WHEN ChargeType = 'UnusedSavingsPlan' THEN 'unused-savings-plan'
            WHEN PricingModel IN ('Reservation', 'SavingsPlan') THEN 'commitment-usage'
            ELSE 'other'
        END AS Cause,
        CASE Metric WHEN 'AmortizedCost' THEN Cost ELSE -Cost END AS Delta
    FROM grouped
)
SELECT
    Scope,
    BillingPeriod,
    BillingCurrency AS Currency,
    ROUND(TOTAL(CASE WHEN Metric = 'ActualCost' THEN Cost END), 6) AS ActualCost,
    ROUND(TOTAL(CASE WHEN Metric = 'AmortizedCost' THEN Cost END), 6) AS AmortizedCost,
    ROUND(TOTAL(Delta), 6) AS Difference,
    ROUND(-TOTAL(CASE WHEN Cause = 'purchase' THEN Delta END), 6) AS CommitmentPurchases,
    ROUND(TOTAL(CASE WHEN Cause = 'commitment-usage' THEN Delta END), 6) AS AmortizedCommitmentUsage,
    ROUND(TOTAL(CASE WHEN Cause = 'unused-reservation' THEN Delta END), 6) AS UnusedReservation,
    ROUND(TOTAL(CASE WHEN Cause = 'unused-savings-plan' THEN Delta END), 6) AS UnusedSavingsPlan,
    ROUND(TOTAL(CASE WHEN Cause = 'other' THEN Delta END), 6) AS Other
FROM classified
GROUP BY Scope, BillingPeriod, BillingCurrency
ORDER BY Scope, BillingPeriod, BillingCurrency;
