-- name: totals
-- description: Actual and amortized totals per scope, month and currency, with the difference split into its causes.
--
-- Parameters (bound, never spliced):
--   :scope  canonical scope id, or NULL for every scope
--   :from   first billing period, YYYY-MM
--   :to     last billing period, YYYY-MM
--
-- Only months where both metrics are loaded are compared; each currency gets its own row.
-- Difference = AmortizedCost - ActualCost
--            = -CommitmentPurchases + AmortizedCommitmentUsage + UnusedReservation + UnusedSavingsPlan + Other
-- Other (on-demand, spot, marketplace) should be 0; `costwh verify` checks it.
SELECT
    Scope,
    BillingPeriod,
    Currency,
    ROUND(ActualCost, 6) AS ActualCost,
    ROUND(AmortizedCost, 6) AS AmortizedCost,
    ROUND(Difference, 6) AS Difference,
    ROUND(CommitmentPurchases, 6) AS CommitmentPurchases,
    ROUND(AmortizedCommitmentUsage, 6) AS AmortizedCommitmentUsage,
    ROUND(UnusedReservation, 6) AS UnusedReservation,
    ROUND(UnusedSavingsPlan, 6) AS UnusedSavingsPlan,
    ROUND(Other, 6) AS Other
FROM cost_comparison_totals
WHERE (:scope IS NULL OR Scope = :scope) AND BillingPeriod BETWEEN :from AND :to
ORDER BY Scope, BillingPeriod, Currency;
