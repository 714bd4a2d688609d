import CostwhModel

/// The synthetic month as a FOCUS 1.0 cost file, the way Cost Management's FocusCost export
/// writes it and the FinOps toolkit converts actual and amortized data
/// (`docs-mslearn/focus/convert.md`): every amortized row, plus the commitment purchases and
/// refunds of the actual data. BilledCost is what the actual data bills (0 for usage a
/// commitment covered, used or unused); EffectiveCost is the amortized cost (0 for the
/// commitment purchases themselves).
package struct FocusWriter: Sendable {
    package let writer: CostCSVWriter

    /// Fields are taken from the EA spelling of each row, whatever the scope's agreement.
    package init(month: SyntheticMonth) {
        writer = CostCSVWriter(schema: .ea, month: month)
    }

    package static let header = [
        "BilledCost", "EffectiveCost", "ListCost", "ContractedCost", "BillingAccountId", "BillingAccountName",
        "BillingCurrency",
        "BillingPeriodStart", "BillingPeriodEnd", "ChargeCategory", "ChargeClass", "ChargeDescription",
        "ChargeFrequency",
        "ChargePeriodStart", "ChargePeriodEnd", "CommitmentDiscountCategory", "CommitmentDiscountId",
        "CommitmentDiscountName",
        "CommitmentDiscountStatus", "CommitmentDiscountType", "ConsumedQuantity", "ConsumedUnit", "ContractedUnitPrice",
        "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
        "InvoiceIssuerName",
        "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceCategory", "ServiceName",
        "SkuId",
        "SkuPriceId", "SubAccountId", "SubAccountName", "Tags", "x_ResourceGroupName", "x_SkuMeterCategory",
        "x_SkuMeterId",
        "x_SkuMeterName", "x_EffectiveUnitPrice", "x_SkuDescription",
    ]

    /// The whole file, UTF-8 without BOM.
    package func bytes() -> [UInt8] {
        var out = Array(FocusWriter.header.joined(separator: ",").utf8)
        out.append(0x0A)
        forEachRecord { record in
            for (i, field) in record.enumerated() {
                if i > 0 { out.append(0x2C) }
                CostCSVWriter.appendField(field, to: &out)
            }
            out.append(0x0A)
        }
        return out
    }

    /// Calls `body` with each FOCUS record, in `header` order.
    package func forEachRecord(_ body: ([String]) -> Void) {
        let names = writer.header.split(separator: ",").map(String.init)
        let month = writer.month
        month.forEachRow(.amortizedCost) { row in
            body(record(row, names: names, amortized: true))
        }
        month.forEachRow(.actualCost) { row in
            guard ChargeTypes.commitmentPurchases.contains(row.chargeType),
                PricingModels.commitments.contains(row.pricingModel)
            else { return }
            body(record(row, names: names, amortized: false))
        }
    }

    static func object(_ tags: String) -> String {
        tags.isEmpty || tags.hasPrefix("{") ? tags : "{\(tags)}"
    }

    func record(_ row: SyntheticRow, names: [String], amortized: Bool) -> [String] {
        let fields = Dictionary(zip(names, writer.fields(row)), uniquingKeysWith: { a, _ in a })
        func f(_ name: String) -> String { fields[name] ?? "" }
        let cost = CostCSVWriter.number(row.cost, long: row.longDecimals)
        let committed = PricingModels.commitments.contains(row.pricingModel)
        let covered = committed && (row.chargeType == "Usage" || row.chargeType.hasPrefix("Unused"))
        let purchase = ChargeTypes.commitmentPurchases.contains(row.chargeType) && committed
        let billed = covered ? "0" : cost
        let effective = amortized ? cost : (purchase ? "0" : cost)
        let category: String
        switch row.chargeType {
        case "Usage", "UnusedReservation", "UnusedSavingsPlan": category = "Usage"
        case "Purchase", "Refund": category = "Purchase"
        case "Credit", "Tax": category = row.chargeType
        default: category = "Adjustment"
        }
        let isSavingsPlan = row.pricingModel == "SavingsPlan"
        let period = writer.month.period
        let day = row.day < 10 ? "0\(row.day)" : "\(row.day)"
        let start = "\(period.description)-\(day)T00:00:00Z"
        let pricing: String
        switch row.pricingModel {
        case "OnDemand": pricing = "Standard"
        case "Spot": pricing = "Dynamic"
        case "Reservation", "SavingsPlan": pricing = "Committed"
        default: pricing = ""
        }
        let payg = row.payGPrice * row.quantity
        return [
            billed, effective, payg == 0 ? "" : CostCSVWriter.number(payg, long: false),
            CostCSVWriter.number(row.unitPrice * row.quantity, long: false),
            f("BillingAccountId"), f("BillingAccountName"), f("BillingCurrency"),
            "\(period.firstDay)T00:00:00Z", "\(period.adding(months: 1).firstDay)T00:00:00Z",
            category, row.chargeType == "Refund" ? "Correction" : "",
            row.chargeType == "RoundingAdjustment" ? "Rounding adjustment" : f("Product"),
            row.frequency == "UsageBased" ? "Usage-Based" : row.frequency == "OneTime" ? "One-Time" : row.frequency,
            start, start,
            committed ? (isSavingsPlan ? "Spend" : "Usage") : "", committed ? f("benefitId") : "",
            committed ? f("benefitName") : "",
            committed
                ? (row.chargeType.hasPrefix("Unused") ? "Unused" : (row.chargeType == "Usage" ? "Used" : "")) : "",
            committed ? (isSavingsPlan ? "Savings Plan" : "Reservation") : "",
            row.chargeType == "Usage" ? f("Quantity") : "", row.chargeType == "Usage" ? f("UnitOfMeasure") : "",
            f("UnitPrice"), f("PayGPrice"), pricing, f("Quantity"), f("UnitOfMeasure"),
            "Microsoft", f("PublisherName").isEmpty ? "Microsoft" : f("PublisherName"), "Microsoft",
            f("ResourceLocation").lowercased().filter { $0 != " " }, f("ResourceLocation"), f("ResourceId"),
            f("ResourceName"), "",
            f("ServiceFamily"), f("MeterCategory"), "", "",
            "/subscriptions/\(f("SubscriptionId"))", f("SubscriptionName"), FocusWriter.object(f("Tags")),
            f("ResourceGroup"), f("MeterCategory"), f("MeterId"), f("MeterName"), f("EffectivePrice"), f("Product"),
        ]
    }
}
