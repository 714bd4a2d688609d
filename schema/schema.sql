-- costwh warehouse schema: the whole current schema, exactly as migrations/ builds it.
--
-- migrations/NNNN_*.sql are the source of truth and are compiled into costwh; this file
-- is for reading (and for `sqlite3 new.sqlite < schema/schema.sql`). A test fails when
-- the two drift apart. PostgreSQL's schema, with the same tables, views and columns, is
-- built by migrations/postgres/ (see docs/POSTGRES.md for the differences on purpose).
--
-- Where to start:
--   cost_details            one row per cost record of every current partition
--   cost_details_wide       the same, as joins: faster for SELECT * and other whole-row reads
--   cost_summary            cost_details without Date, added up per load: fast totals over months
--   cost_daily_summary      cost_details per day and product, added up per load: fast daily series
--   loads                   the ledger: every load attempt and its outcome
--   partitions              which load is current for each (Scope, BillingPeriod, Metric)
--   rejected_rows           rows that could not be loaded, with their text and the reason
--   cost_comparison_totals  actual vs amortized per scope, month and currency, with causes
--   cost_comparison_daily   the daily series of both metrics
--   cost_month_over_month   both metrics with the change from the month before
--   reservation_utilization, savings_plan_utilization
--   focus_costs             the warehouse as FOCUS 1.2 (x_FocusVersion), for every source
--   partition_changes       months that changed between two loads (restatements), by how much
--   load_totals             each load's totals per day, charge type, subscription, ... kept after a reload
--   price_sheet, reservation_transactions, reservation_details, balance_summary,
--   marketplace_charges, billing_periods   the other datasets of a billing scope (current loads)
--
-- Column meanings follow Microsoft's cost-details field reference; every schema's
-- aliases are resolved to one name (Cost, PreTaxCost, ExtendedCost and
-- costInBillingCurrency are all CostInBillingCurrency). Empty fields are NULL. Dates are
-- ISO YYYY-MM-DD text, numbers REAL. Tags and AdditionalInfo are JSON objects:
--   SELECT json_extract(Tags, '$.env'), SUM(CostInBillingCurrency) FROM cost_details GROUP BY 1;

-- Analysts query the view `cost_details` (one row per cost record, every canonical column)
-- and the ledger `loads`. The tables behind the view keep the fact rows narrow: long,
-- repeated strings live once in small dimension tables (dim_*) and each fact row points at
-- them. The rows of one load are contiguous in cost_fact (rowids FirstRowId..LastRowId);
-- `partitions` says which load is current for each (Scope, BillingPeriod, Metric), so
-- replacing a partition is one pointer update and purging the old rows one range delete.

-- The ledger: one row per load attempt, whatever its outcome.
CREATE TABLE "loads" (
    LoadId INTEGER PRIMARY KEY,
    Scope TEXT NOT NULL,             -- canonical ARM scope id, e.g. /providers/Microsoft.Billing/billingAccounts/8611537
    BillingPeriod TEXT NOT NULL,     -- YYYY-MM
    Metric TEXT CHECK (Metric IN ('ActualCost', 'AmortizedCost')),  -- cost details only; NULL for the other datasets
    Source TEXT NOT NULL,            -- file, cost-details, detailed-report, usage-details, ea-reporting, exports, price-sheet, ...
    SourceDetail TEXT,               -- JSON: file paths, report or operation id (never a secret)
    ContentHash TEXT,                -- hash of the source bytes, to recognise an unchanged report
    RowsRead INTEGER,                -- data rows in the source files (header and preamble excluded)
    RowsLoaded INTEGER,
    RowsRejected INTEGER,
    CostTotal REAL,                  -- sum of CostInBillingCurrency over the loaded rows (cost details)
    Currencies TEXT,                 -- comma-separated billing currencies seen
    Warnings TEXT,                   -- JSON object: kind -> value -> count (e.g. unknown ChargeType values)
    Status TEXT NOT NULL CHECK (Status IN ('running', 'succeeded', 'failed', 'unchanged', 'skipped', 'abandoned')),
    Error TEXT,
    StartedAt TEXT NOT NULL,         -- UTC, ISO 8601
    FinishedAt TEXT,
    ProcessId INTEGER,               -- of the costwh process that ran the load, to detect abandoned loads
    Host TEXT,
    FirstRowId INTEGER,              -- the load's rows in cost_fact: rowid FirstRowId..LastRowId
    LastRowId INTEGER,
    PurgedAt TEXT,                   -- when the rows of this replaced load were deleted
    Dialect TEXT,                    -- how the files were read: encoding, delimiter, decimal comma, date order
    TotalsHash TEXT,                 -- fingerprint of the load's load_totals rows; NULL if it kept none
    Dataset TEXT NOT NULL DEFAULT 'cost-details',  -- cost-details, price-sheet, reservation-transactions, ...
    ReaderHorizon TEXT,              -- PostgreSQL: transactions open when this load was replaced (NULL here)
    PurgeNote TEXT                   -- PostgreSQL: why a replaced load's rows are still there (NULL here)
);
CREATE INDEX loads_by_partition ON loads(Scope, BillingPeriod, Metric, LoadId);
CREATE INDEX loads_running ON loads(Status) WHERE Status = 'running';
CREATE INDEX loads_by_dataset ON loads(Dataset, Scope, BillingPeriod, LoadId);

-- The current load of every partition. A partition exists once a load of it succeeded.
CREATE TABLE partitions (
    Scope TEXT NOT NULL,
    BillingPeriod TEXT NOT NULL,
    Metric TEXT NOT NULL,
    LoadId INTEGER NOT NULL REFERENCES loads(LoadId),
    FirstRowId INTEGER NOT NULL,     -- the partition's rows are cost_fact rowids FirstRowId..LastRowId
    LastRowId INTEGER NOT NULL,
    RowCount INTEGER NOT NULL,
    CostTotal REAL NOT NULL,
    UpdatedAt TEXT NOT NULL,
    PRIMARY KEY (Scope, BillingPeriod, Metric)
) WITHOUT ROWID;
CREATE INDEX partitions_by_load ON partitions(LoadId);

-- Rows that could not be normalised, with their raw text and the reason.
CREATE TABLE rejected_rows (
    RejectedId INTEGER PRIMARY KEY,
    LoadId INTEGER NOT NULL REFERENCES loads(LoadId),
    Source TEXT NOT NULL,            -- file name or blob name
    LineNumber INTEGER NOT NULL,     -- 1-based physical line where the record starts
    RawText TEXT NOT NULL,           -- the record as it was (cut at 64 KiB)
    Reason TEXT NOT NULL             -- names the column and what was expected
);
CREATE INDEX rejected_rows_by_load ON rejected_rows(LoadId);

-- Dimension tables. KeyHash/KeyHash2 are a 128-bit hash of the row's values, used by the
-- loader to find an existing row; analysts can ignore them.
CREATE TABLE dim_account (
    AccountKey INTEGER PRIMARY KEY,
    KeyHash INTEGER NOT NULL,
    KeyHash2 INTEGER NOT NULL,
    BillingAccountId TEXT,
    BillingAccountName TEXT,
    BillingProfileId TEXT,
    BillingProfileName TEXT,
    InvoiceSectionId TEXT,
    InvoiceSectionName TEXT,
    AccountOwnerId TEXT,
    AccountName TEXT,
    AccountId TEXT,
    SubscriptionId TEXT,
    SubscriptionName TEXT,
    CostCenter TEXT,
    OfferId TEXT,
    InvoiceId TEXT,
    PreviousInvoiceId TEXT,
    ResellerName TEXT,
    ResellerMpnId TEXT,
    PartnerTenantId TEXT,
    PartnerName TEXT,
    CustomerTenantId TEXT,
    CustomerName TEXT,
    ServiceAdministratorId TEXT,
    BillingPeriodStartDate TEXT,
    BillingPeriodEndDate TEXT,
    ServicePeriodStartDate TEXT,
    ServicePeriodEndDate TEXT,
    ExchangeRateDate TEXT,
    PricingCurrency TEXT
);
CREATE INDEX dim_account_by_hash ON dim_account(KeyHash);
CREATE INDEX dim_account_by_subscription ON dim_account(SubscriptionId);

CREATE TABLE dim_resource (
    ResourceKey INTEGER PRIMARY KEY,
    KeyHash INTEGER NOT NULL,
    KeyHash2 INTEGER NOT NULL,
    ResourceId TEXT,
    ResourceName TEXT,
    ResourceGroup TEXT,
    ResourceType TEXT,
    ResourceLocation TEXT,
    ResourceLocationNormalized TEXT,
    Location TEXT,
    AvailabilityZone TEXT,
    ConsumedService TEXT,
    ServiceInfo1 TEXT,
    ServiceInfo2 TEXT,
    CostAllocationRuleName TEXT
);
CREATE INDEX dim_resource_by_hash ON dim_resource(KeyHash);
CREATE INDEX dim_resource_by_group ON dim_resource(ResourceGroup);
CREATE INDEX dim_resource_by_id ON dim_resource(ResourceId);
-- The resource group by key: narrow, so analysts' GROUP BY ResourceGroup stays in cache.
CREATE INDEX dim_resource_group_by_key ON dim_resource(ResourceKey, ResourceGroup);

CREATE TABLE dim_product (
    ProductKey INTEGER PRIMARY KEY,
    KeyHash INTEGER NOT NULL,
    KeyHash2 INTEGER NOT NULL,
    MeterId TEXT,
    MeterName TEXT,
    MeterCategory TEXT,
    MeterSubCategory TEXT,
    MeterRegion TEXT,
    ServiceFamily TEXT,
    ProductName TEXT,
    ProductId TEXT,
    PartNumber TEXT,
    UnitOfMeasure TEXT,
    Frequency TEXT,
    PublisherType TEXT,
    PublisherName TEXT,
    PublisherId TEXT,
    PlanName TEXT,
    IsAzureCreditEligible TEXT,
    Provider TEXT,
    ServiceName TEXT,
    ServiceTier TEXT,
    ProductOrderId TEXT,
    ProductOrderName TEXT,
    Term TEXT,
    ReservationId TEXT,
    ReservationName TEXT,
    BenefitId TEXT,
    BenefitName TEXT,
    PartnerEarnedCreditApplied TEXT,
    StoreServiceIdentifier TEXT,
    ChargeCategory TEXT,             -- FOCUS files only, as the file gave them
    ChargeClass TEXT,
    ChargeFrequency TEXT,
    ChargeDescription TEXT,
    PricingCategory TEXT,
    PricingUnit TEXT,
    CommitmentDiscountStatus TEXT,
    CommitmentDiscountType TEXT,
    CommitmentDiscountCategory TEXT,
    ServiceCategory TEXT,
    InvoiceIssuerName TEXT,
    RegionId TEXT,
    RegionName TEXT,
    SkuId TEXT,
    SkuPriceId TEXT
);
CREATE INDEX dim_product_by_hash ON dim_product(KeyHash);
CREATE INDEX dim_product_by_meter_category ON dim_product(MeterCategory);
CREATE INDEX dim_product_by_reservation ON dim_product(ReservationId);

