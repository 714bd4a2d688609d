-- name: by
-- description: Actual and amortized cost by subscription, resource group, meter category, service family, resource or tag.
--
-- Parameters:
--   :scope (or NULL), :from, :to (YYYY-MM)
--   :by   subscription | resource-group | meter-category | service-family | resource | tag
--   :tag  the tag key, when :by is tag
-- The grouping is chosen with CASE on the bound :by, so nothing is spliced into the SQL.
WITH grouped AS (
    SELECT
        p.Scope,
        p.Metric,
        s.BillingCurrency AS Currency,
        CASE :by
            WHEN 'subscription' THEN COALESCE(a.SubscriptionName || ' (' || a.SubscriptionId || ')', a.SubscriptionId)
            WHEN 'resource-group' THEN r.ResourceGroup
            WHEN 'meter-category' THEN m.MeterCategory
            WHEN 'service-family' THEN m.ServiceFamily
            WHEN 'resource' THEN r.ResourceId
            WHEN 'tag' THEN json_extract(t.Tags, '$."' || :tag || '"')
        END AS GroupValue,
        s.Cost
    FROM comparable_periods c
    JOIN partitions p ON p.Scope = c.Scope AND p.BillingPeriod = c.BillingPeriod
    JOIN summary_resource s ON s.LoadId = p.LoadId
    LEFT JOIN dim_account a ON a.AccountKey = s.AccountKey
    LEFT JOIN dim_resource r ON r.ResourceKey = s.ResourceKey
    LEFT JOIN dim_product m ON m.ProductKey = s.ProductKey
    LEFT JOIN dim_tags t ON t.TagsKey = s.TagsKey
    WHERE (:scope IS NULL OR c.Scope = :scope) AND c.BillingPeriod BETWEEN :from AND :to
)
SELECT
    Scope,
    COALESCE(GroupValue, '(none)') AS "Group",
    Currency,
    ROUND(TOTAL(CASE WHEN Metric = 'ActualCost' THEN Cost END), 6) AS ActualCost,
    ROUND(TOTAL(CASE WHEN Metric = 'AmortizedCost' THEN Cost END), 6) AS AmortizedCost,
    ROUND(TOTAL(CASE WHEN Metric = 'AmortizedCost' THEN Cost ELSE -Cost END), 6) AS Difference
FROM grouped
GROUP BY Scope, GroupValue, Currency
ORDER BY Scope, Currency, AmortizedCost DESC;
