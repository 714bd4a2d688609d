-- name: commitments
-- description: Each reservation and savings plan order: purchases, used and unused hours and cost, utilisation (from reservation details where loaded, else the cost rows) and the savings it produced.
--
-- Parameters: :scope (or NULL), :from, :to (YYYY-MM).
-- A commitment is its order (ProductOrderId, which usage and purchase rows share; else
-- ReservationId or BenefitId). From the AmortizedCost rows of commitment-covered usage and the Unused* rows, and the
-- ActualCost purchase and refund rows. Savings = ContractedCost - EffectiveCost over the
-- commitment's rows (FinOps toolkit's commitment discount savings), so unused hours, whose
-- contracted cost is 0, count against it; SavingsOverList uses ListCost instead.
-- UtilizationSource says where utilisation comes from: `reservation-details` (the used and
-- reserved hours Azure reports per reservation and day) or `cost-rows` (used cost against used
-- plus unused cost, for savings plans and months without reservation details).
WITH rows_ AS (
    SELECT
        c.Scope, c.BillingPeriod, c.Metric, c.BillingCurrency AS Currency, c.PricingModel AS Kind, c.ChargeType,
        COALESCE(NULLIF(c.ProductOrderId, ''), NULLIF(c.ReservationId, ''), c.BenefitId) AS CommitmentId,
        COALESCE(NULLIF(c.ReservationName, ''), NULLIF(c.BenefitName, ''), c.ProductOrderName) AS CommitmentName,
        c.Term, c.Quantity, c.CostInBillingCurrency AS Cost,
        COALESCE(c.ContractedCost, c.EffectiveCost) AS Contracted,
        COALESCE(c.ListCost, c.ContractedCost, c.EffectiveCost) AS List
    FROM cost_details_wide c
    WHERE c.PricingModel IN ('Reservation', 'SavingsPlan')
        AND (:scope IS NULL OR c.Scope = :scope) AND c.BillingPeriod BETWEEN :from AND :to
),
commitments_ AS (
    SELECT
        Scope, BillingPeriod, Currency, Kind, CommitmentId,
        MAX(CommitmentName) AS CommitmentName,
        MAX(Term) AS Term,
        TOTAL(CASE WHEN Metric = 'ActualCost' AND ChargeType IN ('Purchase', 'Refund') THEN Cost END) AS PurchaseCost,
        TOTAL(CASE WHEN Metric = 'AmortizedCost' AND ChargeType = 'Usage' THEN Quantity END) AS UsedQuantity,
        TOTAL(CASE WHEN Metric = 'AmortizedCost' AND ChargeType LIKE 'Unused%' THEN Quantity END) AS UnusedQuantity,
        TOTAL(CASE WHEN Metric = 'AmortizedCost' AND ChargeType = 'Usage' THEN Cost END) AS UsedCost,
        TOTAL(CASE WHEN Metric = 'AmortizedCost' AND ChargeType LIKE 'Unused%' THEN Cost END) AS UnusedCost,
        TOTAL(CASE WHEN Metric = 'AmortizedCost' AND ChargeType NOT IN ('Purchase', 'Refund') THEN Contracted - Cost END)
            AS Savings,
        TOTAL(CASE WHEN Metric = 'AmortizedCost' AND ChargeType NOT IN ('Purchase', 'Refund') THEN List - Cost END)
            AS SavingsOverList
    FROM rows_
    WHERE CommitmentId IS NOT NULL
    GROUP BY Scope, BillingPeriod, Currency, Kind, CommitmentId
),
details AS (
    SELECT Scope, BillingPeriod, ReservationOrderId, TOTAL(UsedHours) AS UsedHours, TOTAL(ReservedHours) AS ReservedHours
    FROM reservation_details
    WHERE (:scope IS NULL OR Scope = :scope) AND BillingPeriod BETWEEN :from AND :to
    GROUP BY Scope, BillingPeriod, ReservationOrderId
)
SELECT
    c.Scope,
    c.BillingPeriod,
    c.Kind,
    c.CommitmentId,
    c.CommitmentName,
    c.Term,
    c.Currency,
    ROUND(c.PurchaseCost, 6) AS PurchaseCost,
    ROUND(COALESCE(d.UsedHours, c.UsedQuantity), 4) AS UsedHours,
    ROUND(COALESCE(d.ReservedHours - d.UsedHours, c.UnusedQuantity), 4) AS UnusedHours,
    ROUND(c.UsedCost, 6) AS UsedCost,
    ROUND(c.UnusedCost, 6) AS UnusedCost,
    ROUND(CASE
        WHEN d.ReservedHours > 0 THEN 100.0 * d.UsedHours / d.ReservedHours
        WHEN c.UsedCost + c.UnusedCost <> 0 THEN 100.0 * c.UsedCost / (c.UsedCost + c.UnusedCost)
    END, 2) AS UtilizationPercent,
    CASE WHEN d.ReservedHours IS NOT NULL THEN 'reservation-details' ELSE 'cost-rows' END AS UtilizationSource,
    ROUND(c.Savings, 6) AS Savings,
    ROUND(c.SavingsOverList, 6) AS SavingsOverList
FROM commitments_ c
LEFT JOIN details d ON d.Scope = c.Scope AND d.BillingPeriod = c.BillingPeriod AND d.ReservationOrderId = c.CommitmentId
ORDER BY c.Scope, c.BillingPeriod, c.Kind, c.Savings DESC, c.CommitmentId;
