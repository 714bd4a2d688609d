-- 0002: small summary tables that each load maintains, and the views that compare
-- ActualCost with AmortizedCost. The canned queries (costwh query) read these, so they
-- answer from a few thousand summary rows instead of scanning millions of fact rows.

-- Per load: cost and row count by day, currency, charge type and pricing model.
CREATE TABLE summary_daily (
    LoadId INTEGER NOT NULL,
    Date TEXT NOT NULL,
    BillingCurrency TEXT,
    ChargeType TEXT,
    PricingModel TEXT,
    Cost REAL NOT NULL,
    Rows INTEGER NOT NULL
);
CREATE INDEX summary_daily_by_load ON summary_daily(LoadId);

-- Per load: cost and row count by currency, charge type, pricing model and the account,
-- resource, product and tags dimension rows (see dim_*).
CREATE TABLE summary_resource (
    LoadId INTEGER NOT NULL,
    BillingCurrency TEXT,
    ChargeType TEXT,
    PricingModel TEXT,
    AccountKey INTEGER,
    ResourceKey INTEGER,
    ProductKey INTEGER,
    TagsKey INTEGER,
    Cost REAL NOT NULL,
    Rows INTEGER NOT NULL
);
CREATE INDEX summary_resource_by_load ON summary_resource(LoadId);

-- Loads made before this migration get their summaries now.
INSERT INTO summary_daily (LoadId, Date, BillingCurrency, ChargeType, PricingModel, Cost, Rows)
SELECT p.LoadId, f.Date, f.BillingCurrency, f.ChargeType, f.PricingModel, TOTAL(f.CostInBillingCurrency), COUNT(*)
FROM partitions p JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId
GROUP BY p.LoadId, f.Date, f.BillingCurrency, f.ChargeType, f.PricingModel;

INSERT INTO summary_resource (LoadId, BillingCurrency, ChargeType, PricingModel, AccountKey, ResourceKey, ProductKey, TagsKey, Cost, Rows)
SELECT p.LoadId, f.BillingCurrency, f.ChargeType, f.PricingModel, f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey,
       TOTAL(f.CostInBillingCurrency), COUNT(*)
FROM partitions p JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId
GROUP BY p.LoadId, f.BillingCurrency, f.ChargeType, f.PricingModel, f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey;

-- (Scope, BillingPeriod) pairs where both metrics are loaded: the only ones compared.
CREATE VIEW comparable_periods AS
SELECT Scope, BillingPeriod
FROM partitions
GROUP BY Scope, BillingPeriod
HAVING COUNT(DISTINCT Metric) = 2;

-- Why amortized differs from actual, row by row (reference §6):
--   CommitmentPurchases       Reservation/SavingsPlan Purchase and Refund rows (actual only)
--   AmortizedCommitmentUsage  usage covered by a commitment (0 in actual, priced in amortized)
--   UnusedReservation         amortized only
--   UnusedSavingsPlan         amortized only
--   Other                     on-demand, spot, marketplace, tax...: the same in both metrics
CREATE VIEW cost_daily_by_cause AS
SELECT p.Scope, p.BillingPeriod, p.Metric, s.Date, s.BillingCurrency, s.ChargeType, s.PricingModel, s.Cost, s.Rows,
    CASE
        WHEN s.ChargeType IN ('Purchase', 'Refund') AND s.PricingModel IN ('Reservation', 'SavingsPlan') THEN 'CommitmentPurchases'
        WHEN s.ChargeType = 'UnusedReservation' THEN 'UnusedReservation'
        WHEN s.ChargeType = 'UnusedSavingsPlan' THEN 'UnusedSavingsPlan'
        WHEN s.PricingModel IN ('Reservation', 'SavingsPlan') THEN 'AmortizedCommitmentUsage'
        ELSE 'Other'
    END AS Cause
FROM partitions p
JOIN summary_daily s ON s.LoadId = p.LoadId;

