-- name: month-over-month
-- description: Both metrics per month with the change and % change from the month before.
--
-- Parameters: :scope (or NULL), :from, :to (YYYY-MM). The first month of the range is
-- compared with the month before it when that month is loaded.
SELECT
    Scope,
    BillingPeriod,
    Currency,
    ROUND(ActualCost, 6) AS ActualCost,
    ROUND(ActualChange, 6) AS ActualChange,
    ROUND(ActualChangePercent, 2) AS ActualChangePercent,
    ROUND(AmortizedCost, 6) AS AmortizedCost,
    ROUND(AmortizedChange, 6) AS AmortizedChange,
    ROUND(AmortizedChangePercent, 2) AS AmortizedChangePercent
FROM cost_month_over_month
WHERE (:scope IS NULL OR Scope = :scope) AND BillingPeriod BETWEEN :from AND :to
ORDER BY Scope, Currency, BillingPeriod;
