-- name: daily
-- description: The daily actual and amortized cost series, and their difference.
--
-- Parameters: :scope (or NULL), :from, :to (YYYY-MM).
SELECT
    Scope,
    Date,
    Currency,
    ROUND(ActualCost, 6) AS ActualCost,
    ROUND(AmortizedCost, 6) AS AmortizedCost,
    ROUND(Difference, 6) AS Difference
FROM cost_comparison_daily
WHERE (:scope IS NULL OR Scope = :scope) AND BillingPeriod BETWEEN :from AND :to
ORDER BY Scope, Date, Currency;