CREATE TABLE dim_tags (
    TagsKey INTEGER PRIMARY KEY,
    KeyHash INTEGER NOT NULL,
    KeyHash2 INTEGER NOT NULL,
    Tags TEXT                        -- a valid JSON object; EA's brace-less tags are wrapped in {}
);
CREATE INDEX dim_tags_by_hash ON dim_tags(KeyHash);

CREATE TABLE dim_info (
    InfoKey INTEGER PRIMARY KEY,
    KeyHash INTEGER NOT NULL,
    KeyHash2 INTEGER NOT NULL,
    AdditionalInfo TEXT              -- a valid JSON object
);
CREATE INDEX dim_info_by_hash ON dim_info(KeyHash);

CREATE TABLE dim_extra (
    ExtraKey INTEGER PRIMARY KEY,
    KeyHash INTEGER NOT NULL,
    KeyHash2 INTEGER NOT NULL,
    ExtraColumns TEXT                -- JSON object: the file's columns costwh does not know, by header name
);
CREATE INDEX dim_extra_by_hash ON dim_extra(KeyHash);

-- The fact table: one narrow row per cost record. Query the view cost_details instead:
-- rows of a replaced load stay here, invisible, until the loader purges them.
CREATE TABLE cost_fact (
    SourcePart INTEGER NOT NULL,     -- which file or blob of the load (0-based)
    SourceLine INTEGER NOT NULL,     -- 1-based line of the record in that file
    Date TEXT NOT NULL,
    ChargeType TEXT,
    PricingModel TEXT,
    CostInBillingCurrency REAL NOT NULL,
    BillingCurrency TEXT,
    Quantity REAL,
    EffectivePrice REAL,
    UnitPrice REAL,
    PayGPrice REAL,
    CostInPricingCurrency REAL,
    CostInUsd REAL,
    PaygCostInBillingCurrency REAL,
    PaygCostInUsd REAL,
    ExchangeRatePricingToBilling REAL,
    PartnerEarnedCreditRate REAL,
    AccountKey INTEGER,
    ResourceKey INTEGER,
    ProductKey INTEGER,
    TagsKey INTEGER,
    InfoKey INTEGER,
    ExtraKey INTEGER,
    BilledCost REAL,                 -- FOCUS files only: the costs as the file gave them
    EffectiveCost REAL,
    ListCost REAL,
    ContractedCost REAL
);
-- Partitions are rowid ranges, so they need no index. The secondary indexes are on keys
-- with few distinct values: a load appends to the end of each key's run, which keeps
-- inserts cheap and memory flat however large the table grows.
CREATE INDEX cost_fact_by_date ON cost_fact(Date);
CREATE INDEX cost_fact_by_account ON cost_fact(AccountKey);