-- Actual and amortized totals per scope, month and currency, with the difference split
-- into its causes: Difference = -CommitmentPurchases + AmortizedCommitmentUsage
--                               + UnusedReservation + UnusedSavingsPlan + Other.
CREATE VIEW cost_comparison_totals AS
SELECT
    d.Scope,
    d.BillingPeriod,
    d.BillingCurrency AS Currency,
    TOTAL(CASE WHEN d.Metric = 'ActualCost' THEN d.Cost END) AS ActualCost,
    TOTAL(CASE WHEN d.Metric = 'AmortizedCost' THEN d.Cost END) AS AmortizedCost,
    TOTAL(CASE WHEN d.Metric = 'AmortizedCost' THEN d.Cost ELSE -d.Cost END) AS Difference,
    TOTAL(CASE WHEN d.Cause = 'CommitmentPurchases' AND d.Metric = 'ActualCost' THEN d.Cost END)
        - TOTAL(CASE WHEN d.Cause = 'CommitmentPurchases' AND d.Metric = 'AmortizedCost' THEN d.Cost END) AS CommitmentPurchases,
    TOTAL(CASE WHEN d.Cause = 'AmortizedCommitmentUsage' THEN CASE WHEN d.Metric = 'AmortizedCost' THEN d.Cost ELSE -d.Cost END END) AS AmortizedCommitmentUsage,
    TOTAL(CASE WHEN d.Cause = 'UnusedReservation' THEN CASE WHEN d.Metric = 'AmortizedCost' THEN d.Cost ELSE -d.Cost END END) AS UnusedReservation,
    TOTAL(CASE WHEN d.Cause = 'UnusedSavingsPlan' THEN CASE WHEN d.Metric = 'AmortizedCost' THEN d.Cost ELSE -d.Cost END END) AS UnusedSavingsPlan,
    TOTAL(CASE WHEN d.Cause = 'Other' THEN CASE WHEN d.Metric = 'AmortizedCost' THEN d.Cost ELSE -d.Cost END END) AS Other
FROM comparable_periods c
JOIN cost_daily_by_cause d ON d.Scope = c.Scope AND d.BillingPeriod = c.BillingPeriod
GROUP BY d.Scope, d.BillingPeriod, d.BillingCurrency;

-- The daily actual and amortized series.
CREATE VIEW cost_comparison_daily AS
SELECT
    d.Scope,
    d.BillingPeriod,
    d.Date,
    d.BillingCurrency AS Currency,
    TOTAL(CASE WHEN d.Metric = 'ActualCost' THEN d.Cost END) AS ActualCost,
    TOTAL(CASE WHEN d.Metric = 'AmortizedCost' THEN d.Cost END) AS AmortizedCost,
    TOTAL(CASE WHEN d.Metric = 'AmortizedCost' THEN d.Cost ELSE -d.Cost END) AS Difference
FROM comparable_periods c
JOIN cost_daily_by_cause d ON d.Scope = c.Scope AND d.BillingPeriod = c.BillingPeriod
GROUP BY d.Scope, d.BillingPeriod, d.Date, d.BillingCurrency;

-- Both metrics per month with the change from the month before.
CREATE VIEW cost_month_over_month AS
SELECT
    Scope,
    BillingPeriod,
    Currency,
    ActualCost,
    ActualCost - LAG(ActualCost) OVER w AS ActualChange,
    100.0 * (ActualCost - LAG(ActualCost) OVER w) / NULLIF(LAG(ActualCost) OVER w, 0) AS ActualChangePercent,
    AmortizedCost,
    AmortizedCost - LAG(AmortizedCost) OVER w AS AmortizedChange,
    100.0 * (AmortizedCost - LAG(AmortizedCost) OVER w) / NULLIF(LAG(AmortizedCost) OVER w, 0) AS AmortizedChangePercent
FROM cost_comparison_totals
WINDOW w AS (PARTITION BY Scope, Currency ORDER BY BillingPeriod);

-- Reservation utilisation from amortized data: cost of the usage each reservation covered,
-- its unused cost, and the share used.
CREATE VIEW reservation_utilization AS
SELECT
    p.Scope,
    p.BillingPeriod,
    s.BillingCurrency AS Currency,
    m.ReservationId,
    MAX(m.ReservationName) AS ReservationName,
    TOTAL(CASE WHEN s.ChargeType = 'Usage' THEN s.Cost END) AS UsedCost,
    TOTAL(CASE WHEN s.ChargeType = 'UnusedReservation' THEN s.Cost END) AS UnusedCost,
    100.0 * TOTAL(CASE WHEN s.ChargeType = 'Usage' THEN s.Cost END) / NULLIF(TOTAL(s.Cost), 0) AS UtilizationPercent
FROM partitions p
JOIN summary_resource s ON s.LoadId = p.LoadId
JOIN dim_product m ON m.ProductKey = s.ProductKey
WHERE p.Metric = 'AmortizedCost' AND s.PricingModel = 'Reservation' AND s.ChargeType IN ('Usage', 'UnusedReservation')
    AND m.ReservationId IS NOT NULL
GROUP BY p.Scope, p.BillingPeriod, s.BillingCurrency, m.ReservationId;

-- Savings plan utilisation, the same way; savings plans are identified by BenefitId.
CREATE VIEW savings_plan_utilization AS
SELECT
    p.Scope,
    p.BillingPeriod,
    s.BillingCurrency AS Currency,
    m.BenefitId AS SavingsPlanId,
    MAX(m.BenefitName) AS SavingsPlanName,
    TOTAL(CASE WHEN s.ChargeType = 'Usage' THEN s.Cost END) AS UsedCost,
    TOTAL(CASE WHEN s.ChargeType = 'UnusedSavingsPlan' THEN s.Cost END) AS UnusedCost,
    100.0 * TOTAL(CASE WHEN s.ChargeType = 'Usage' THEN s.Cost END) / NULLIF(TOTAL(s.Cost), 0) AS UtilizationPercent
