-- The other datasets of a billing scope, and savings: the same tables, columns and views as
-- SQLite's migrations/0005_datasets_and_savings.sql; see it for what each holds.
DROP VIEW partition_changes;
DROP VIEW load_changes;
ALTER TABLE loads ALTER COLUMN Metric DROP NOT NULL;
ALTER TABLE loads ADD COLUMN Dataset TEXT NOT NULL DEFAULT 'cost-details';
CREATE INDEX loads_by_dataset ON loads(Dataset, Scope, BillingPeriod, LoadId);
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

-- The current load of each dataset partition (scope, billing period, dataset), as `partitions`
-- is for cost details. Billing periods are loaded per scope; their partition's month is the
-- month they were fetched, and the view shows the latest.
CREATE TABLE dataset_partitions (
    Scope TEXT NOT NULL,
    BillingPeriod TEXT NOT NULL,
    Dataset TEXT NOT NULL,
    LoadId BIGINT NOT NULL REFERENCES loads(LoadId),
    RowCount BIGINT NOT NULL,
    UpdatedAt TEXT NOT NULL,
    PRIMARY KEY (Scope, BillingPeriod, Dataset)
);

-- The rows of each dataset's loads (ds_*: every load, current or replaced until purged) and the
-- views of the current ones. Columns keep the API's names; SourcePart and SourceLine say where
-- each row came from (file and line, or page and record).
CREATE TABLE ds_price_sheet (
    LoadId BIGINT NOT NULL,
    SourcePart BIGINT NOT NULL,
    SourceLine BIGINT NOT NULL,
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
    UnitMultiplier DOUBLE PRECISION,
    PriceType TEXT,
    Term TEXT,
    Currency TEXT,
    BillingCurrency TEXT,
    UnitPrice DOUBLE PRECISION,
    MarketPrice DOUBLE PRECISION,
    BasePrice DOUBLE PRECISION,
    IncludedQuantity DOUBLE PRECISION,
    TierMinimumUnits DOUBLE PRECISION,
    EffectiveStartDate TEXT,
    EffectiveEndDate TEXT,
    BillingAccountId TEXT,
    BillingProfileId TEXT,
    OfferId TEXT
);
CREATE INDEX ds_price_sheet_by_load ON ds_price_sheet(LoadId);

CREATE TABLE ds_reservation_transactions (
    LoadId BIGINT NOT NULL,
    SourcePart BIGINT NOT NULL,
    SourceLine BIGINT NOT NULL,
    EventDate TEXT,
    EventType TEXT,
    ReservationOrderId TEXT,
    ReservationOrderName TEXT,
    Description TEXT,
    Quantity DOUBLE PRECISION,
    Amount DOUBLE PRECISION,
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
    MonetaryCommitment DOUBLE PRECISION,
    Overage DOUBLE PRECISION
);
CREATE INDEX ds_reservation_transactions_by_load ON ds_reservation_transactions(LoadId);

CREATE TABLE ds_reservation_details (
    LoadId BIGINT NOT NULL,
    SourcePart BIGINT NOT NULL,
    SourceLine BIGINT NOT NULL,
    UsageDate TEXT,
    ReservationOrderId TEXT,
    ReservationId TEXT,
    SkuName TEXT,
    Kind TEXT,
    InstanceName TEXT,
    InstanceFlexibilityGroup TEXT,
    InstanceFlexibilityRatio DOUBLE PRECISION,
    TotalReservedQuantity DOUBLE PRECISION,
    ReservedHours DOUBLE PRECISION,
    UsedHours DOUBLE PRECISION
);
CREATE INDEX ds_reservation_details_by_load ON ds_reservation_details(LoadId);

CREATE TABLE ds_balance_summary (
    LoadId BIGINT NOT NULL,
    SourcePart BIGINT NOT NULL,
    SourceLine BIGINT NOT NULL,
    Currency TEXT,
    BeginningBalance DOUBLE PRECISION,
    EndingBalance DOUBLE PRECISION,
    NewPurchases DOUBLE PRECISION,
    Adjustments DOUBLE PRECISION,
    Utilized DOUBLE PRECISION,
    ServiceOverage DOUBLE PRECISION,
    ChargesBilledSeparately DOUBLE PRECISION,
    TotalOverage DOUBLE PRECISION,
    TotalUsage DOUBLE PRECISION,
    AzureMarketplaceServiceCharges DOUBLE PRECISION,
    BillingFrequency TEXT,
    PriceHidden TEXT,
    OverageRefund DOUBLE PRECISION,
    NewPurchasesDetails TEXT,
    AdjustmentDetails TEXT
);
CREATE INDEX ds_balance_summary_by_load ON ds_balance_summary(LoadId);

