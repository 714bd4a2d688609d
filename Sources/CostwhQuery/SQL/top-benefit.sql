-- name: top-benefit
-- description: The resources that benefit most from commitments: amortized minus actual cost of their usage, largest first.
--
-- Parameters: :scope (or NULL), :from, :to (YYYY-MM), :top (how many rows).
-- Only usage priced by a reservation or savings plan counts: it is 0 in actual data and
-- carries its share of the commitment in amortized data. Purchases and unused amounts
-- belong to no resource's usage and are left out.
WITH usage AS (
    SELECT p.Scope, p.Metric, s.BillingCurrency AS Currency, s.ResourceKey, s.Cost
    FROM comparable_periods c
    JOIN partitions p ON p.Scope = c.Scope AND p.BillingPeriod = c.BillingPeriod
    JOIN summary_resource s ON s.LoadId = p.LoadId
    WHERE (:scope IS NULL OR c.Scope = :scope) AND c.BillingPeriod BETWEEN :from AND :to
        AND s.ChargeType = 'Usage' AND s.PricingModel IN ('Reservation', 'SavingsPlan')
)
SELECT
    u.Scope,
    r.ResourceId,
    r.ResourceGroup,
    u.Currency,
    ROUND(TOTAL(CASE WHEN u.Metric = 'ActualCost' THEN u.Cost END), 6) AS ActualCost,
    ROUND(TOTAL(CASE WHEN u.Metric = 'AmortizedCost' THEN u.Cost END), 6) AS AmortizedCost,
    ROUND(TOTAL(CASE WHEN u.Metric = 'AmortizedCost' THEN u.Cost ELSE -u.Cost END), 6) AS Benefit
FROM usage u
LEFT JOIN dim_resource r ON r.ResourceKey = u.ResourceKey
GROUP BY u.Scope, u.ResourceKey, u.Currency, r.ResourceId, r.ResourceGroup
HAVING TOTAL(CASE WHEN u.Metric = 'AmortizedCost' THEN u.Cost ELSE -u.Cost END) > 0
ORDER BY Benefit DESC, r.ResourceId
LIMIT :top;
