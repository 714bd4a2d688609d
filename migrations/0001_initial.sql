-- 0001: the warehouse's first schema.
--
-- Analysts query the view `cost_details` (one row per cost record, every canonical column)
-- and the ledger `loads`. The tables behind the view keep the fact rows narrow: long,
-- repeated strings live once in small dimension tables (dim_*) and each fact row points at
-- them. The rows of one load are contiguous in cost_fact (rowids FirstRowId..LastRowId);
-- `partitions` says which load is current for each (Scope, BillingPeriod, Metric), so
-- replacing a partition is one pointer update and purging the old rows one range delete.

-- The ledger: one row per load attempt, whatever its outcome.
CREATE TABLE loads (
    LoadId INTEGER PRIMARY KEY,
    Scope TEXT NOT NULL,             -- canonical ARM scope id, e.g. /providers/Microsoft.Billing/billingAccounts/8611537
    BillingPeriod TEXT NOT NULL,     -- YYYY-MM
    Metric TEXT NOT NULL CHECK (Metric IN ('ActualCost', 'AmortizedCost')),
    Source TEXT NOT NULL,            -- file, cost-details, detailed-report, usage-details, ea-reporting, exports
    SourceDetail TEXT,               -- JSON: file paths, report or operation id (never a secret)
    ContentHash TEXT,                -- hash of the source bytes, to recognise an unchanged report
    RowsRead INTEGER,                -- data rows in the source files (header and preamble excluded)
    RowsLoaded INTEGER,
    RowsRejected INTEGER,
    CostTotal REAL,                  -- sum of CostInBillingCurrency over the loaded rows
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
    PurgedAt TEXT                    -- when the rows of this replaced load were deleted
);
CREATE INDEX loads_by_partition ON loads(Scope, BillingPeriod, Metric, LoadId);
CREATE INDEX loads_running ON loads(Status) WHERE Status = 'running';

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
    StoreServiceIdentifier TEXT
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
    ExtraKey INTEGER
);
-- Partitions are rowid ranges, so they need no index. The secondary indexes are on keys
-- with few distinct values: a load appends to the end of each key's run, which keeps
-- inserts cheap and memory flat however large the table grows.
CREATE INDEX cost_fact_by_date ON cost_fact(Date);
CREATE INDEX cost_fact_by_account ON cost_fact(AccountKey);

-- What analysts query: one row per cost record of every current partition.
CREATE VIEW cost_details AS
SELECT
    p.Scope, p.BillingPeriod, p.Metric, p.LoadId,
    f.Date, f.ChargeType, f.PricingModel, f.CostInBillingCurrency, f.BillingCurrency,
    f.Quantity, f.EffectivePrice, f.UnitPrice, f.PayGPrice, f.CostInPricingCurrency, f.CostInUsd, f.PaygCostInBillingCurrency, f.PaygCostInUsd, f.ExchangeRatePricingToBilling, f.PartnerEarnedCreditRate,
    a.BillingAccountId, a.BillingAccountName, a.BillingProfileId, a.BillingProfileName, a.InvoiceSectionId, a.InvoiceSectionName, a.AccountOwnerId, a.AccountName, a.AccountId, a.SubscriptionId, a.SubscriptionName, a.CostCenter, a.OfferId, a.InvoiceId, a.PreviousInvoiceId, a.ResellerName, a.ResellerMpnId, a.PartnerTenantId, a.PartnerName, a.CustomerTenantId, a.CustomerName, a.ServiceAdministratorId, a.BillingPeriodStartDate, a.BillingPeriodEndDate, a.ServicePeriodStartDate, a.ServicePeriodEndDate, a.ExchangeRateDate, a.PricingCurrency,
    r.ResourceId, r.ResourceName, r.ResourceGroup, r.ResourceType, r.ResourceLocation, r.ResourceLocationNormalized, r.Location, r.AvailabilityZone, r.ConsumedService, r.ServiceInfo1, r.ServiceInfo2, r.CostAllocationRuleName,
    m.MeterId, m.MeterName, m.MeterCategory, m.MeterSubCategory, m.MeterRegion, m.ServiceFamily, m.ProductName, m.ProductId, m.PartNumber, m.UnitOfMeasure, m.Frequency, m.PublisherType, m.PublisherName, m.PublisherId, m.PlanName, m.IsAzureCreditEligible, m.Provider, m.ServiceName, m.ServiceTier, m.ProductOrderId, m.ProductOrderName, m.Term, m.ReservationId, m.ReservationName, m.BenefitId, m.BenefitName, m.PartnerEarnedCreditApplied, m.StoreServiceIdentifier,
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
