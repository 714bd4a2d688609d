-- name: savings-plans
-- description: Savings plan utilisation: amortized cost of the usage each plan covered, its unused cost, the share used.
--
-- Parameters: :scope (or NULL), :from, :to (YYYY-MM).
SELECT
    Scope,
    BillingPeriod,
    Currency,
    SavingsPlanId,
    SavingsPlanName,
    ROUND(UsedCost, 6) AS UsedCost,
    ROUND(UnusedCost, 6) AS UnusedCost,
    ROUND(UtilizationPercent, 2) AS UtilizationPercent
FROM savings_plan_utilization
WHERE (:scope IS NULL OR Scope = :scope) AND BillingPeriod BETWEEN :from AND :to
ORDER BY Scope, BillingPeriod, UtilizationPercent;
