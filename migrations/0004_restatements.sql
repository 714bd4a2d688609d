-- 0004: restatements. Azure restates months after the fact; a reload replaces the partition
-- and purges the replaced rows, so what stays of every successful load is its totals, in
-- load_totals, and the views below compare each load with the one before it.
--
-- Costs in the history are CostUnits: millionths of the billing currency, each row's cost
-- rounded once and summed as integers, so sums are exact and independent of row order (an
-- identical reload gives identical totals, and a breakdown adds up exactly to its total).

ALTER TABLE summary_daily ADD COLUMN CostUnits INTEGER;     -- Cost in millionths, summed exactly
ALTER TABLE summary_resource ADD COLUMN CostUnits INTEGER;  -- Cost in millionths, summed exactly
ALTER TABLE loads ADD COLUMN TotalsHash TEXT;               -- fingerprint of the load's load_totals rows; NULL if it kept none

-- Per successful load: cost and rows per currency and breakdown group. A few thousand rows per
-- load, kept after the load's fact rows are purged.
--   total           the partition (GroupValue NULL)
--   day             GroupValue is the date, YYYY-MM-DD
--   charge-type     'ChargeType/PricingModel', e.g. 'Usage/OnDemand', 'Purchase/Reservation'
--   subscription    the SubscriptionId (else SubscriptionName)
--   resource-group  the ResourceGroup as the file spells it
--   meter-category  the MeterCategory
-- GroupValue is NULL where the rows had no value.
CREATE TABLE load_totals (
    LoadId INTEGER NOT NULL,
    Breakdown TEXT NOT NULL CHECK (Breakdown IN ('total', 'day', 'charge-type', 'subscription', 'resource-group', 'meter-category')),
    GroupValue TEXT,
    BillingCurrency TEXT,
    CostUnits INTEGER NOT NULL,      -- millionths of the billing currency
    Rows INTEGER NOT NULL
);
CREATE INDEX load_totals_by_load ON load_totals(LoadId, Breakdown);

-- Settings the views use. settleDays: days after a month ends until Azure stops restating it;
-- `costwh ingest` writes the configuration's window.settleDays here.
CREATE TABLE settings (
    Name TEXT PRIMARY KEY,
    Value TEXT NOT NULL
);
INSERT INTO settings (Name, Value) VALUES ('settleDays', '10');

-- Every successful load that kept its totals and is new or differs from the load before it of
-- the same partition: one row per currency. PreviousLoadId is NULL for a partition's first load.
-- Closed is 1 when the month had ended more than settleDays before the earlier load finished.
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
    CASE WHEN c.PreviousLoadId IS NOT NULL THEN COALESCE(p.CostUnits, 0) / 1000000.0 END AS PreviousCost,
    COALESCE(n.CostUnits, 0) / 1000000.0 AS Cost,
    (COALESCE(n.CostUnits, 0) - COALESCE(p.CostUnits, 0)) / 1000000.0 AS Delta,
    CASE WHEN p.CostUnits <> 0 THEN 100.0 * (COALESCE(n.CostUnits, 0) - p.CostUnits) / ABS(p.CostUnits) END AS DeltaPercent,
    CASE WHEN c.PreviousLoadId IS NOT NULL THEN COALESCE(p.Rows, 0) END AS PreviousRows,
    COALESCE(n.Rows, 0) AS Rows,
    CASE WHEN c.PreviousFinishedAt >= date(c.BillingPeriod || '-01', '+1 month',
        '+' || (SELECT Value FROM settings WHERE Name = 'settleDays') || ' days') THEN 1 ELSE 0 END AS Closed
FROM changed c
JOIN currencies u ON u.LoadId = c.LoadId
LEFT JOIN load_totals p ON p.LoadId = c.PreviousLoadId AND p.Breakdown = 'total'
    AND COALESCE(p.BillingCurrency, '') = COALESCE(u.BillingCurrency, '')
LEFT JOIN load_totals n ON n.LoadId = c.LoadId AND n.Breakdown = 'total'
    AND COALESCE(n.BillingCurrency, '') = COALESCE(u.BillingCurrency, '');

-- What analysts ask first: which loaded months changed, by how much. One row per change of a
-- partition between two successive successful loads (and currency); see load_totals for where.
CREATE VIEW partition_changes AS
SELECT * FROM load_changes WHERE PreviousLoadId IS NOT NULL;

-- The current loads get their history now (costwh adds the fingerprints after this script).
-- Their summaries are rebuilt with CostUnits, rounding as the loader does: ±0.5, truncated.
DELETE FROM summary_daily WHERE LoadId IN (SELECT LoadId FROM partitions);
DELETE FROM summary_resource WHERE LoadId IN (SELECT LoadId FROM partitions);

INSERT INTO summary_daily (LoadId, Date, BillingCurrency, ChargeType, PricingModel, Cost, CostUnits, Rows)
SELECT p.LoadId, f.Date, f.BillingCurrency, f.ChargeType, f.PricingModel, TOTAL(f.CostInBillingCurrency),
    SUM(CAST(f.CostInBillingCurrency * 1000000.0 + (CASE WHEN f.CostInBillingCurrency < 0 THEN -0.5 ELSE 0.5 END) AS INTEGER)),
    COUNT(*)
FROM partitions p JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId
GROUP BY p.LoadId, f.Date, f.BillingCurrency, f.ChargeType, f.PricingModel;

INSERT INTO summary_resource (LoadId, BillingCurrency, ChargeType, PricingModel, AccountKey, ResourceKey, ProductKey, TagsKey, Cost, CostUnits, Rows)
SELECT p.LoadId, f.BillingCurrency, f.ChargeType, f.PricingModel, f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey,
    TOTAL(f.CostInBillingCurrency),
    SUM(CAST(f.CostInBillingCurrency * 1000000.0 + (CASE WHEN f.CostInBillingCurrency < 0 THEN -0.5 ELSE 0.5 END) AS INTEGER)),
    COUNT(*)
FROM partitions p JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId
GROUP BY p.LoadId, f.BillingCurrency, f.ChargeType, f.PricingModel, f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey;
