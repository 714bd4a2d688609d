-- name: savings
-- description: List, contracted and effective cost with negotiated and commitment savings and the effective savings rate, per scope, month and currency (FinOps toolkit definitions).
--
-- Parameters:
--   :scope (or NULL), :from, :to (YYYY-MM)
--   :by   NULL, or subscription | resource-group | meter-category | service-family | resource | tag
--   :tag  the tag key, when :by is tag
-- Definitions (FinOps toolkit: savings-summary-report.kql, the Rate optimization report; FOCUS 1.0):
--   from the AmortizedCost rows, whose cost is EffectiveCost, without the commitment purchases
--   (the toolkit's "Principal" rows: their cost is already in the amortized usage);
--   NegotiatedSavings = ListCost - ContractedCost, CommitmentSavings = ContractedCost - EffectiveCost,
--   TotalSavings = NegotiatedSavings + CommitmentSavings, EffectiveSavingsRate = TotalSavings / ListCost.
--   Unused commitments have ListCost and ContractedCost 0: their cost lowers CommitmentSavings.
--   A row with no list price (no PayGPrice, no price sheet) counts its ContractedCost as ListCost,
--   as the toolkit does, and is counted in RowsWithoutListPrice and CostWithoutListPrice, so its
--   missing negotiated savings are visible rather than silently zero.
WITH costs AS (
    SELECT
        c.Scope,
        c.BillingPeriod,
        c.BillingCurrency AS Currency,
        CASE :by
            WHEN 'subscription' THEN COALESCE(c.SubscriptionName || ' (' || c.SubscriptionId || ')', c.SubscriptionId)
            WHEN 'resource-group' THEN c.ResourceGroup
            WHEN 'resource' THEN c.ResourceId
            WHEN 'meter-category' THEN c.MeterCategory
            WHEN 'service-family' THEN c.ServiceFamily
            WHEN 'tag' THEN json_extract(c.Tags, '$."' || :tag || '"')
            ELSE '(all)'
        END AS GroupValue,
        COALESCE(c.ListCost, c.ContractedCost, c.EffectiveCost) AS List,
        COALESCE(c.ContractedCost, c.EffectiveCost) AS Contracted,
        c.EffectiveCost AS Effective,
        CASE WHEN c.ListCost IS NULL THEN 1 ELSE 0 END AS MissingList
    FROM cost_details_wide c
    WHERE c.Metric = 'AmortizedCost'
        AND NOT (c.ChargeType IN ('Purchase', 'Refund') AND c.PricingModel IN ('Reservation', 'SavingsPlan'))
        AND (:scope IS NULL OR c.Scope = :scope) AND c.BillingPeriod BETWEEN :from AND :to
),
sums AS (
    SELECT
        Scope, BillingPeriod, Currency, GroupValue,
        ROUND(TOTAL(List), 6) AS ListCost,
        ROUND(TOTAL(Contracted), 6) AS ContractedCost,
        ROUND(TOTAL(Effective), 6) AS EffectiveCost,
        SUM(MissingList) AS RowsWithoutListPrice,
        ROUND(TOTAL(CASE WHEN MissingList = 1 THEN Effective END), 6) AS CostWithoutListPrice
    FROM costs
    GROUP BY Scope, BillingPeriod, Currency, GroupValue
)
SELECT
    Scope,
    BillingPeriod,
    COALESCE(GroupValue, '(none)') AS "Group",
    Currency,
    ListCost,
    ContractedCost,
    EffectiveCost,
    ROUND(ListCost - ContractedCost, 6) AS NegotiatedSavings,
    ROUND(ContractedCost - EffectiveCost, 6) AS CommitmentSavings,
    ROUND(ListCost - ContractedCost, 6) + ROUND(ContractedCost - EffectiveCost, 6) AS TotalSavings,
    CASE WHEN ListCost <> 0
        THEN ROUND((ROUND(ListCost - ContractedCost, 6) + ROUND(ContractedCost - EffectiveCost, 6)) / ListCost, 6)
    END AS EffectiveSavingsRate,
    RowsWithoutListPrice,
    CostWithoutListPrice
FROM sums
ORDER BY Scope, BillingPeriod, Currency, EffectiveCost DESC, "Group";