CREATE TABLE ds_marketplace_charges (
    LoadId BIGINT NOT NULL,
    SourcePart BIGINT NOT NULL,
    SourceLine BIGINT NOT NULL,
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
    ConsumedQuantity DOUBLE PRECISION,
    ResourceRate DOUBLE PRECISION,
    PretaxCost DOUBLE PRECISION,
    Currency TEXT,
    UnitOfMeasure TEXT,
    IsEstimated TEXT,
    IsRecurringCharge TEXT,
    Tags TEXT,
    AdditionalProperties TEXT
);
CREATE INDEX ds_marketplace_charges_by_load ON ds_marketplace_charges(LoadId);

CREATE TABLE ds_billing_periods (
    LoadId BIGINT NOT NULL,
    SourcePart BIGINT NOT NULL,
    SourceLine BIGINT NOT NULL,
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
    UnitMultiplier DOUBLE PRECISION NOT NULL,     -- the number in UnitOfMeasure (100 for "100 Hours"), 1 when none
    MarketPrice DOUBLE PRECISION NOT NULL,        -- list price per UnitOfMeasure, in the price sheet's currency
    UnitPrice DOUBLE PRECISION,                   -- negotiated price per UnitOfMeasure
    Currency TEXT,
    LoadId BIGINT NOT NULL,
    PRIMARY KEY (BillingProfileId, BillingPeriod, MeterId)
);

