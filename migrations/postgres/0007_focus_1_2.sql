-- PostgreSQL's twin of migrations/0009_focus_1_2.sql (same columns, same rules).
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
-- Two guarded conversions for the values a FOCUS file gave and costwh keeps as text in a row's
-- extras: text that is not a number or a date-time reads as NULL instead of failing the query.
CREATE FUNCTION costwh_focus_number(value text) RETURNS double precision LANGUAGE plpgsql IMMUTABLE AS '
BEGIN
    RETURN NULLIF(btrim(value), '''')::double precision;
EXCEPTION WHEN others THEN
    RETURN NULL;
END';

-- A date-time with a zone is converted to UTC; one without is UTC already (FOCUS requires UTC).
CREATE FUNCTION costwh_focus_timestamp(value text) RETURNS timestamp LANGUAGE plpgsql STABLE AS '
BEGIN
    IF value IS NULL OR btrim(value) = '''' THEN
        RETURN NULL;
    END IF;
    IF value ~ ''[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*(Z|[+-][0-9]{2}(:?[0-9]{2})?)\s*$'' THEN
        RETURN value::timestamptz AT TIME ZONE ''UTC'';
    END IF;
    RETURN value::timestamp;
EXCEPTION WHEN others THEN
    RETURN NULL;
END';

DROP VIEW focus_costs;
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
    CASE WHEN e.k_focus THEN costwh_focus_number(e.k_x_CommitmentDiscountQuantity)
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
    to_char(CASE WHEN e.k_focus THEN COALESCE(costwh_focus_timestamp(e.k_x_ChargePeriodStart), e.Date::timestamp) ELSE e.Date::timestamp END, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS ChargePeriodStart,
    to_char(CASE WHEN e.k_focus THEN COALESCE(costwh_focus_timestamp(e.k_x_ChargePeriodEnd), (e.Date + 1)::timestamp) ELSE (e.Date + 1)::timestamp END, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS ChargePeriodEnd,
    to_char(COALESCE(e.BillingPeriodStartDate::date::timestamp, (e.BillingPeriod || '-01')::timestamp), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS BillingPeriodStart,
    to_char(COALESCE(
        CASE WHEN e.k_focus THEN costwh_focus_timestamp(e.k_x_BillingPeriodEnd) END,
        (e.BillingPeriodEndDate::date + 1)::timestamp,
        (e.BillingPeriod || '-01')::timestamp + interval '1 month'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS BillingPeriodEnd,
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
    CASE WHEN e.k_focus THEN costwh_focus_number(e.k_x_PricingCurrencyListUnitPrice) ELSE e.k_lup / e.k_x END AS PricingCurrencyListUnitPrice,
    CASE WHEN e.k_focus THEN costwh_focus_number(e.k_x_PricingCurrencyContractedUnitPrice) ELSE e.k_cup / e.k_x END AS PricingCurrencyContractedUnitPrice,
    CASE WHEN e.k_focus THEN costwh_focus_number(e.k_x_PricingCurrencyEffectiveCost) ELSE e.k_effective / e.k_x END AS PricingCurrencyEffectiveCost,
    e.Tags,
    '1.2'::text AS x_FocusVersion,
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
            CASE WHEN c.k_focus THEN costwh_focus_number(c.k_x_PricingQuantity)
                WHEN c.k_cat IN ('Usage', 'Purchase') THEN COALESCE(c.Quantity, 0) * c.k_block * c.k_sign
            END AS k_pq,
            CASE WHEN c.k_focus THEN c.Quantity
                WHEN c.k_cat = 'Usage' AND c.k_status IS DISTINCT FROM 'Unused' THEN COALESCE(c.Quantity, 0) * c.k_block
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
                CASE WHEN b.AdditionalInfo LIKE '%VMCapacityReservationId%' THEN NULLIF(b.AdditionalInfo::jsonb ->> 'VMCapacityReservationId', '') END AS k_capacity,
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
                    COALESCE(lower(a.ResourceType), CASE WHEN strpos(a.k_rest, '/') > 0 THEN
                        substr(a.k_rest, 1, strpos(a.k_rest, '/') - 1) || '/'
                        || substr(substr(a.k_rest, strpos(a.k_rest, '/') + 1), 1, strpos(substr(a.k_rest, strpos(a.k_rest, '/') + 1) || '/', '/') - 1)
                    END) AS k_arm,
                    CASE WHEN a.k_focus THEN a.BenefitId WHEN a.PricingModel IN ('Reservation', 'SavingsPlan') THEN a.BenefitId END AS k_commit,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'ChargePeriodStart') END AS k_x_ChargePeriodStart,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'ChargePeriodEnd') END AS k_x_ChargePeriodEnd,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'BillingPeriodEnd') END AS k_x_BillingPeriodEnd,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'PricingQuantity') END AS k_x_PricingQuantity,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'ServiceSubcategory') END AS k_x_ServiceSubcategory,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'BillingAccountType') END AS k_x_BillingAccountType,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'SubAccountType') END AS k_x_SubAccountType,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'CommitmentDiscountQuantity') END AS k_x_CommitmentDiscountQuantity,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'CommitmentDiscountUnit') END AS k_x_CommitmentDiscountUnit,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'CapacityReservationId') END AS k_x_CapacityReservationId,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'CapacityReservationStatus') END AS k_x_CapacityReservationStatus,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'SkuPriceDetails') END AS k_x_SkuPriceDetails,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'PricingCurrencyListUnitPrice') END AS k_x_PricingCurrencyListUnitPrice,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'PricingCurrencyContractedUnitPrice') END AS k_x_PricingCurrencyContractedUnitPrice,
                    CASE WHEN a.k_focus THEN (a.ExtraColumns::jsonb ->> 'PricingCurrencyEffectiveCost') END AS k_x_PricingCurrencyEffectiveCost
                FROM (
                    SELECT w.*,
                        w.ChargeCategory IS NOT NULL AS k_focus,
                        CASE WHEN strpos(lower(w.ResourceId), '/providers/') > 0
                            THEN substr(lower(w.ResourceId), strpos(lower(w.ResourceId), '/providers/') + 11)
                        END AS k_rest
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