-- What analysts query: one row per cost record of every current partition.
-- Each dimension column is a scalar subquery on the dimension's key, so an aggregate that
-- uses one dimension looks up only that one (SQLite keeps unused LEFT JOINs when a query
-- aggregates). cost_details_wide below has the same rows as joins, for whole-row reads.
CREATE VIEW cost_details AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    f.Date, f.ChargeType, f.PricingModel, f.CostInBillingCurrency, f.BillingCurrency,
    f.Quantity, f.EffectivePrice, f.UnitPrice, f.PayGPrice, f.CostInPricingCurrency, f.CostInUsd, f.PaygCostInBillingCurrency, f.PaygCostInUsd, f.ExchangeRatePricingToBilling, f.PartnerEarnedCreditRate,
    f.BilledCost,
    COALESCE(f.EffectiveCost, CASE WHEN p.Metric = 'AmortizedCost' THEN f.CostInBillingCurrency END) AS EffectiveCost,
    COALESCE(f.ListCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.PayGPrice > 0 OR (f.PayGPrice = 0 AND COALESCE(f.UnitPrice, 0) = 0)
            THEN f.PayGPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
        WHEN f.PaygCostInBillingCurrency > 0 THEN f.PaygCostInBillingCurrency
        ELSE (
            SELECT lp.MarketPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
                * CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE (CASE WHEN CAST(m.UnitOfMeasure AS REAL) > 0 THEN CAST(m.UnitOfMeasure AS REAL) ELSE 1.0 END) / lp.UnitMultiplier END
            FROM dim_product m
            JOIN list_prices lp ON lp.BillingPeriod = p.BillingPeriod AND lp.MeterId = m.MeterId
            WHERE m.ProductKey = f.ProductKey AND COALESCE(m.PublisherType, '') <> 'Marketplace'
                AND lp.BillingProfileId = (
                    SELECT COALESCE(a.BillingProfileId, a.BillingAccountId) FROM dim_account a WHERE a.AccountKey = f.AccountKey))
    END) AS ListCost,
    COALESCE(f.ContractedCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.UnitPrice IS NOT NULL THEN f.UnitPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
    END) AS ContractedCost,
    (SELECT BillingAccountId FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingAccountId,
    (SELECT BillingAccountName FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingAccountName,
    (SELECT BillingProfileId FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingProfileId,
    (SELECT BillingProfileName FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingProfileName,
    (SELECT InvoiceSectionId FROM dim_account WHERE AccountKey = f.AccountKey) AS InvoiceSectionId,
    (SELECT InvoiceSectionName FROM dim_account WHERE AccountKey = f.AccountKey) AS InvoiceSectionName,
    (SELECT AccountOwnerId FROM dim_account WHERE AccountKey = f.AccountKey) AS AccountOwnerId,
    (SELECT AccountName FROM dim_account WHERE AccountKey = f.AccountKey) AS AccountName,
    (SELECT AccountId FROM dim_account WHERE AccountKey = f.AccountKey) AS AccountId,
    (SELECT SubscriptionId FROM dim_account WHERE AccountKey = f.AccountKey) AS SubscriptionId,
    (SELECT SubscriptionName FROM dim_account WHERE AccountKey = f.AccountKey) AS SubscriptionName,
    (SELECT CostCenter FROM dim_account WHERE AccountKey = f.AccountKey) AS CostCenter,
    (SELECT OfferId FROM dim_account WHERE AccountKey = f.AccountKey) AS OfferId,
    (SELECT InvoiceId FROM dim_account WHERE AccountKey = f.AccountKey) AS InvoiceId,
    (SELECT PreviousInvoiceId FROM dim_account WHERE AccountKey = f.AccountKey) AS PreviousInvoiceId,
    (SELECT ResellerName FROM dim_account WHERE AccountKey = f.AccountKey) AS ResellerName,
    (SELECT ResellerMpnId FROM dim_account WHERE AccountKey = f.AccountKey) AS ResellerMpnId,
    (SELECT PartnerTenantId FROM dim_account WHERE AccountKey = f.AccountKey) AS PartnerTenantId,
    (SELECT PartnerName FROM dim_account WHERE AccountKey = f.AccountKey) AS PartnerName,
    (SELECT CustomerTenantId FROM dim_account WHERE AccountKey = f.AccountKey) AS CustomerTenantId,
    (SELECT CustomerName FROM dim_account WHERE AccountKey = f.AccountKey) AS CustomerName,
    (SELECT ServiceAdministratorId FROM dim_account WHERE AccountKey = f.AccountKey) AS ServiceAdministratorId,
    (SELECT BillingPeriodStartDate FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingPeriodStartDate,
    (SELECT BillingPeriodEndDate FROM dim_account WHERE AccountKey = f.AccountKey) AS BillingPeriodEndDate,
    (SELECT ServicePeriodStartDate FROM dim_account WHERE AccountKey = f.AccountKey) AS ServicePeriodStartDate,
    (SELECT ServicePeriodEndDate FROM dim_account WHERE AccountKey = f.AccountKey) AS ServicePeriodEndDate,
    (SELECT ExchangeRateDate FROM dim_account WHERE AccountKey = f.AccountKey) AS ExchangeRateDate,
    (SELECT PricingCurrency FROM dim_account WHERE AccountKey = f.AccountKey) AS PricingCurrency,
    (SELECT ResourceId FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ResourceId,
    (SELECT ResourceName FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ResourceName,
    (SELECT ResourceGroup FROM dim_resource INDEXED BY dim_resource_group_by_key WHERE ResourceKey = f.ResourceKey) AS ResourceGroup,
    (SELECT ResourceType FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ResourceType,
    (SELECT ResourceLocation FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ResourceLocation,
    (SELECT ResourceLocationNormalized FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ResourceLocationNormalized,
    (SELECT Location FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS Location,
    (SELECT AvailabilityZone FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS AvailabilityZone,
    (SELECT ConsumedService FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ConsumedService,
    (SELECT ServiceInfo1 FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ServiceInfo1,
    (SELECT ServiceInfo2 FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS ServiceInfo2,
    (SELECT CostAllocationRuleName FROM dim_resource WHERE ResourceKey = f.ResourceKey) AS CostAllocationRuleName,
    (SELECT MeterId FROM dim_product WHERE ProductKey = f.ProductKey) AS MeterId,
    (SELECT MeterName FROM dim_product WHERE ProductKey = f.ProductKey) AS MeterName,
    (SELECT MeterCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS MeterCategory,
    (SELECT MeterSubCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS MeterSubCategory,
    (SELECT MeterRegion FROM dim_product WHERE ProductKey = f.ProductKey) AS MeterRegion,
    (SELECT ServiceFamily FROM dim_product WHERE ProductKey = f.ProductKey) AS ServiceFamily,
    (SELECT ProductName FROM dim_product WHERE ProductKey = f.ProductKey) AS ProductName,
    (SELECT ProductId FROM dim_product WHERE ProductKey = f.ProductKey) AS ProductId,
    (SELECT PartNumber FROM dim_product WHERE ProductKey = f.ProductKey) AS PartNumber,
    (SELECT UnitOfMeasure FROM dim_product WHERE ProductKey = f.ProductKey) AS UnitOfMeasure,
    (SELECT Frequency FROM dim_product WHERE ProductKey = f.ProductKey) AS Frequency,
    (SELECT PublisherType FROM dim_product WHERE ProductKey = f.ProductKey) AS PublisherType,
    (SELECT PublisherName FROM dim_product WHERE ProductKey = f.ProductKey) AS PublisherName,
    (SELECT PublisherId FROM dim_product WHERE ProductKey = f.ProductKey) AS PublisherId,
    (SELECT PlanName FROM dim_product WHERE ProductKey = f.ProductKey) AS PlanName,
    (SELECT IsAzureCreditEligible FROM dim_product WHERE ProductKey = f.ProductKey) AS IsAzureCreditEligible,
    (SELECT Provider FROM dim_product WHERE ProductKey = f.ProductKey) AS Provider,
    (SELECT ServiceName FROM dim_product WHERE ProductKey = f.ProductKey) AS ServiceName,
    (SELECT ServiceTier FROM dim_product WHERE ProductKey = f.ProductKey) AS ServiceTier,
    (SELECT ProductOrderId FROM dim_product WHERE ProductKey = f.ProductKey) AS ProductOrderId,
    (SELECT ProductOrderName FROM dim_product WHERE ProductKey = f.ProductKey) AS ProductOrderName,
    (SELECT Term FROM dim_product WHERE ProductKey = f.ProductKey) AS Term,
    (SELECT ReservationId FROM dim_product WHERE ProductKey = f.ProductKey) AS ReservationId,
    (SELECT ReservationName FROM dim_product WHERE ProductKey = f.ProductKey) AS ReservationName,
    (SELECT BenefitId FROM dim_product WHERE ProductKey = f.ProductKey) AS BenefitId,
    (SELECT BenefitName FROM dim_product WHERE ProductKey = f.ProductKey) AS BenefitName,
    (SELECT PartnerEarnedCreditApplied FROM dim_product WHERE ProductKey = f.ProductKey) AS PartnerEarnedCreditApplied,
    (SELECT StoreServiceIdentifier FROM dim_product WHERE ProductKey = f.ProductKey) AS StoreServiceIdentifier,
    (SELECT ChargeCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS ChargeCategory,
    (SELECT ChargeClass FROM dim_product WHERE ProductKey = f.ProductKey) AS ChargeClass,
    (SELECT ChargeFrequency FROM dim_product WHERE ProductKey = f.ProductKey) AS ChargeFrequency,
    (SELECT ChargeDescription FROM dim_product WHERE ProductKey = f.ProductKey) AS ChargeDescription,
    (SELECT PricingCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS PricingCategory,
    (SELECT PricingUnit FROM dim_product WHERE ProductKey = f.ProductKey) AS PricingUnit,
    (SELECT CommitmentDiscountStatus FROM dim_product WHERE ProductKey = f.ProductKey) AS CommitmentDiscountStatus,
    (SELECT CommitmentDiscountType FROM dim_product WHERE ProductKey = f.ProductKey) AS CommitmentDiscountType,
    (SELECT CommitmentDiscountCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS CommitmentDiscountCategory,
    (SELECT ServiceCategory FROM dim_product WHERE ProductKey = f.ProductKey) AS ServiceCategory,
    (SELECT InvoiceIssuerName FROM dim_product WHERE ProductKey = f.ProductKey) AS InvoiceIssuerName,
    (SELECT RegionId FROM dim_product WHERE ProductKey = f.ProductKey) AS RegionId,
    (SELECT RegionName FROM dim_product WHERE ProductKey = f.ProductKey) AS RegionName,
    (SELECT SkuId FROM dim_product WHERE ProductKey = f.ProductKey) AS SkuId,
    (SELECT SkuPriceId FROM dim_product WHERE ProductKey = f.ProductKey) AS SkuPriceId,
    (SELECT Tags FROM dim_tags WHERE TagsKey = f.TagsKey) AS Tags,
    (SELECT AdditionalInfo FROM dim_info WHERE InfoKey = f.InfoKey) AS AdditionalInfo,
    (SELECT ExtraColumns FROM dim_extra WHERE ExtraKey = f.ExtraKey) AS ExtraColumns,
    f.SourcePart, f.SourceLine
FROM partitions p
JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId;

-- The same rows and columns as cost_details, as joins: for queries that read whole rows.
CREATE VIEW cost_details_wide AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    f.Date, f.ChargeType, f.PricingModel, f.CostInBillingCurrency, f.BillingCurrency,
    f.Quantity, f.EffectivePrice, f.UnitPrice, f.PayGPrice, f.CostInPricingCurrency, f.CostInUsd, f.PaygCostInBillingCurrency, f.PaygCostInUsd, f.ExchangeRatePricingToBilling, f.PartnerEarnedCreditRate,
    f.BilledCost,
    COALESCE(f.EffectiveCost, CASE WHEN p.Metric = 'AmortizedCost' THEN f.CostInBillingCurrency END) AS EffectiveCost,
    COALESCE(f.ListCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.PayGPrice > 0 OR (f.PayGPrice = 0 AND COALESCE(f.UnitPrice, 0) = 0)
            THEN f.PayGPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
        WHEN f.PaygCostInBillingCurrency > 0 THEN f.PaygCostInBillingCurrency
        WHEN COALESCE(m.PublisherType, '') <> 'Marketplace' THEN (
            SELECT lp.MarketPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
                * CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE (CASE WHEN CAST(m.UnitOfMeasure AS REAL) > 0 THEN CAST(m.UnitOfMeasure AS REAL) ELSE 1.0 END) / lp.UnitMultiplier END
            FROM list_prices lp
            WHERE lp.BillingProfileId = COALESCE(a.BillingProfileId, a.BillingAccountId)
                AND lp.BillingPeriod = p.BillingPeriod AND lp.MeterId = m.MeterId)
    END) AS ListCost,
    COALESCE(f.ContractedCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.UnitPrice IS NOT NULL THEN f.UnitPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
    END) AS ContractedCost,
    a.BillingAccountId, a.BillingAccountName, a.BillingProfileId, a.BillingProfileName, a.InvoiceSectionId, a.InvoiceSectionName, a.AccountOwnerId, a.AccountName, a.AccountId, a.SubscriptionId, a.SubscriptionName, a.CostCenter, a.OfferId, a.InvoiceId, a.PreviousInvoiceId, a.ResellerName, a.ResellerMpnId, a.PartnerTenantId, a.PartnerName, a.CustomerTenantId, a.CustomerName, a.ServiceAdministratorId, a.BillingPeriodStartDate, a.BillingPeriodEndDate, a.ServicePeriodStartDate, a.ServicePeriodEndDate, a.ExchangeRateDate, a.PricingCurrency,
    r.ResourceId, r.ResourceName, r.ResourceGroup, r.ResourceType, r.ResourceLocation, r.ResourceLocationNormalized, r.Location, r.AvailabilityZone, r.ConsumedService, r.ServiceInfo1, r.ServiceInfo2, r.CostAllocationRuleName,
    m.MeterId, m.MeterName, m.MeterCategory, m.MeterSubCategory, m.MeterRegion, m.ServiceFamily, m.ProductName, m.ProductId, m.PartNumber, m.UnitOfMeasure, m.Frequency, m.PublisherType, m.PublisherName, m.PublisherId, m.PlanName, m.IsAzureCreditEligible, m.Provider, m.ServiceName, m.ServiceTier, m.ProductOrderId, m.ProductOrderName, m.Term, m.ReservationId, m.ReservationName, m.BenefitId, m.BenefitName, m.PartnerEarnedCreditApplied, m.StoreServiceIdentifier,
    m.ChargeCategory, m.ChargeClass, m.ChargeFrequency, m.ChargeDescription, m.PricingCategory, m.PricingUnit, m.CommitmentDiscountStatus, m.CommitmentDiscountType, m.CommitmentDiscountCategory, m.ServiceCategory, m.InvoiceIssuerName, m.RegionId, m.RegionName, m.SkuId, m.SkuPriceId,
    t.Tags, i.AdditionalInfo, x.ExtraColumns,
    f.SourcePart, f.SourceLine
FROM partitions p
JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId
LEFT JOIN dim_account a ON a.AccountKey = f.AccountKey
LEFT JOIN dim_resource r ON r.ResourceKey = f.ResourceKey
LEFT JOIN dim_product m ON m.ProductKey = f.ProductKey
LEFT JOIN dim_tags t ON t.TagsKey = f.TagsKey
LEFT JOIN dim_info i ON i.InfoKey = f.InfoKey
LEFT JOIN dim_extra x ON x.ExtraKey = f.ExtraKey;

-- cost_details_keys: the columns of cost_details that live on the fact rows (the computed
-- EffectiveCost, ListCost and ContractedCost included, as cost_details computes them), with the
-- dimension keys in place of the dimension columns. `costwh export` reads a partition's fact
-- rows through it and each dimension row the partition uses once (DimensionedExport), instead
-- of 110 columns per row: the lake's dictionary pages are the dimensions' distinct values anyway. Keep its expressions equal to cost_details';
-- the export's tests compare every value of the lake with cost_details on both stores, and
-- SavingsTests this view with cost_details where a price sheet gives a list price.
-- The product and account a list price needs are looked up only in the branch that needs
-- them (most rows carry their PayGPrice): two joins per row cost a partition's export about
-- a fifth of its read. StoredEffectiveCost, StoredListCost and StoredContractedCost are what
-- the row carried (migration 0011): the export applies the three costs' rules itself.
CREATE VIEW cost_details_keys AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    f.Date, f.ChargeType, f.PricingModel, f.CostInBillingCurrency, f.BillingCurrency,
    f.Quantity, f.EffectivePrice, f.UnitPrice, f.PayGPrice, f.CostInPricingCurrency, f.CostInUsd, f.PaygCostInBillingCurrency, f.PaygCostInUsd, f.ExchangeRatePricingToBilling, f.PartnerEarnedCreditRate,
    f.BilledCost,
    COALESCE(f.EffectiveCost, CASE WHEN p.Metric = 'AmortizedCost' THEN f.CostInBillingCurrency END) AS EffectiveCost,
    COALESCE(f.ListCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.PayGPrice > 0 OR (f.PayGPrice = 0 AND COALESCE(f.UnitPrice, 0) = 0)
            THEN f.PayGPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
        WHEN f.PaygCostInBillingCurrency > 0 THEN f.PaygCostInBillingCurrency
        WHEN COALESCE((SELECT m.PublisherType FROM dim_product m WHERE m.ProductKey = f.ProductKey), '') <> 'Marketplace' THEN (
            SELECT lp.MarketPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
                * CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE (CASE WHEN CAST(m.UnitOfMeasure AS REAL) > 0 THEN CAST(m.UnitOfMeasure AS REAL) ELSE 1.0 END) / lp.UnitMultiplier END
            FROM dim_product m
            JOIN list_prices lp ON lp.MeterId = m.MeterId
            LEFT JOIN dim_account a ON a.AccountKey = f.AccountKey
            WHERE m.ProductKey = f.ProductKey AND lp.BillingPeriod = p.BillingPeriod
                AND lp.BillingProfileId = COALESCE(a.BillingProfileId, a.BillingAccountId))
    END) AS ListCost,
    COALESCE(f.ContractedCost, CASE
        WHEN f.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 0
        WHEN f.UnitPrice IS NOT NULL THEN f.UnitPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
    END) AS ContractedCost,
    f.SourcePart, f.SourceLine,
    f.AccountKey, f.ResourceKey, f.ProductKey, f.TagsKey, f.InfoKey, f.ExtraKey,
    f.EffectiveCost AS StoredEffectiveCost, f.ListCost AS StoredListCost, f.ContractedCost AS StoredContractedCost
FROM partitions p
JOIN cost_fact f ON f.rowid BETWEEN p.FirstRowId AND p.LastRowId;

-- list_price_keys: the price sheet's list price for each product and account, per billing
-- period, as cost_details' ListCost looks it up for a row that carries neither a list price
-- nor a PayG cost (not for marketplace products): the row's ListCost is
-- MarketPrice * Quantity * COALESCE(ExchangeRatePricingToBilling, 1) * UnitFactor, in that
-- order. The export reads it for the product and account pairs a partition uses
-- (DerivedCosts); keep its expressions equal to cost_details_keys'.
CREATE VIEW list_price_keys AS
SELECT m.ProductKey, a.AccountKey, lp.BillingPeriod, lp.MarketPrice,
    CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE (CASE WHEN CAST(m.UnitOfMeasure AS REAL) > 0 THEN CAST(m.UnitOfMeasure AS REAL) ELSE 1.0 END) / lp.UnitMultiplier END AS UnitFactor
FROM dim_product m
JOIN list_prices lp ON lp.MeterId = m.MeterId
JOIN dim_account a ON lp.BillingProfileId = COALESCE(a.BillingProfileId, a.BillingAccountId)
WHERE COALESCE(m.PublisherType, '') <> 'Marketplace';

-- Small summary tables that each load maintains, and the views that compare
-- ActualCost with AmortizedCost. The canned queries (costwh query) read these, so they
-- answer from a few thousand summary rows instead of scanning millions of fact rows.

-- Per load: cost and row count by day, currency, charge type, pricing model and product.
CREATE TABLE summary_daily (
    LoadId INTEGER NOT NULL,
    Date TEXT NOT NULL,
    BillingCurrency TEXT,
    ChargeType TEXT,
    PricingModel TEXT,
    Cost REAL NOT NULL,
    Rows INTEGER NOT NULL,
    CostUnits INTEGER,               -- Cost in millionths, summed exactly
    ProductKey INTEGER               -- the product (dim_product) of the day's rows
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
    Rows INTEGER NOT NULL,
    CostUnits INTEGER                -- Cost in millionths, summed exactly
);
CREATE INDEX summary_resource_by_load ON summary_resource(LoadId);

-- cost_details without Date, added up per load: each current load's summary_resource rows,
-- one per currency, charge type, pricing model, account, resource, product and tag set
-- (about a twentieth of the cost rows). Totals by subscription, resource group, meter or tag
-- over months answer from here in about a second; Rows counts the cost records behind a row.
-- For dates, query cost_details (or cost_comparison_daily).
CREATE VIEW cost_summary AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    s.BillingCurrency, s.ChargeType, s.PricingModel, s.Cost AS CostInBillingCurrency, s.Rows,
    (SELECT BillingAccountId FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingAccountId,
    (SELECT BillingAccountName FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingAccountName,
    (SELECT BillingProfileId FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingProfileId,
    (SELECT BillingProfileName FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingProfileName,
    (SELECT InvoiceSectionId FROM dim_account WHERE AccountKey = s.AccountKey) AS InvoiceSectionId,
    (SELECT InvoiceSectionName FROM dim_account WHERE AccountKey = s.AccountKey) AS InvoiceSectionName,
    (SELECT AccountOwnerId FROM dim_account WHERE AccountKey = s.AccountKey) AS AccountOwnerId,
    (SELECT AccountName FROM dim_account WHERE AccountKey = s.AccountKey) AS AccountName,
    (SELECT AccountId FROM dim_account WHERE AccountKey = s.AccountKey) AS AccountId,
    (SELECT SubscriptionId FROM dim_account WHERE AccountKey = s.AccountKey) AS SubscriptionId,
    (SELECT SubscriptionName FROM dim_account WHERE AccountKey = s.AccountKey) AS SubscriptionName,
    (SELECT CostCenter FROM dim_account WHERE AccountKey = s.AccountKey) AS CostCenter,
    (SELECT OfferId FROM dim_account WHERE AccountKey = s.AccountKey) AS OfferId,
    (SELECT InvoiceId FROM dim_account WHERE AccountKey = s.AccountKey) AS InvoiceId,
    (SELECT PreviousInvoiceId FROM dim_account WHERE AccountKey = s.AccountKey) AS PreviousInvoiceId,
    (SELECT ResellerName FROM dim_account WHERE AccountKey = s.AccountKey) AS ResellerName,
    (SELECT ResellerMpnId FROM dim_account WHERE AccountKey = s.AccountKey) AS ResellerMpnId,
    (SELECT PartnerTenantId FROM dim_account WHERE AccountKey = s.AccountKey) AS PartnerTenantId,
    (SELECT PartnerName FROM dim_account WHERE AccountKey = s.AccountKey) AS PartnerName,
    (SELECT CustomerTenantId FROM dim_account WHERE AccountKey = s.AccountKey) AS CustomerTenantId,
    (SELECT CustomerName FROM dim_account WHERE AccountKey = s.AccountKey) AS CustomerName,
    (SELECT ServiceAdministratorId FROM dim_account WHERE AccountKey = s.AccountKey) AS ServiceAdministratorId,
    (SELECT BillingPeriodStartDate FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingPeriodStartDate,
    (SELECT BillingPeriodEndDate FROM dim_account WHERE AccountKey = s.AccountKey) AS BillingPeriodEndDate,
    (SELECT ServicePeriodStartDate FROM dim_account WHERE AccountKey = s.AccountKey) AS ServicePeriodStartDate,
    (SELECT ServicePeriodEndDate FROM dim_account WHERE AccountKey = s.AccountKey) AS ServicePeriodEndDate,
    (SELECT ExchangeRateDate FROM dim_account WHERE AccountKey = s.AccountKey) AS ExchangeRateDate,
    (SELECT PricingCurrency FROM dim_account WHERE AccountKey = s.AccountKey) AS PricingCurrency,
    (SELECT ResourceId FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ResourceId,
    (SELECT ResourceName FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ResourceName,
    (SELECT ResourceGroup FROM dim_resource INDEXED BY dim_resource_group_by_key WHERE ResourceKey = s.ResourceKey) AS ResourceGroup,
    (SELECT ResourceType FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ResourceType,
    (SELECT ResourceLocation FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ResourceLocation,
    (SELECT ResourceLocationNormalized FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ResourceLocationNormalized,
    (SELECT Location FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS Location,
    (SELECT AvailabilityZone FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS AvailabilityZone,
    (SELECT ConsumedService FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ConsumedService,
    (SELECT ServiceInfo1 FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ServiceInfo1,
    (SELECT ServiceInfo2 FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS ServiceInfo2,
    (SELECT CostAllocationRuleName FROM dim_resource WHERE ResourceKey = s.ResourceKey) AS CostAllocationRuleName,
    (SELECT MeterId FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterId,
    (SELECT MeterName FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterName,
    (SELECT MeterCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterCategory,
    (SELECT MeterSubCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterSubCategory,
    (SELECT MeterRegion FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterRegion,
    (SELECT ServiceFamily FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceFamily,
    (SELECT ProductName FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductName,
    (SELECT ProductId FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductId,
    (SELECT PartNumber FROM dim_product WHERE ProductKey = s.ProductKey) AS PartNumber,
    (SELECT UnitOfMeasure FROM dim_product WHERE ProductKey = s.ProductKey) AS UnitOfMeasure,
    (SELECT Frequency FROM dim_product WHERE ProductKey = s.ProductKey) AS Frequency,
    (SELECT PublisherType FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherType,
    (SELECT PublisherName FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherName,
    (SELECT PublisherId FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherId,
    (SELECT PlanName FROM dim_product WHERE ProductKey = s.ProductKey) AS PlanName,
    (SELECT IsAzureCreditEligible FROM dim_product WHERE ProductKey = s.ProductKey) AS IsAzureCreditEligible,
    (SELECT Provider FROM dim_product WHERE ProductKey = s.ProductKey) AS Provider,
    (SELECT ServiceName FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceName,
    (SELECT ServiceTier FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceTier,
    (SELECT ProductOrderId FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductOrderId,
    (SELECT ProductOrderName FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductOrderName,
    (SELECT Term FROM dim_product WHERE ProductKey = s.ProductKey) AS Term,
    (SELECT ReservationId FROM dim_product WHERE ProductKey = s.ProductKey) AS ReservationId,
    (SELECT ReservationName FROM dim_product WHERE ProductKey = s.ProductKey) AS ReservationName,
    (SELECT BenefitId FROM dim_product WHERE ProductKey = s.ProductKey) AS BenefitId,
    (SELECT BenefitName FROM dim_product WHERE ProductKey = s.ProductKey) AS BenefitName,
    (SELECT PartnerEarnedCreditApplied FROM dim_product WHERE ProductKey = s.ProductKey) AS PartnerEarnedCreditApplied,
    (SELECT StoreServiceIdentifier FROM dim_product WHERE ProductKey = s.ProductKey) AS StoreServiceIdentifier,
    (SELECT ChargeCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeCategory,
    (SELECT ChargeClass FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeClass,
    (SELECT ChargeFrequency FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeFrequency,
    (SELECT ChargeDescription FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeDescription,
    (SELECT PricingCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS PricingCategory,
    (SELECT PricingUnit FROM dim_product WHERE ProductKey = s.ProductKey) AS PricingUnit,
    (SELECT CommitmentDiscountStatus FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountStatus,
    (SELECT CommitmentDiscountType FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountType,
    (SELECT CommitmentDiscountCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountCategory,
    (SELECT ServiceCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceCategory,
    (SELECT InvoiceIssuerName FROM dim_product WHERE ProductKey = s.ProductKey) AS InvoiceIssuerName,
    (SELECT RegionId FROM dim_product WHERE ProductKey = s.ProductKey) AS RegionId,
    (SELECT RegionName FROM dim_product WHERE ProductKey = s.ProductKey) AS RegionName,
    (SELECT SkuId FROM dim_product WHERE ProductKey = s.ProductKey) AS SkuId,
    (SELECT SkuPriceId FROM dim_product WHERE ProductKey = s.ProductKey) AS SkuPriceId,
    (SELECT Tags FROM dim_tags WHERE TagsKey = s.TagsKey) AS Tags
FROM partitions p
JOIN summary_resource s ON s.LoadId = p.LoadId;

-- cost_details added up per load, day and product (summary_daily): daily cost by meter
-- category, service or product reads about a hundredth of the cost rows. Rows counts the
-- cost records behind a row.
CREATE VIEW cost_daily_summary AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    s.Date, s.BillingCurrency, s.ChargeType, s.PricingModel, s.Cost AS CostInBillingCurrency, s.Rows,
    (SELECT MeterId FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterId,
    (SELECT MeterName FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterName,
    (SELECT MeterCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterCategory,
    (SELECT MeterSubCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterSubCategory,
    (SELECT MeterRegion FROM dim_product WHERE ProductKey = s.ProductKey) AS MeterRegion,
    (SELECT ServiceFamily FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceFamily,
    (SELECT ProductName FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductName,
    (SELECT ProductId FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductId,
    (SELECT PartNumber FROM dim_product WHERE ProductKey = s.ProductKey) AS PartNumber,
    (SELECT UnitOfMeasure FROM dim_product WHERE ProductKey = s.ProductKey) AS UnitOfMeasure,
    (SELECT Frequency FROM dim_product WHERE ProductKey = s.ProductKey) AS Frequency,
    (SELECT PublisherType FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherType,
    (SELECT PublisherName FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherName,
    (SELECT PublisherId FROM dim_product WHERE ProductKey = s.ProductKey) AS PublisherId,
    (SELECT PlanName FROM dim_product WHERE ProductKey = s.ProductKey) AS PlanName,
    (SELECT IsAzureCreditEligible FROM dim_product WHERE ProductKey = s.ProductKey) AS IsAzureCreditEligible,
    (SELECT Provider FROM dim_product WHERE ProductKey = s.ProductKey) AS Provider,
    (SELECT ServiceName FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceName,
    (SELECT ServiceTier FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceTier,
    (SELECT ProductOrderId FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductOrderId,
    (SELECT ProductOrderName FROM dim_product WHERE ProductKey = s.ProductKey) AS ProductOrderName,
    (SELECT Term FROM dim_product WHERE ProductKey = s.ProductKey) AS Term,
    (SELECT ReservationId FROM dim_product WHERE ProductKey = s.ProductKey) AS ReservationId,
    (SELECT ReservationName FROM dim_product WHERE ProductKey = s.ProductKey) AS ReservationName,
    (SELECT BenefitId FROM dim_product WHERE ProductKey = s.ProductKey) AS BenefitId,
    (SELECT BenefitName FROM dim_product WHERE ProductKey = s.ProductKey) AS BenefitName,
    (SELECT PartnerEarnedCreditApplied FROM dim_product WHERE ProductKey = s.ProductKey) AS PartnerEarnedCreditApplied,
    (SELECT StoreServiceIdentifier FROM dim_product WHERE ProductKey = s.ProductKey) AS StoreServiceIdentifier,
    (SELECT ChargeCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeCategory,
    (SELECT ChargeClass FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeClass,
    (SELECT ChargeFrequency FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeFrequency,
    (SELECT ChargeDescription FROM dim_product WHERE ProductKey = s.ProductKey) AS ChargeDescription,
    (SELECT PricingCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS PricingCategory,
    (SELECT PricingUnit FROM dim_product WHERE ProductKey = s.ProductKey) AS PricingUnit,
    (SELECT CommitmentDiscountStatus FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountStatus,
    (SELECT CommitmentDiscountType FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountType,
    (SELECT CommitmentDiscountCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS CommitmentDiscountCategory,
    (SELECT ServiceCategory FROM dim_product WHERE ProductKey = s.ProductKey) AS ServiceCategory,
    (SELECT InvoiceIssuerName FROM dim_product WHERE ProductKey = s.ProductKey) AS InvoiceIssuerName,
    (SELECT RegionId FROM dim_product WHERE ProductKey = s.ProductKey) AS RegionId,
    (SELECT RegionName FROM dim_product WHERE ProductKey = s.ProductKey) AS RegionName,
    (SELECT SkuId FROM dim_product WHERE ProductKey = s.ProductKey) AS SkuId,
    (SELECT SkuPriceId FROM dim_product WHERE ProductKey = s.ProductKey) AS SkuPriceId
FROM partitions p
JOIN summary_daily s ON s.LoadId = p.LoadId;

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

-- The lookups focus_costs maps cost-details rows with (the FinOps toolkit's open data, MIT;
-- data/finops-toolkit/SOURCE.md). migrations/0008_focus_reference.sql creates and fills them;
-- this file creates them empty.
CREATE TABLE focus_pricing_units (UnitOfMeasure TEXT PRIMARY KEY, PricingBlockSize REAL NOT NULL, DistinctUnits TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE focus_regions (Location TEXT PRIMARY KEY, RegionId TEXT NOT NULL, RegionName TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE focus_resource_types (ResourceType TEXT PRIMARY KEY, SingularDisplayName TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE focus_services_by_pair (ConsumedService TEXT NOT NULL, ResourceType TEXT NOT NULL, ServiceName TEXT NOT NULL, ServiceCategory TEXT NOT NULL, ServiceSubcategory TEXT, PRIMARY KEY (ConsumedService, ResourceType)) WITHOUT ROWID;
CREATE TABLE focus_services_by_type (ResourceType TEXT PRIMARY KEY, ServiceName TEXT NOT NULL, ServiceCategory TEXT NOT NULL, ServiceSubcategory TEXT) WITHOUT ROWID;
CREATE TABLE focus_services_by_consumed (ConsumedService TEXT PRIMARY KEY, ServiceName TEXT NOT NULL, ServiceCategory TEXT NOT NULL, ServiceSubcategory TEXT) WITHOUT ROWID;

-- focus_costs conforms to FOCUS 1.2 (x_FocusVersion), checked by the FinOps Foundation's
-- validator (focus-validator 2.2.1) in CI. Two kinds of rows:
--
-- * Rows loaded from a FOCUS file (ChargeCategory is set only by FOCUS files) return the values
--   the file gave: the typed columns it filled, and from its extras what costwh has no column
--   for (ChargePeriodEnd, BillingPeriodEnd, PricingQuantity, ServiceSubcategory, ...), and an
--   hourly ChargePeriodStart kept as given. Nothing is recomputed.
-- * Rows of cost details are converted as Microsoft documents it (finops-toolkit
--   docs-mslearn/focus/convert.md), with the toolkit's open data for pricing units, regions,
--   resource types and services (migration 0008). Quantities and unit prices are per distinct
--   unit (UnitOfMeasure `10K` is 10,000 `Units`), so that unit price x PricingQuantity is the
--   cost; ContractedUnitPrice and ListUnitPrice are in the billing currency, their
--   PricingCurrency* twins in the pricing currency. A refund's costs carry its sign.
--
-- Which rows: a month's amortized rows plus the actual Purchase/Refund rows of reservations
-- and savings plans (so nothing is counted twice; of a FOCUS file, the commitment purchases
-- its amortized metric left out for their EffectiveCost of 0). A month with only its actual
-- cost loaded returns its actual rows; one with only amortized, its amortized rows.
CREATE VIEW focus_costs AS
SELECT
    e.Scope,
    e.BillingPeriod,
    e.Metric AS x_SourceMetric,
    e.k_billed AS BilledCost,
    e.k_effective AS EffectiveCost,
    e.k_list AS ListCost,
    e.k_contracted AS ContractedCost,
    e.BillingCurrency,
    e.k_cat AS ChargeCategory,
    e.k_class AS ChargeClass,
    CASE WHEN e.k_focus THEN e.ChargeFrequency
        WHEN e.k_cat = 'Purchase' AND e.Frequency = 'Recurring' THEN 'Recurring'
        WHEN e.k_cat = 'Purchase' THEN 'One-Time'
        WHEN e.Frequency = 'OneTime' THEN 'One-Time'
        WHEN e.Frequency = 'Recurring' THEN 'Recurring'
        ELSE 'Usage-Based'
    END AS ChargeFrequency,
    CASE WHEN e.k_focus THEN e.ChargeDescription ELSE COALESCE(e.ProductName, e.MeterName, e.ChargeType) END AS ChargeDescription,
    e.k_pricing_category AS PricingCategory,
    e.k_status AS CommitmentDiscountStatus,
    e.k_commit_type AS CommitmentDiscountType,
    e.k_commit_category AS CommitmentDiscountCategory,
    e.k_commit AS CommitmentDiscountId,
    CASE WHEN e.k_commit IS NOT NULL THEN e.BenefitName END AS CommitmentDiscountName,
    CASE WHEN e.k_focus THEN CAST(e.k_x_CommitmentDiscountQuantity AS REAL)
        WHEN e.k_commit IS NULL OR e.k_cat NOT IN ('Usage', 'Purchase') OR e.k_class = 'Correction' THEN NULL
        WHEN e.k_commit_category = 'Spend' THEN (CASE WHEN e.k_cat = 'Usage' THEN e.k_effective ELSE e.CostInBillingCurrency END) / e.k_x
        ELSE e.k_pq
    END AS CommitmentDiscountQuantity,
    CASE WHEN e.k_focus THEN e.k_x_CommitmentDiscountUnit
        WHEN e.k_commit IS NULL OR e.k_cat NOT IN ('Usage', 'Purchase') OR e.k_class = 'Correction' THEN NULL
        WHEN e.k_commit_category = 'Spend' THEN COALESCE(e.PricingCurrency, e.BillingCurrency)
        ELSE e.k_unit
    END AS CommitmentDiscountUnit,
    CASE WHEN e.k_focus THEN e.k_x_CapacityReservationId ELSE e.k_capacity END AS CapacityReservationId,
    CASE WHEN e.k_focus THEN e.k_x_CapacityReservationStatus
        WHEN e.k_capacity IS NULL THEN NULL
        WHEN e.k_arm = 'microsoft.compute/capacityreservationgroups/capacityreservations' THEN 'Unused'
        ELSE 'Used'
    END AS CapacityReservationStatus,
    strftime('%Y-%m-%dT%H:%M:%SZ', CASE WHEN e.k_focus THEN COALESCE(e.k_x_ChargePeriodStart, e.Date) ELSE e.Date END) AS ChargePeriodStart,
    strftime('%Y-%m-%dT%H:%M:%SZ', CASE WHEN e.k_focus THEN COALESCE(e.k_x_ChargePeriodEnd, date(e.Date, '+1 day')) ELSE date(e.Date, '+1 day') END) AS ChargePeriodEnd,
    strftime('%Y-%m-%dT%H:%M:%SZ', COALESCE(e.BillingPeriodStartDate, e.BillingPeriod || '-01')) AS BillingPeriodStart,
    strftime('%Y-%m-%dT%H:%M:%SZ', COALESCE(
        CASE WHEN e.k_focus THEN e.k_x_BillingPeriodEnd END,
        date(e.BillingPeriodEndDate, '+1 day'),
        date(e.BillingPeriod || '-01', '+1 month'))) AS BillingPeriodEnd,
    e.k_account AS BillingAccountId,
    CASE WHEN e.k_focus THEN e.BillingAccountName ELSE COALESCE(e.BillingProfileName, e.BillingAccountName) END AS BillingAccountName,
    CASE WHEN e.k_focus THEN e.k_x_BillingAccountType
        WHEN e.k_account IS NULL THEN NULL
        WHEN e.BillingProfileId IS NOT NULL AND e.BillingProfileId <> COALESCE(e.BillingAccountId, '') THEN 'Billing Profile'
        ELSE 'Billing Account'
    END AS BillingAccountType,
    e.SubscriptionId AS SubAccountId,
    e.SubscriptionName AS SubAccountName,
    CASE WHEN e.k_focus THEN e.k_x_SubAccountType WHEN e.SubscriptionId IS NOT NULL THEN 'Subscription' END AS SubAccountType,
    e.InvoiceId,
    CASE WHEN e.k_focus THEN e.InvoiceIssuerName ELSE COALESCE(NULLIF(e.PartnerName, ''), 'Microsoft') END AS InvoiceIssuerName,
    CASE WHEN e.k_focus THEN e.Provider ELSE 'Microsoft' END AS ProviderName,
    CASE WHEN e.k_focus THEN e.PublisherName
        WHEN e.PublisherType = 'Marketplace' THEN COALESCE(e.PublisherName, 'Marketplace')
        ELSE 'Microsoft'
    END AS PublisherName,
    e.ResourceId,
    e.ResourceName,
    CASE WHEN e.k_focus THEN e.ResourceType
        WHEN e.ResourceId IS NULL THEN NULL
        ELSE COALESCE(e.k_type_name, e.k_arm, 'Other')
    END AS ResourceType,
    e.AvailabilityZone,
    CASE WHEN e.k_focus THEN e.RegionId ELSE e.k_region END AS RegionId,
    CASE WHEN e.k_focus THEN e.RegionName
        WHEN e.k_region IS NULL THEN NULL
        ELSE COALESCE(e.k_region_name, e.ResourceLocation)
    END AS RegionName,
    CASE WHEN e.k_focus THEN e.ServiceCategory ELSE COALESCE(e.k_service_category, 'Other') END AS ServiceCategory,
    CASE WHEN e.k_focus THEN e.k_x_ServiceSubcategory
        ELSE COALESCE(e.k_service_subcategory, 'Other (' || COALESCE(e.k_service_category, 'Other') || ')')
    END AS ServiceSubcategory,
    CASE WHEN e.k_focus THEN e.ServiceName ELSE COALESCE(e.k_service_name, e.MeterCategory, e.ConsumedService, 'Other') END AS ServiceName,
    e.k_sku AS SkuId,
    CASE WHEN e.k_focus THEN e.SkuPriceId END AS SkuPriceId,
    CASE WHEN e.k_sku IS NOT NULL THEN e.MeterName END AS SkuMeter,
    CASE WHEN e.k_focus AND e.SkuPriceId IS NOT NULL THEN e.k_x_SkuPriceDetails END AS SkuPriceDetails,
    e.k_pq AS PricingQuantity,
    CASE WHEN e.k_focus THEN e.PricingUnit WHEN e.k_pq IS NOT NULL THEN e.k_unit END AS PricingUnit,
    e.k_consumed AS ConsumedQuantity,
    CASE WHEN e.k_focus THEN e.UnitOfMeasure WHEN e.k_consumed IS NOT NULL THEN e.k_unit END AS ConsumedUnit,
    e.k_lup AS ListUnitPrice,
    e.k_cup AS ContractedUnitPrice,
    CASE WHEN e.k_focus THEN e.PricingCurrency ELSE COALESCE(e.PricingCurrency, e.BillingCurrency) END AS PricingCurrency,
    CASE WHEN e.k_focus THEN CAST(e.k_x_PricingCurrencyListUnitPrice AS REAL) ELSE e.k_lup / e.k_x END AS PricingCurrencyListUnitPrice,
    CASE WHEN e.k_focus THEN CAST(e.k_x_PricingCurrencyContractedUnitPrice AS REAL) ELSE e.k_cup / e.k_x END AS PricingCurrencyContractedUnitPrice,
    CASE WHEN e.k_focus THEN CAST(e.k_x_PricingCurrencyEffectiveCost AS REAL) ELSE e.k_effective / e.k_x END AS PricingCurrencyEffectiveCost,
    e.Tags,
    '1.2' AS x_FocusVersion,
    e.EffectivePrice AS x_EffectiveUnitPrice,
    e.ResourceGroup AS x_ResourceGroupName,
    CASE WHEN NOT e.k_focus THEN e.k_arm END AS x_ResourceType,
    e.MeterCategory AS x_SkuMeterCategory,
    e.MeterId AS x_SkuMeterId,
    e.MeterName AS x_SkuMeterName,
    e.UnitOfMeasure AS x_PricingUnitDescription,
    e.k_block AS x_PricingBlockSize,
    e.PublisherName AS x_PublisherName,
    e.PublisherType AS x_PublisherCategory,
    e.ChargeType AS x_ChargeType,
    e.PricingModel AS x_PricingModel,
    e.ExtraColumns AS x_ExtraColumns
FROM (
    -- Unit prices, from the costs and quantities below them.
    SELECT d.*,
        CASE WHEN d.k_focus THEN d.PayGPrice
            WHEN d.k_pq IS NULL THEN NULL
            WHEN d.k_class = 'Correction' THEN abs(COALESCE(d.PayGPrice * d.k_x / d.k_block, 0))
            WHEN d.k_pq <> 0 THEN abs(d.k_list / d.k_pq)
            ELSE COALESCE(d.PayGPrice * d.k_x / d.k_block, 0)
        END AS k_lup,
        CASE WHEN d.k_focus THEN d.UnitPrice
            WHEN d.k_pq IS NULL THEN NULL
            WHEN d.k_class = 'Correction' THEN abs(COALESCE(d.UnitPrice * d.k_x / d.k_block, 0))
            WHEN d.k_pq <> 0 THEN abs(d.k_contracted / d.k_pq)
            ELSE COALESCE(d.UnitPrice * d.k_x / d.k_block, 0)
        END AS k_cup
    FROM (
        -- Costs and quantities.
        SELECT c.*,
            CASE WHEN c.k_focus THEN CAST(c.k_x_PricingQuantity AS REAL)
                WHEN c.k_cat IN ('Usage', 'Purchase') THEN COALESCE(c.Quantity, 0) * c.k_block * c.k_sign
            END AS k_pq,
            CASE WHEN c.k_focus THEN c.Quantity
                WHEN c.k_cat = 'Usage' AND c.k_status IS NOT 'Unused' THEN COALESCE(c.Quantity, 0) * c.k_block
            END AS k_consumed,
            CASE WHEN c.k_focus THEN c.ContractedCost
                WHEN c.k_cat NOT IN ('Usage', 'Purchase') THEN c.k_billed
                ELSE c.k_sign * abs(COALESCE(c.ContractedCost, c.CostInBillingCurrency))
            END AS k_contracted,
            CASE WHEN c.k_focus THEN c.ListCost
                WHEN c.k_cat NOT IN ('Usage', 'Purchase') THEN c.k_billed
                ELSE c.k_sign * abs(COALESCE(c.ListCost, c.ContractedCost, c.CostInBillingCurrency))
            END AS k_list
        FROM (
            -- Categories, commitments and the toolkit's lookups.
            SELECT b.*,
                COALESCE(b.ChargeCategory, CASE
                    WHEN b.ChargeType IN ('Usage', 'Purchase', 'Credit', 'Tax') THEN b.ChargeType
                    WHEN b.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 'Usage'
                    WHEN b.ChargeType = 'Refund' THEN 'Purchase'
                    ELSE 'Adjustment'
                END) AS k_cat,
                CASE WHEN b.k_focus THEN b.ChargeClass WHEN b.ChargeType = 'Refund' THEN 'Correction' END AS k_class,
                CASE WHEN b.k_focus THEN b.PricingCategory ELSE CASE b.PricingModel
                    WHEN 'OnDemand' THEN 'Standard'
                    WHEN 'Spot' THEN 'Dynamic'
                    WHEN 'Reservation' THEN 'Committed'
                    WHEN 'SavingsPlan' THEN 'Committed'
                END END AS k_pricing_category,
                CASE WHEN b.k_focus THEN b.CommitmentDiscountStatus
                    WHEN b.k_commit IS NULL THEN NULL
                    WHEN b.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 'Unused'
                    WHEN b.ChargeType = 'Usage' THEN 'Used'
                END AS k_status,
                CASE WHEN b.k_focus THEN b.CommitmentDiscountType
                    WHEN b.k_commit IS NULL THEN NULL
                    WHEN lower(b.k_commit) LIKE '%/microsoft.capacity/%' THEN 'Reservation'
                    WHEN lower(b.k_commit) LIKE '%/microsoft.billingbenefits/%' THEN 'Savings Plan'
                    WHEN b.PricingModel = 'Reservation' THEN 'Reservation'
                    ELSE 'Savings Plan'
                END AS k_commit_type,
                CASE WHEN b.k_focus THEN b.CommitmentDiscountCategory
                    WHEN b.k_commit IS NULL THEN NULL
                    WHEN lower(b.k_commit) LIKE '%/microsoft.capacity/%' THEN 'Usage'
                    WHEN lower(b.k_commit) LIKE '%/microsoft.billingbenefits/%' THEN 'Spend'
                    WHEN b.PricingModel = 'Reservation' THEN 'Usage'
                    ELSE 'Spend'
                END AS k_commit_category,
                CASE WHEN b.k_focus THEN 1.0 ELSE COALESCE(u.PricingBlockSize, 1.0) END AS k_block,
                COALESCE(u.DistinctUnits, b.UnitOfMeasure) AS k_unit,
                CASE WHEN b.k_focus OR COALESCE(b.ExchangeRatePricingToBilling, 0) = 0 THEN 1.0 ELSE b.ExchangeRatePricingToBilling END AS k_x,
                CASE WHEN b.ChargeType = 'Refund' AND b.CostInBillingCurrency < 0 THEN -1 ELSE 1 END AS k_sign,
                CASE WHEN b.k_focus THEN b.BilledCost
                    WHEN b.ChargeType IN ('Usage', 'UnusedReservation', 'UnusedSavingsPlan') AND b.PricingModel IN ('Reservation', 'SavingsPlan') THEN 0
                    ELSE b.CostInBillingCurrency
                END AS k_billed,
                CASE WHEN b.k_focus THEN b.EffectiveCost
                    WHEN b.ChargeType IN ('Purchase', 'Refund') AND b.PricingModel IN ('Reservation', 'SavingsPlan') THEN 0
                    ELSE b.CostInBillingCurrency
                END AS k_effective,
                CASE WHEN b.k_focus THEN b.BillingAccountId ELSE COALESCE(b.BillingProfileId, b.BillingAccountId) END AS k_account,
                CASE WHEN b.k_focus THEN b.SkuId ELSE COALESCE(b.SkuId, b.ProductId) END AS k_sku,
                CASE WHEN b.AdditionalInfo LIKE '%VMCapacityReservationId%' THEN NULLIF(json_extract(b.AdditionalInfo, '$.VMCapacityReservationId'), '') END AS k_capacity,
                CASE WHEN b.ResourceLocation IS NOT NULL AND b.ResourceLocation <> '' THEN COALESCE(g.RegionId, lower(replace(b.ResourceLocation, ' ', ''))) END AS k_region,
                g.RegionName AS k_region_name,
                t.SingularDisplayName AS k_type_name,
                COALESCE(sp.ServiceName, st.ServiceName, sc.ServiceName) AS k_service_name,
                COALESCE(sp.ServiceCategory, st.ServiceCategory, sc.ServiceCategory) AS k_service_category,
                CASE WHEN sp.ServiceName IS NOT NULL THEN sp.ServiceSubcategory
                    WHEN st.ServiceName IS NOT NULL THEN st.ServiceSubcategory
                    ELSE sc.ServiceSubcategory
                END AS k_service_subcategory
            FROM (
                -- The ARM resource type, given or read from the resource id, and the FOCUS
                -- file's own values costwh keeps in the row's extras.
                SELECT a.*,
                    COALESCE(lower(a.ResourceType), CASE WHEN instr(a.k_rest, '/') > 0 THEN
                        substr(a.k_rest, 1, instr(a.k_rest, '/') - 1) || '/'
                        || substr(substr(a.k_rest, instr(a.k_rest, '/') + 1), 1, instr(substr(a.k_rest, instr(a.k_rest, '/') + 1) || '/', '/') - 1)
                    END) AS k_arm,
                    CASE WHEN a.k_focus THEN a.BenefitId WHEN a.PricingModel IN ('Reservation', 'SavingsPlan') THEN a.BenefitId END AS k_commit,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.ChargePeriodStart') END AS k_x_ChargePeriodStart,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.ChargePeriodEnd') END AS k_x_ChargePeriodEnd,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.BillingPeriodEnd') END AS k_x_BillingPeriodEnd,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.PricingQuantity') END AS k_x_PricingQuantity,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.ServiceSubcategory') END AS k_x_ServiceSubcategory,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.BillingAccountType') END AS k_x_BillingAccountType,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.SubAccountType') END AS k_x_SubAccountType,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.CommitmentDiscountQuantity') END AS k_x_CommitmentDiscountQuantity,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.CommitmentDiscountUnit') END AS k_x_CommitmentDiscountUnit,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.CapacityReservationId') END AS k_x_CapacityReservationId,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.CapacityReservationStatus') END AS k_x_CapacityReservationStatus,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.SkuPriceDetails') END AS k_x_SkuPriceDetails,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.PricingCurrencyListUnitPrice') END AS k_x_PricingCurrencyListUnitPrice,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.PricingCurrencyContractedUnitPrice') END AS k_x_PricingCurrencyContractedUnitPrice,
                    CASE WHEN a.k_focus THEN json_extract(a.ExtraColumns, '$.PricingCurrencyEffectiveCost') END AS k_x_PricingCurrencyEffectiveCost
                FROM (
                    SELECT w.*,
                        w.ChargeCategory IS NOT NULL AS k_focus,
                        CASE WHEN instr(lower(w.ResourceId), '/providers/') > 0
                            THEN substr(lower(w.ResourceId), instr(lower(w.ResourceId), '/providers/') + 11)
                        END AS k_rest,
                        -- Not a column anyone reads: a window function keeps SQLite from
                        -- flattening this layer into the ones above, which would evaluate the
                        -- wide view's expressions (ListCost's price lookup among them) again at
                        -- every use; its partition is the view's keys, so a filter on Scope and
                        -- BillingPeriod still reaches the partitions (1 M rows in half the time).
                        row_number() OVER (PARTITION BY w.Scope, w.BillingPeriod) AS k_row
                    FROM cost_details_wide w
                    WHERE w.Metric = 'AmortizedCost'
                        OR (w.Metric = 'ActualCost' AND (w.ChargeCategory IS NULL OR w.EffectiveCost = 0)
                            AND w.ChargeType IN ('Purchase', 'Refund') AND w.PricingModel IN ('Reservation', 'SavingsPlan'))
                        OR (w.Metric = 'ActualCost' AND NOT EXISTS (
                            SELECT 1 FROM partitions q
                            WHERE q.Scope = w.Scope AND q.BillingPeriod = w.BillingPeriod AND q.Metric = 'AmortizedCost'))
                ) a
            ) b
            LEFT JOIN focus_pricing_units u ON u.UnitOfMeasure = b.UnitOfMeasure
            LEFT JOIN focus_regions g ON g.Location = lower(b.ResourceLocation)
            LEFT JOIN focus_resource_types t ON t.ResourceType = b.k_arm
            LEFT JOIN focus_services_by_pair sp ON sp.ConsumedService = lower(b.ConsumedService) AND sp.ResourceType = b.k_arm
            LEFT JOIN focus_services_by_type st ON st.ResourceType = b.k_arm
            LEFT JOIN focus_services_by_consumed sc ON sc.ConsumedService = lower(b.ConsumedService)
        ) c
    ) d
) e;

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
    WHERE Status = 'succeeded' AND TotalsHash IS NOT NULL AND Dataset = 'cost-details'
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

-- The current load of each dataset partition (scope, billing period, dataset), as `partitions`
-- is for cost details. Billing periods are loaded per scope; their partition's month is the
-- month they were fetched, and the view shows the latest.
CREATE TABLE dataset_partitions (
    Scope TEXT NOT NULL,
    BillingPeriod TEXT NOT NULL,
    Dataset TEXT NOT NULL,
    LoadId INTEGER NOT NULL REFERENCES loads(LoadId),
    RowCount INTEGER NOT NULL,
    UpdatedAt TEXT NOT NULL,
    PRIMARY KEY (Scope, BillingPeriod, Dataset)
) WITHOUT ROWID;

-- The rows of each dataset's loads (ds_*: every load, current or replaced until purged) and the
-- views of the current ones. Columns keep the API's names; SourcePart and SourceLine say where
-- each row came from (file and line, or page and record).
CREATE TABLE ds_price_sheet (
    LoadId INTEGER NOT NULL,
    SourcePart INTEGER NOT NULL,
    SourceLine INTEGER NOT NULL,
    MeterId TEXT,
    MeterName TEXT,
    MeterCategory TEXT,
    MeterSubCategory TEXT,
    MeterRegion TEXT,
    MeterType TEXT,
    Product TEXT,
    ProductId TEXT,
    SkuId TEXT,
    PartNumber TEXT,
    ServiceFamily TEXT,
    UnitOfMeasure TEXT,
    UnitMultiplier REAL,
    PriceType TEXT,
    Term TEXT,
    Currency TEXT,
    BillingCurrency TEXT,
    UnitPrice REAL,
    MarketPrice REAL,
    BasePrice REAL,
    IncludedQuantity REAL,
    TierMinimumUnits REAL,
    EffectiveStartDate TEXT,
    EffectiveEndDate TEXT,
    BillingAccountId TEXT,
    BillingProfileId TEXT,
    OfferId TEXT
);
CREATE INDEX ds_price_sheet_by_load ON ds_price_sheet(LoadId);

CREATE TABLE ds_reservation_transactions (
    LoadId INTEGER NOT NULL,
    SourcePart INTEGER NOT NULL,
    SourceLine INTEGER NOT NULL,
    EventDate TEXT,
    EventType TEXT,
    ReservationOrderId TEXT,
    ReservationOrderName TEXT,
    Description TEXT,
    Quantity REAL,
    Amount REAL,
    Currency TEXT,
    ArmSkuName TEXT,
    Term TEXT,
    Region TEXT,
    PurchasingSubscriptionGuid TEXT,
    PurchasingSubscriptionName TEXT,
    AccountName TEXT,
    AccountOwnerEmail TEXT,
    DepartmentName TEXT,
    CostCenter TEXT,
    CurrentEnrollment TEXT,
    BillingFrequency TEXT,
    BillingMonth TEXT,
    MonetaryCommitment REAL,
    Overage REAL
);
CREATE INDEX ds_reservation_transactions_by_load ON ds_reservation_transactions(LoadId);

CREATE TABLE ds_reservation_details (
    LoadId INTEGER NOT NULL,
    SourcePart INTEGER NOT NULL,
    SourceLine INTEGER NOT NULL,
    UsageDate TEXT,
    ReservationOrderId TEXT,
    ReservationId TEXT,
    SkuName TEXT,
    Kind TEXT,
    InstanceName TEXT,
    InstanceFlexibilityGroup TEXT,
    InstanceFlexibilityRatio REAL,
    TotalReservedQuantity REAL,
    ReservedHours REAL,
    UsedHours REAL
);
CREATE INDEX ds_reservation_details_by_load ON ds_reservation_details(LoadId);

CREATE TABLE ds_balance_summary (
    LoadId INTEGER NOT NULL,
    SourcePart INTEGER NOT NULL,
    SourceLine INTEGER NOT NULL,
    Currency TEXT,
    BeginningBalance REAL,
    EndingBalance REAL,
    NewPurchases REAL,
    Adjustments REAL,
    Utilized REAL,
    ServiceOverage REAL,
    ChargesBilledSeparately REAL,
    TotalOverage REAL,
    TotalUsage REAL,
    AzureMarketplaceServiceCharges REAL,
    BillingFrequency TEXT,
    PriceHidden TEXT,
    OverageRefund REAL,
    NewPurchasesDetails TEXT,
    AdjustmentDetails TEXT
);
CREATE INDEX ds_balance_summary_by_load ON ds_balance_summary(LoadId);

CREATE TABLE ds_marketplace_charges (
    LoadId INTEGER NOT NULL,
    SourcePart INTEGER NOT NULL,
    SourceLine INTEGER NOT NULL,
    UsageStart TEXT,
    UsageEnd TEXT,
    SubscriptionGuid TEXT,
    SubscriptionName TEXT,
    AccountName TEXT,
    DepartmentName TEXT,
    CostCenter TEXT,
    ResourceGroup TEXT,
    InstanceName TEXT,
    InstanceId TEXT,
    MeterId TEXT,
    OfferName TEXT,
    PublisherName TEXT,
    PlanName TEXT,
    OrderNumber TEXT,
    ConsumedQuantity REAL,
    ResourceRate REAL,
    PretaxCost REAL,
    Currency TEXT,
    UnitOfMeasure TEXT,
    IsEstimated TEXT,
    IsRecurringCharge TEXT,
    Tags TEXT,
    AdditionalProperties TEXT
);
CREATE INDEX ds_marketplace_charges_by_load ON ds_marketplace_charges(LoadId);

CREATE TABLE ds_billing_periods (
    LoadId INTEGER NOT NULL,
    SourcePart INTEGER NOT NULL,
    SourceLine INTEGER NOT NULL,
    Name TEXT,
    BillingPeriodStart TEXT,
    BillingPeriodEnd TEXT,
    InvoiceIds TEXT
);
CREATE INDEX ds_billing_periods_by_load ON ds_billing_periods(LoadId);

CREATE VIEW price_sheet AS
SELECT d.Scope, d.BillingPeriod, d.LoadId, t.MeterId, t.MeterName, t.MeterCategory, t.MeterSubCategory, t.MeterRegion, t.MeterType, t.Product, t.ProductId, t.SkuId, t.PartNumber, t.ServiceFamily, t.UnitOfMeasure, t.UnitMultiplier, t.PriceType, t.Term, t.Currency, t.BillingCurrency, t.UnitPrice, t.MarketPrice, t.BasePrice, t.IncludedQuantity, t.TierMinimumUnits, t.EffectiveStartDate, t.EffectiveEndDate, t.BillingAccountId, t.BillingProfileId, t.OfferId, t.SourcePart, t.SourceLine
FROM dataset_partitions d
JOIN ds_price_sheet t ON t.LoadId = d.LoadId
WHERE d.Dataset = 'price-sheet';

CREATE VIEW reservation_transactions AS
SELECT d.Scope, d.BillingPeriod, d.LoadId, t.EventDate, t.EventType, t.ReservationOrderId, t.ReservationOrderName, t.Description, t.Quantity, t.Amount, t.Currency, t.ArmSkuName, t.Term, t.Region, t.PurchasingSubscriptionGuid, t.PurchasingSubscriptionName, t.AccountName, t.AccountOwnerEmail, t.DepartmentName, t.CostCenter, t.CurrentEnrollment, t.BillingFrequency, t.BillingMonth, t.MonetaryCommitment, t.Overage, t.SourcePart, t.SourceLine
FROM dataset_partitions d
JOIN ds_reservation_transactions t ON t.LoadId = d.LoadId
WHERE d.Dataset = 'reservation-transactions';

CREATE VIEW reservation_details AS
SELECT d.Scope, d.BillingPeriod, d.LoadId, t.UsageDate, t.ReservationOrderId, t.ReservationId, t.SkuName, t.Kind, t.InstanceName, t.InstanceFlexibilityGroup, t.InstanceFlexibilityRatio, t.TotalReservedQuantity, t.ReservedHours, t.UsedHours, t.SourcePart, t.SourceLine
FROM dataset_partitions d
JOIN ds_reservation_details t ON t.LoadId = d.LoadId
WHERE d.Dataset = 'reservation-details';

CREATE VIEW balance_summary AS
SELECT d.Scope, d.BillingPeriod, d.LoadId, t.Currency, t.BeginningBalance, t.EndingBalance, t.NewPurchases, t.Adjustments, t.Utilized, t.ServiceOverage, t.ChargesBilledSeparately, t.TotalOverage, t.TotalUsage, t.AzureMarketplaceServiceCharges, t.BillingFrequency, t.PriceHidden, t.OverageRefund, t.NewPurchasesDetails, t.AdjustmentDetails, t.SourcePart, t.SourceLine
FROM dataset_partitions d
JOIN ds_balance_summary t ON t.LoadId = d.LoadId
WHERE d.Dataset = 'balance-summary';

CREATE VIEW marketplace_charges AS
SELECT d.Scope, d.BillingPeriod, d.LoadId, t.UsageStart, t.UsageEnd, t.SubscriptionGuid, t.SubscriptionName, t.AccountName, t.DepartmentName, t.CostCenter, t.ResourceGroup, t.InstanceName, t.InstanceId, t.MeterId, t.OfferName, t.PublisherName, t.PlanName, t.OrderNumber, t.ConsumedQuantity, t.ResourceRate, t.PretaxCost, t.Currency, t.UnitOfMeasure, t.IsEstimated, t.IsRecurringCharge, t.Tags, t.AdditionalProperties, t.SourcePart, t.SourceLine
FROM dataset_partitions d
JOIN ds_marketplace_charges t ON t.LoadId = d.LoadId
WHERE d.Dataset = 'marketplace';

CREATE VIEW billing_periods AS
SELECT d.Scope, d.BillingPeriod, d.LoadId, t.Name, t.BillingPeriodStart, t.BillingPeriodEnd, t.InvoiceIds, t.SourcePart, t.SourceLine
FROM dataset_partitions d
JOIN ds_billing_periods t ON t.LoadId = d.LoadId
WHERE d.Dataset = 'billing-periods' AND d.BillingPeriod = (SELECT MAX(x.BillingPeriod) FROM dataset_partitions x WHERE x.Scope = d.Scope AND x.Dataset = 'billing-periods');

-- The list (market) price of each meter, from the current price sheets: what ListCost falls back
-- to when a cost row has no PayGPrice (EA reservation usage, some purchases). One row per
-- billing profile (EA enrollment or MCA billing profile), month and meter; a tiered meter's first
-- (highest) tier. Rebuilt with each price sheet load.
CREATE TABLE list_prices (
    BillingProfileId TEXT NOT NULL,
    BillingPeriod TEXT NOT NULL,
    MeterId TEXT NOT NULL,
    UnitOfMeasure TEXT,
    UnitMultiplier REAL NOT NULL,     -- the number in UnitOfMeasure (100 for "100 Hours"), 1 when none
    MarketPrice REAL NOT NULL,        -- list price per UnitOfMeasure, in the price sheet's currency
    UnitPrice REAL,                   -- negotiated price per UnitOfMeasure
    Currency TEXT,
    LoadId INTEGER NOT NULL,
    PRIMARY KEY (BillingProfileId, BillingPeriod, MeterId)
) WITHOUT ROWID;
