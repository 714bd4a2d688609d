-- name: by
-- description: Actual and amortized cost by subscription, resource group, meter category, service family, resource or tag.
--
-- Parameters:
--   :scope (or NULL), :from, :to (YYYY-MM)
--   :by   subscription | resource-group | meter-category | service-family | resource | tag
--   :tag  the tag key, when :by is tag
-- The grouping is chosen with CASE on the bound :by, so nothing is spliced into the SQL.
-- Costs are added up per dimension key first, then each distinct key is named once.
WITH keyed AS (
    SELECT
        p.Scope,
        p.Metric,
        s.BillingCurrency AS Currency,
        CASE :by
            WHEN 'subscription' THEN s.AccountKey
            WHEN 'resource-group' THEN s.ResourceKey
            WHEN 'resource' THEN s.ResourceKey
            WHEN 'meter-category' THEN s.ProductKey
            WHEN 'service-family' THEN s.ProductKey
            WHEN 'tag' THEN s.TagsKey
        END AS DimensionKey,
        TOTAL(s.Cost) AS Cost
    FROM comparable_periods c
    JOIN partitions p ON p.Scope = c.Scope AND p.BillingPeriod = c.BillingPeriod
    JOIN summary_resource s ON s.LoadId = p.LoadId
    WHERE (:scope IS NULL OR c.Scope = :scope) AND c.BillingPeriod BETWEEN :from AND :to
    GROUP BY p.Scope, p.Metric, s.BillingCurrency, DimensionKey
),
named AS (
    SELECT
        Scope,
        Metric,
        Currency,
        Cost,
        CASE :by
            WHEN 'subscription' THEN (
                SELECT COALESCE(SubscriptionName || ' (' || SubscriptionId || ')', SubscriptionId) FROM dim_account WHERE AccountKey = DimensionKey)
            WHEN 'resource-group' THEN (SELECT ResourceGroup FROM dim_resource WHERE ResourceKey = DimensionKey)
            WHEN 'resource' THEN (SELECT ResourceId FROM dim_resource WHERE ResourceKey = DimensionKey)
            WHEN 'meter-category' THEN (SELECT MeterCategory FROM dim_product WHERE ProductKey = DimensionKey)
            WHEN 'service-family' THEN (SELECT ServiceFamily FROM dim_product WHERE ProductKey = DimensionKey)
            WHEN 'tag' THEN (SELECT json_extract(Tags, '$."' || :tag || '"') FROM dim_tags WHERE TagsKey = DimensionKey)
        END AS GroupValue
    FROM keyed
)
SELECT
    Scope,
    COALESCE(GroupValue, '(none)') AS "Group",
    Currency,
    ROUND(TOTAL(CASE WHEN Metric = 'ActualCost' THEN Cost END), 6) AS ActualCost,
    ROUND(TOTAL(CASE WHEN Metric = 'AmortizedCost' THEN Cost END), 6) AS AmortizedCost,
    ROUND(TOTAL(CASE WHEN Metric = 'AmortizedCost' THEN Cost ELSE -Cost END), 6) AS Difference
FROM named
GROUP BY Scope, GroupValue, Currency
ORDER BY Scope, Currency, AmortizedCost DESC, "Group";