-- cost_details gains the savings columns (FinOps toolkit, FOCUS 1.0): ListCost (list price ×
-- quantity: PayGPrice, else paygCostInBillingCurrency, else the price sheet's MarketPrice; NULL
-- when none is known), ContractedCost (UnitPrice × quantity) and EffectiveCost (the amortized
-- cost), all in the billing currency (prices × ExchangeRatePricingToBilling). Unused commitment
-- rows have ListCost and ContractedCost 0: their cost is waste. FOCUS files give their own.
DROP VIEW focus_costs;
DROP VIEW cost_details;
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
        WHEN COALESCE(m.PublisherType, '') <> 'Marketplace' THEN (
            SELECT lp.MarketPrice * f.Quantity * COALESCE(f.ExchangeRatePricingToBilling, 1)
                * CASE WHEN lp.UnitOfMeasure = m.UnitOfMeasure THEN 1.0 ELSE COALESCE(NULLIF(substring(m.UnitOfMeasure from '^[0-9]+(\.[0-9]+)?'), '')::float8, 1.0) / lp.UnitMultiplier END
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
JOIN cost_fact f ON f.LoadId = p.LoadId
LEFT JOIN dim_account a ON a.AccountKey = f.AccountKey
LEFT JOIN dim_resource r ON r.ResourceKey = f.ResourceKey
LEFT JOIN dim_product m ON m.ProductKey = f.ProductKey
LEFT JOIN dim_tags t ON t.TagsKey = f.TagsKey
LEFT JOIN dim_info i ON i.InfoKey = f.InfoKey
LEFT JOIN dim_extra x ON x.ExtraKey = f.ExtraKey;

-- FOCUS-style costs (FinOps toolkit, docs-mslearn/focus/convert.md): all amortized rows,
-- plus the actual Purchase/Refund rows of reservations and savings plans, so nothing is
-- counted twice. BilledCost is what the invoice shows, EffectiveCost the amortized cost.
-- Commitment-covered usage, used or unused, was billed by its purchase: BilledCost 0.
-- Rows loaded from a FOCUS file return the FOCUS values the file gave (COALESCE below).
CREATE VIEW focus_costs AS
SELECT
    c.Scope,
    c.BillingPeriod,
    c.Metric AS x_SourceMetric,
    COALESCE(c.BilledCost, CASE
        WHEN c.ChargeType IN ('Usage', 'UnusedReservation', 'UnusedSavingsPlan') AND c.PricingModel IN ('Reservation', 'SavingsPlan') THEN 0
        ELSE c.CostInBillingCurrency
    END) AS BilledCost,
    COALESCE(c.EffectiveCost, CASE
        WHEN c.ChargeType IN ('Purchase', 'Refund') AND c.PricingModel IN ('Reservation', 'SavingsPlan') THEN 0
        ELSE c.CostInBillingCurrency
    END) AS EffectiveCost,
    c.ListCost,
    c.ContractedCost,
    c.BillingCurrency,
    COALESCE(c.ChargeCategory, CASE
        WHEN c.ChargeType IN ('Usage', 'Purchase', 'Credit', 'Tax') THEN c.ChargeType
        WHEN c.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 'Usage'
        WHEN c.ChargeType = 'Refund' THEN 'Purchase'
        ELSE 'Adjustment'
    END) AS ChargeCategory,
    COALESCE(c.ChargeClass, CASE WHEN c.ChargeType = 'Refund' THEN 'Correction' END) AS ChargeClass,
    c.ChargeFrequency,
    COALESCE(c.PricingCategory, CASE c.PricingModel
        WHEN 'OnDemand' THEN 'Standard'
        WHEN 'Spot' THEN 'Dynamic'
        WHEN 'Reservation' THEN 'Committed'
        WHEN 'SavingsPlan' THEN 'Committed'
    END) AS PricingCategory,
    COALESCE(c.CommitmentDiscountStatus, CASE
        WHEN c.ChargeType IN ('UnusedReservation', 'UnusedSavingsPlan') THEN 'Unused'
        WHEN c.ChargeType = 'Usage' AND c.PricingModel IN ('Reservation', 'SavingsPlan') THEN 'Used'
    END) AS CommitmentDiscountStatus,
    COALESCE(c.CommitmentDiscountType, CASE c.PricingModel
        WHEN 'Reservation' THEN 'Reservation'
        WHEN 'SavingsPlan' THEN 'Savings Plan'
    END) AS CommitmentDiscountType,
    CASE WHEN c.PricingModel IN ('Reservation', 'SavingsPlan') THEN c.BenefitId END AS CommitmentDiscountId,
    CASE WHEN c.PricingModel IN ('Reservation', 'SavingsPlan') THEN c.BenefitName END AS CommitmentDiscountName,
    c.Date AS ChargePeriodStart,
    c.Date + 1 AS ChargePeriodEnd,
    c.BillingPeriodStartDate::date AS BillingPeriodStart,
    c.BillingPeriodEndDate::date + 1 AS BillingPeriodEnd,
    COALESCE(c.BillingProfileId, c.BillingAccountId) AS BillingAccountId,
    COALESCE(c.BillingProfileName, c.BillingAccountName) AS BillingAccountName,
    c.SubscriptionId AS SubAccountId,
    c.SubscriptionName AS SubAccountName,
    c.ResourceId,
    c.ResourceName,
    c.ResourceGroup AS x_ResourceGroupName,
    COALESCE(c.RegionId, c.ResourceLocation) AS RegionId,
    c.RegionName,
    COALESCE(c.ServiceCategory, c.ServiceFamily) AS ServiceCategory,
    c.ServiceName,
    COALESCE(c.Provider, 'Microsoft') AS ProviderName,
    c.InvoiceIssuerName,
    c.SkuId,
    c.SkuPriceId,
    c.ChargeDescription,
    c.MeterCategory AS x_SkuMeterCategory,
    c.MeterId AS x_SkuMeterId,
    c.MeterName AS x_SkuMeterName,
    c.Quantity AS ConsumedQuantity,
    c.UnitOfMeasure AS ConsumedUnit,
    c.PricingUnit,
    CASE WHEN c.Quantity <> 0 THEN c.ListCost / c.Quantity END AS ListUnitPrice,
    c.EffectivePrice AS x_EffectiveUnitPrice,
    c.UnitPrice AS ContractedUnitPrice,
    c.PublisherName,
    c.PublisherName AS x_PublisherName,
    c.PublisherType AS x_PublisherCategory,
    c.Tags,
    c.ExtraColumns AS x_ExtraColumns,
    c.ChargeType AS x_ChargeType,
    c.PricingModel AS x_PricingModel
FROM cost_details c
JOIN comparable_periods p ON p.Scope = c.Scope AND p.BillingPeriod = c.BillingPeriod
WHERE c.Metric = 'AmortizedCost'
    OR (c.Metric = 'ActualCost' AND c.ChargeType IN ('Purchase', 'Refund') AND c.PricingModel IN ('Reservation', 'SavingsPlan'));