FROM partitions p
JOIN summary_resource s ON s.LoadId = p.LoadId
JOIN dim_product m ON m.ProductKey = s.ProductKey
WHERE p.Metric = 'AmortizedCost' AND s.PricingModel = 'SavingsPlan' AND s.ChargeType IN ('Usage', 'UnusedSavingsPlan')
    AND m.BenefitId IS NOT NULL
GROUP BY p.Scope, p.BillingPeriod, s.BillingCurrency, m.BenefitId;

-- FOCUS-style costs (FinOps toolkit, docs-mslearn/focus/convert.md): all amortized rows,
-- plus the actual Purchase/Refund rows of reservations and savings plans, so nothing is
-- counted twice. BilledCost is what the invoice shows, EffectiveCost the amortized cost.
-- Commitment-covered usage, used or unused, was billed by its purchase: BilledCost 0.
CREATE VIEW focus_costs AS
SELECT
    c.Scope,
    c.BillingPeriod,
    c.Metric AS x_SourceMetric,
    CASE
        WHEN c.ChargeType IN ('Usage', 'UnusedReservation', 'UnusedSavingsPlan') AND c.PricingModel IN ('Reservation', 'SavingsPlan') THEN 0
        ELSE c.CostInBillingCurrency
    END AS BilledCost,
    CASE
        WHEN c.ChargeType IN ('Purchase', 'Refund') AND c.PricingModel IN ('Reservation', 'SavingsPlan') THEN 0
        ELSE c.CostInBillingCurrency
    END AS EffectiveCost,
    c.BillingCurrency,
    CASE
        WHEN c.ChargeType IN ('Usage', 'Purchase', 'Credit', 'Tax') THEN c.ChargeType
        WHEN c.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 'Usage'
        WHEN c.ChargeType = 'Refund' THEN 'Purchase'
        ELSE 'Adjustment'
    END AS ChargeCategory,
    CASE WHEN c.ChargeType = 'Refund' THEN 'Correction' END AS ChargeClass,
    CASE c.PricingModel
        WHEN 'OnDemand' THEN 'Standard'
        WHEN 'Spot' THEN 'Dynamic'
        WHEN 'Reservation' THEN 'Committed'
        WHEN 'SavingsPlan' THEN 'Committed'
    END AS PricingCategory,
    CASE
        WHEN c.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 'Unused'
        WHEN c.ChargeType = 'Usage' AND c.PricingModel IN ('Reservation', 'SavingsPlan') THEN 'Used'
    END AS CommitmentDiscountStatus,
    CASE WHEN c.PricingModel IN ('Reservation', 'SavingsPlan') THEN c.BenefitId END AS CommitmentDiscountId,
    CASE WHEN c.PricingModel IN ('Reservation', 'SavingsPlan') THEN c.BenefitName END AS CommitmentDiscountName,
    c.Date AS ChargePeriodStart,
    date(c.Date, '+1 day') AS ChargePeriodEnd,
    c.BillingPeriodStartDate AS BillingPeriodStart,
    date(c.BillingPeriodEndDate, '+1 day') AS BillingPeriodEnd,
    COALESCE(c.BillingProfileId, c.BillingAccountId) AS BillingAccountId,
    COALESCE(c.BillingProfileName, c.BillingAccountName) AS BillingAccountName,
    c.SubscriptionId AS SubAccountId,
    c.SubscriptionName AS SubAccountName,
    c.ResourceId,
    c.ResourceName,
    c.ResourceGroup AS x_ResourceGroupName,
    c.ResourceLocation AS RegionId,
    c.ServiceFamily AS ServiceCategory,
    c.MeterCategory AS x_SkuMeterCategory,
    c.MeterId AS x_SkuMeterId,
    c.MeterName AS x_SkuMeterName,
    c.Quantity AS ConsumedQuantity,
    c.UnitOfMeasure AS ConsumedUnit,
    c.EffectivePrice AS x_EffectiveUnitPrice,
    c.UnitPrice AS ContractedUnitPrice,
    c.PublisherName AS x_PublisherName,
    c.PublisherType AS x_PublisherCategory,
    c.Tags,
    c.ChargeType AS x_ChargeType,
    c.PricingModel AS x_PricingModel
FROM cost_details c
JOIN comparable_periods p ON p.Scope = c.Scope AND p.BillingPeriod = c.BillingPeriod
WHERE c.Metric = 'AmortizedCost'
    OR (c.Metric = 'ActualCost' AND c.ChargeType IN ('Purchase', 'Refund') AND c.PricingModel IN ('Reservation', 'SavingsPlan'));
