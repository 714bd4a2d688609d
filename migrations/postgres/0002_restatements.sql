-- Restatements: the history of every successful load's totals and the views that compare
-- each load with the one before it. The same tables, columns and views as SQLite's
-- migrations/0004_restatements.sql; see it for what each holds.

ALTER TABLE summary_daily ADD COLUMN CostUnits BIGINT;     -- Cost in millionths, summed exactly
ALTER TABLE summary_resource ADD COLUMN CostUnits BIGINT;  -- Cost in millionths, summed exactly
ALTER TABLE loads ADD COLUMN TotalsHash TEXT;              -- fingerprint of the load's load_totals rows; NULL if it kept none

CREATE TABLE load_totals (
    LoadId BIGINT NOT NULL,
    Breakdown TEXT NOT NULL CHECK (Breakdown IN ('total', 'day', 'charge-type', 'subscription', 'resource-group', 'meter-category')),
    GroupValue TEXT,
    BillingCurrency TEXT,
    CostUnits BIGINT NOT NULL,       -- millionths of the billing currency
    Rows BIGINT NOT NULL
);
CREATE INDEX load_totals_by_load ON load_totals(LoadId, Breakdown);

CREATE TABLE settings (
    Name TEXT PRIMARY KEY,
    Value TEXT NOT NULL
);
INSERT INTO settings (Name, Value) VALUES ('settleDays', '10');

CREATE VIEW load_changes AS
WITH kept AS (
    SELECT LoadId, Scope, BillingPeriod, Metric, FinishedAt, TotalsHash,
           LAG(LoadId) OVER w AS PreviousLoadId,
           LAG(FinishedAt) OVER w AS PreviousFinishedAt,
           LAG(TotalsHash) OVER w AS PreviousTotalsHash
    FROM loads
    WHERE Status = 'succeeded' AND TotalsHash IS NOT NULL
    WINDOW w AS (PARTITION BY Scope, BillingPeriod, Metric ORDER BY LoadId)
),
changed AS (
    SELECT * FROM kept WHERE PreviousLoadId IS NULL OR TotalsHash <> PreviousTotalsHash
),
currencies AS (
    SELECT DISTINCT c.LoadId, t.BillingCurrency
    FROM changed c
    JOIN load_totals t ON t.Breakdown = 'total' AND (t.LoadId = c.LoadId OR t.LoadId = c.PreviousLoadId)
)
SELECT c.Scope, c.BillingPeriod, c.Metric, u.BillingCurrency AS Currency,
    c.PreviousLoadId, c.LoadId, c.PreviousFinishedAt, c.FinishedAt,
    CASE WHEN c.PreviousLoadId IS NOT NULL THEN COALESCE(p.CostUnits, 0) / 1000000.0::float8 END AS PreviousCost,
    COALESCE(n.CostUnits, 0) / 1000000.0::float8 AS Cost,
    (COALESCE(n.CostUnits, 0) - COALESCE(p.CostUnits, 0)) / 1000000.0::float8 AS Delta,
    CASE WHEN p.CostUnits <> 0 THEN 100.0::float8 * (COALESCE(n.CostUnits, 0) - p.CostUnits) / ABS(p.CostUnits) END AS DeltaPercent,
    CASE WHEN c.PreviousLoadId IS NOT NULL THEN COALESCE(p.Rows, 0) END AS PreviousRows,
    COALESCE(n.Rows, 0) AS Rows,
    CASE WHEN c.PreviousFinishedAt >= to_char(to_date(c.BillingPeriod || '-01', 'YYYY-MM-DD') + interval '1 month'
        + make_interval(days => (SELECT Value::int FROM settings WHERE Name = 'settleDays')), 'YYYY-MM-DD')
        THEN 1 ELSE 0 END AS Closed
FROM changed c
JOIN currencies u ON u.LoadId = c.LoadId
LEFT JOIN load_totals p ON p.LoadId = c.PreviousLoadId AND p.Breakdown = 'total'
    AND COALESCE(p.BillingCurrency, '') = COALESCE(u.BillingCurrency, '')
LEFT JOIN load_totals n ON n.LoadId = c.LoadId AND n.Breakdown = 'total'
    AND COALESCE(n.BillingCurrency, '') = COALESCE(u.BillingCurrency, '');

CREATE VIEW partition_changes AS
SELECT * FROM load_changes WHERE PreviousLoadId IS NOT NULL;

-- The current loads get their history now (costwh adds the fingerprints after this script).
DELETE FROM summary_daily WHERE LoadId IN (SELECT LoadId FROM partitions);
DELETE FROM summary_resource WHERE LoadId IN (SELECT LoadId FROM partitions);

INSERT INTO summary_daily (LoadId, Date, BillingCurrency, ChargeType, PricingModel, Cost, CostUnits, Rows)
SELECT f.LoadId, f.Date, f.BillingCurrency, f.ChargeType, f.PricingModel, COALESCE(SUM(f.CostInBillingCurrency), 0),
    SUM(trunc(f.CostInBillingCurrency * 1000000.0::float8 + (CASE WHEN f.CostInBillingCurrency < 0 THEN -0.5 ELSE 0.5 END))::bigint),
    COUNT(*)
FROM cost_fact f WHERE f.LoadId IN (SELECT LoadId FROM partitions)
GROUP BY f.LoadId, f.Date, f.BillingCurrency, f.ChargeType, f.PricingModel;

INSERT INTO summary_resource (LoadId, BillingCurrency, ChargeType, PricingModel, AccountKey, ResourceKey, ProductKey, TagsKey, Cost, CostUnits, Rows)
SELECT f.LoadId, f.BillingCurrency, f.ChargeType, f.PricingModel, f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey,
    COALESCE(SUM(f.CostInBillingCurrency), 0),
    SUM(trunc(f.CostInBillingCurrency * 1000000.0::float8 + (CASE WHEN f.CostInBillingCurrency < 0 THEN -0.5 ELSE 0.5 END))::bigint),
    COUNT(*)
FROM cost_fact f WHERE f.LoadId IN (SELECT LoadId FROM partitions)
GROUP BY f.LoadId, f.BillingCurrency, f.ChargeType, f.PricingModel, f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey;
