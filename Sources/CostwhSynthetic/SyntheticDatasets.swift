import CostwhModel
import Foundation

/// The other datasets of a synthetic month, consistent with its cost rows: the price sheet
/// prices its meters (the rows' UnitPrice negotiated from the list MarketPrice), the
/// reservation details and transactions describe its reservations, the marketplace charges
/// are its marketplace purchases, and the balance summary adds up its actual cost.
package struct SyntheticDatasets: Sendable {
    package let month: SyntheticMonth

    package init(month: SyntheticMonth) { self.month = month }

    var estate: SyntheticEstate { month.estate }
    var period: BillingPeriod { month.period }

    static func csv(_ rows: [[String]]) -> [UInt8] {
        var out: [UInt8] = [0xEF, 0xBB, 0xBF]
        for row in rows {
            for (i, field) in row.enumerated() {
                if i > 0 { out.append(0x2C) }
                CSVEscaping.append(field, to: &out)
            }
            out.append(0x0A)
        }
        return out
    }

    /// The price sheet as Cost Management's download gives it (the 2023-05-01 EA schema;
    /// MCA's adds the billing account and profile).
    package func priceSheetCSV() -> [UInt8] {
        let mca = estate.scope.agreement == .customerAgreement
        var header = [
            "BasePrice", "CurrencyCode", "EffectiveEndDate", "EffectiveStartDate", "IncludedQuantity", "MarketPrice",
            "MeterId", "MeterCategory", "MeterName", "MeterSubCategory", "MeterRegion", "MeterType", "PartNumber",
            "PriceType", "Product", "ProductID", "ServiceFamily", "SkuID", "Term", "UnitOfMeasure", "UnitPrice",
        ]
        if mca { header += ["BillingAccountId", "BillingProfileId"] }
        var rows = [header]
        // MCA prices are in the pricing currency (USD); the cost rows convert at 0.9187.
        let rate = mca ? 0.9187 : 1
        for meter in estate.meters {
            let list = SyntheticEstate.listPrice(meter) / rate
            var base = [
                String(list), mca ? "USD" : estate.currency, period.lastDay.description, period.firstDay.description,
                "0",
                String(list), meter.id, meter.category, meter.name, meter.subCategory, meter.region, "",
                meter.partNumber,
                "Consumption", meter.product, "DZH318Z0\(meter.partNumber.suffix(4))", meter.family,
                "0001", "", meter.unit, String(meter.unitPrice / rate),
            ]
            if mca { base += [estate.billingAccountId, estate.billingProfileId] }
            rows.append(base)
            if meter.category == "Virtual Machines" {
                for (term, months) in [("P1Y", 12.0), ("P3Y", 36.0)] {
                    var ri = base
                    let total = (meter.unitPrice * 0.6 * 730 * months / rate).rounded(toPlaces: 2)
                    ri[0] = String(total)
                    ri[5] = String((total * 1.12).rounded(toPlaces: 2))
                    ri[13] = "ReservedInstance"
                    ri[18] = term
                    ri[20] = String(total)
                    rows.append(ri)
                }
            }
        }
        return SyntheticDatasets.csv(rows)
    }

    /// `generateReservationDetailsReport`: each reservation's reserved and used hours per day.
    package func reservationDetailsCSV() -> [UInt8] {
        var rows = [
            [
                "InstanceFlexibilityGroup", "InstanceFlexibilityRatio", "InstanceName", "Kind", "ReservationId",
                "ReservationOrderId", "ReservedHours", "SkuName", "TotalReservedQuantity", "UsageDate", "UsedHours",
            ]
        ]
        for (c, commitment) in estate.commitments.enumerated() where commitment.kind == .reservation {
            for day in 1...period.daysInMonth {
                let (used, amount) = month.commitmentDay(c, day: day)
                let usedHours = amount > 0 ? (min(used, amount) / amount * 24).rounded(toPlaces: 4) : 0
                rows.append([
                    "DSv3 Series", "1", "", "Reservation", commitment.id, commitment.orderId, "24", "Standard_D2s_v3",
                    "1", CalendarDate(year: period.year, month: period.month, day: day)!.description,
                    String(usedHours),
                ])
            }
        }
        return SyntheticDatasets.csv(rows)
    }

    /// The month's reservation purchases and refunds, as Consumption `reservationTransactions` records.
    package func reservationTransactions() -> [[String: Any]] {
        var records: [[String: Any]] = []
        var events: [(commitment: Int, type: String, amount: Double)] = []
        month.forEachRow(.actualCost) { row in
            guard let c = row.commitment, estate.commitments[c].kind == .reservation,
                row.chargeType == "Purchase" || row.chargeType == "Refund"
            else { return }
            events.append((c, row.chargeType, row.cost))
        }
        // An MCA billing profile's transactions are Azure's modern records, an EA account's
        // the legacy ones (consumption 2023-05-01: Modern/LegacyReservationTransactionProperties).
        let modern = estate.scope.kind == .billingProfile
        let subscription = estate.subscriptions[0]
        for (n, event) in events.enumerated() {
            let c = event.commitment
            let commitment = estate.commitments[c]
            // What both kinds of record carry.
            var properties: [String: Any] = [
                "eventDate": "\(period.firstDay)T00:00:00Z", "reservationOrderId": commitment.orderId,
                "description": commitment.orderName, "eventType": event.type, "quantity": 1, "amount": event.amount,
                "currency": estate.currency, "reservationOrderName": commitment.name, "armSkuName": "Standard_D2s_v3",
                "term": commitment.term == "12" ? "P1Y" : "P3Y", "region": "eastus",
                "purchasingSubscriptionGuid": subscription.id, "purchasingSubscriptionName": subscription.name,
                "billingFrequency": commitment.billing == .upfront ? "upfront" : "recurring",
            ]
            if modern {
                properties["billingProfileId"] = estate.scope.id
                properties["billingProfileName"] = estate.scope.value(of: "billingProfiles") ?? ""
                properties["invoiceSectionName"] = subscription.invoiceSectionName
            } else {
                properties["purchasingEnrollment"] = estate.billingAccountId
                properties["accountName"] = subscription.accountName
                properties["accountOwnerEmail"] = subscription.accountOwner
                properties["departmentName"] = subscription.invoiceSectionName
                properties["costCenter"] = ""
                properties["currentEnrollment"] = estate.billingAccountId
                properties["billingMonth"] = Int(period.compact)! * 100 + 1
            }
            records.append([
                "id": "\(estate.scope.id)/providers/Microsoft.Consumption/reservationtransactions/\(period.compact)\(c)\(n)",
                "name": "\(period.compact)\(c)\(n)", "type": "Microsoft.Consumption/reservationTransactions",
                "tags": [Any](), "properties": properties,
            ])
        }
        return records
    }

    /// The marketplace purchases of the month, as Consumption `marketplaces` records.
    package func marketplaceCharges() -> [[String: Any]] {
        var records: [[String: Any]] = []
        month.forEachRow(.actualCost) { row in
            guard row.publisherType == "Marketplace" else { return }
            let sub = estate.subscriptions[row.subscription]
            let day = CalendarDate(year: period.year, month: period.month, day: row.day)!
            records.append([
                "id":
                    "\(estate.scope.id)/providers/Microsoft.Billing/billingPeriods/\(period.compact)/providers/Microsoft.Consumption/marketplaces/m\(records.count)",
                "name": "m\(records.count)", "type": "Microsoft.Consumption/marketPlaces",
                "tags": ["app": "security"],
                "properties": [
                    "accountName": sub.accountName, "costCenter": sub.costCenter,
                    "departmentName": sub.invoiceSectionName,
                    "billingPeriodId":
                        "\(estate.scope.id)/providers/Microsoft.Billing/billingPeriods/\(period.compact)",
                    "usageStart": "\(day)T00:00:00Z", "usageEnd": "\(day)T23:59:59Z", "instanceName": row.planName,
                    "instanceId":
                        "/subscriptions/\(sub.id)/resourceGroups/marketplace/providers/Microsoft.SaaS/resources/\(row.planName)",
                    "currency": estate.currency, "consumedQuantity": row.quantity, "pretaxCost": row.cost,
                    "isEstimated": false, "meterId": "00000000-0000-0000-0000-00000000000\(records.count)",
                    "offerName": row.planName, "resourceGroup": "marketplace",
                    "orderNumber":
                        "00000000-0000-0000-\(period.compact.prefix(4))-\(period.compact.suffix(2))00000000\(records.count)",
                    "publisherName": row.publisherName, "planName": row.planName, "resourceRate": row.unitPrice,
                    "subscriptionGuid": sub.id, "subscriptionName": sub.name, "unitOfMeasure": "1 Month",
                    "isRecurringCharge": true,
                ] as [String: Any],
            ])
        }
        return records
    }

    /// The EA balance summary: the monetary commitment and what the month's actual cost used
    /// of it. Utilized plus ServiceOverage is the Azure usage and purchases (everything but
    /// marketplace); AzureMarketplaceServiceCharges the marketplace purchases.
    package func balanceSummary() -> [String: Any] {
        var azure = 0.0, marketplace = 0.0
        month.forEachRow(.actualCost) { row in
            if row.publisherType == "Marketplace" { marketplace += row.cost } else { azure += row.cost }
        }
        let beginning = (azure * 0.8).rounded(toPlaces: 2)
        let utilized = min(azure, beginning)
        let overage = azure - utilized
        return [
            "id":
                "/providers/Microsoft.Billing/billingAccounts/\(estate.billingAccountId)/providers/Microsoft.Billing/billingPeriods/\(period.compact)/providers/Microsoft.Consumption/balances/\(period.compact)",
            "name": period.compact, "type": "Microsoft.Consumption/balances",
            "properties": [
                "currency": estate.currency, "beginningBalance": beginning, "endingBalance": beginning - utilized,
                "newPurchases": 0, "adjustments": 0, "utilized": utilized, "serviceOverage": overage,
                "chargesBilledSeparately": 0, "totalOverage": overage, "totalUsage": azure,
                "azureMarketplaceServiceCharges": marketplace, "billingFrequency": "Month", "priceHidden": false,
                "overageRefund": 0, "newPurchasesDetails": [[String: Any]](), "adjustmentDetails": [[String: Any]](),
            ] as [String: Any],
        ]
    }

    /// The 13 billing periods up to `period`, newest first, as `Microsoft.Billing/billingPeriods`.
    package static func billingPeriods(scope: Scope, upTo period: BillingPeriod) -> [[String: Any]] {
        (0..<13).map { back in
            let p = period.adding(months: -back)
            return [
                "id": "\(scope.id)/providers/Microsoft.Billing/billingPeriods/\(p.compact)",
                "name": p.compact, "type": "Microsoft.Billing/billingPeriods",
                "properties": [
                    "billingPeriodStartDate": p.firstDay.description, "billingPeriodEndDate": p.lastDay.description,
                    "invoiceIds": back == 0 ? [String]() : ["E\(p.compact)0001"],
                ] as [String: Any],
            ]
        }
    }
}
