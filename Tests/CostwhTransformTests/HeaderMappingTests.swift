import CostwhModel
import Testing

@testable import CostwhTransform

@Suite struct HeaderMappingTests {
    static func split(_ header: String) -> [String] {
        header.split(separator: ",", omittingEmptySubsequences: false).map {
            String($0).trimmingCharacters(in: "\"")
        }
    }

    func column(_ mapping: HeaderMapping, _ name: String) -> String? {
        let field = mapping.fieldOfColumn[Catalog.index[name]!]
        return field >= 0 ? mapping.headers[field] : nil
    }

    @Test(arguments: ReferenceHeaders.all.map(\.name))
    func everyReferenceHeaderIsRecognised(name: String) {
        let header = ReferenceHeaders.all.first { $0.name == name }!.header
        let mapping = HeaderMapping(headers: Self.split(header))
        #expect(mapping.isRecognised, "missing: \(mapping.missing)")
        // Each canonical column comes from one field at most.
        let mapped = mapping.targets.compactMap { if case .column(let c) = $0 { return c } else { return nil } }
        #expect(Set(mapped).count == mapped.count)
    }

    @Test(
        arguments: [
            ("eaUsageDetailsV2", "Cost", "BillingCurrency", "Product", "InvoiceSection"),
            ("eaExports2021_01", "CostInBillingCurrency", "BillingCurrencyCode", "ProductName", "InvoiceSectionName"),
            ("eaExports2021_10", "CostInBillingCurrency", "BillingCurrencyCode", "ProductName", "InvoiceSectionName"),
            ("mca", "costInBillingCurrency", "billingCurrency", "ProductName", "invoiceSectionName"),
            ("mpa", "costInBillingCurrency", "billingCurrency", "product", "invoiceSectionName"),
            ("managementGroup", "PreTaxCost", "Currency", "ProductName", "DepartmentName"),
            ("legacyEAv1", "ExtendedCost", nil, "Product", "Department Name"),
        ] as [(String, String, String?, String, String)])
    func aliasesResolve(name: String, cost: String, currency: String?, product: String, section: String) {
        let header = ReferenceHeaders.all.first { $0.name == name }!.header
        let mapping = HeaderMapping(headers: Self.split(header))
        #expect(column(mapping, "CostInBillingCurrency") == cost)
        #expect(column(mapping, "BillingCurrency") == currency)
        #expect(column(mapping, "ProductName") == product)
        #expect(column(mapping, "InvoiceSectionName") == section)
    }

    @Test func allEANamesMapWithoutExtras() {
        for name in [
            "eaUsageDetailsV2", "eaExports2021_01", "eaExports2021_10", "eaExports2024_08", "mca", "mpa", "payAsYouGo",
            "managementGroup",
        ] {
            let header = ReferenceHeaders.all.first { $0.name == name }!.header
            let mapping = HeaderMapping(headers: Self.split(header))
            let extras = mapping.targets.compactMap { if case .extra(let n) = $0 { return n } else { return nil } }
            #expect(extras.isEmpty, "\(name) left \(extras) unmapped")
        }
    }

    @Test func payAsYouGoAndLegacyNames() {
        let payg = HeaderMapping(headers: Self.split(ReferenceHeaders.payAsYouGo))
        #expect(column(payg, "Date") == "UsageDateTime")
        #expect(column(payg, "SubscriptionId") == "SubscriptionGuid")
        #expect(column(payg, "ResourceId") == "InstanceId")
        #expect(column(payg, "Quantity") == "UsageQuantity")
        #expect(column(payg, "MeterSubCategory") == "MeterSubcategory")

        let v1 = HeaderMapping(headers: Self.split(ReferenceHeaders.legacyEAv1))
        // The GUID wins over the legacy numeric SubscriptionId, which is kept as an extra.
        #expect(column(v1, "SubscriptionId") == "SubscriptionGuid")
        #expect(column(v1, "ResourceId") == "Instance ID")
        #expect(column(v1, "MeterSubCategory") == "Meter Sub-Category")
        #expect(column(v1, "Quantity") == "Consumed Quantity")
        let extras = v1.targets.compactMap { if case .extra(let n) = $0 { return n } else { return nil } }
        #expect(extras.sorted() == ["Day", "Month", "SubscriptionId", "Year"])
    }

    @Test func mcaCasingTraps() {
        let mca = HeaderMapping(headers: Self.split(ReferenceHeaders.mca))
        #expect(column(mca, "ResourceGroup") == "resourceGroupName")
        #expect(column(mca, "PayGPrice") == "PayGPrice")
        #expect(column(mca, "Location") == "location")
        #expect(column(mca, "ResourceLocation") == "resourceLocation")
        #expect(column(mca, "ExchangeRatePricingToBilling") == "exchangeRatePricingToBilling")
    }

    @Test func localisedHeadersUseTheNameInParentheses() {
        let mapping = HeaderMapping(headers: [
            "日期(Date)", "扩展的成本(ExtendedCost)", "资源组(Resource Group)", "其他(Something)",
        ])
        #expect(mapping.isRecognised)
        #expect(column(mapping, "Date") == "日期(Date)")
        #expect(column(mapping, "CostInBillingCurrency") == "扩展的成本(ExtendedCost)")
        #expect(column(mapping, "ResourceGroup") == "资源组(Resource Group)")
        #expect(mapping.targets[3] == .extra("其他(Something)"))
    }

    @Test func unknownAndDuplicateColumnsBecomeDistinctExtras() {
        let mapping = HeaderMapping(headers: ["Date", "Cost", "Cost", "Custom", "Custom"])
        #expect(mapping.targets[0] == .column(Catalog.index["Date"]!))
        #expect(mapping.targets[1] == .column(Catalog.index["CostInBillingCurrency"]!))
        #expect(mapping.targets[2] == .extra("Cost"))
        #expect(mapping.targets[3] == .extra("Custom"))
        #expect(mapping.targets[4] == .extra("Custom (2)"))
    }

    @Test func missingColumnsAreNamed() {
        let mapping = HeaderMapping(headers: ["SubscriptionId", "MeterName"])
        #expect(!mapping.isRecognised)
        #expect(mapping.missing.count == 2)
        #expect(mapping.missing[0].hasPrefix("Date"))
        #expect(mapping.missing[0].contains("usagedatetime"))
        #expect(mapping.missing[1].hasPrefix("CostInBillingCurrency"))
        #expect(mapping.missing[1].contains("pretaxcost"))
    }
}

@Suite struct FocusHeaderTests {
    static let v10 = [
        "BilledCost", "EffectiveCost", "ChargePeriodStart", "ChargeCategory", "ChargeClass", "CommitmentDiscountStatus",
        "ConsumedQuantity", "RegionId", "x_InvoiceId", "x_PricingCurrency", "x_SkuMeterName", "SubAccountId",
        "x_ResourceGroupName",
    ]

    @Test(arguments: [
        (v10, "1.0"),
        (
            [
                "BilledCost", "EffectiveCost", "ChargePeriodStart", "ChargeCategory", "InvoiceId", "PricingCurrency",
                "SkuMeter", "x_SkuDetails",
            ], "1.2-preview"
        ),
        (
            [
                "BilledCost", "EffectiveCost", "ChargePeriodStart", "ChargeCategory", "InvoiceId", "PricingCurrency",
                "SkuMeter", "SkuPriceDetails",
            ], "1.2"
        ),
        (
            [
                "BilledCost", "EffectiveCost", "ChargePeriodStart", "ChargeCategory", "ChargeSubcategory",
                "UsageQuantity", "Region",
            ], "1.0-preview"
        ),
    ])
    func theVersionIsToldByTheColumns(headers: [String], version: String) {
        let mapping = HeaderMapping(headers: headers)
        #expect(mapping.schema == .focus(version: version))
        #expect(mapping.isRecognised)
    }

    @Test func focusNamesMapOntoCostManagementColumnsInBothSpellings() {
        let old = HeaderMapping(headers: FocusHeaderTests.v10)
        let new = HeaderMapping(headers: [
            "BilledCost", "EffectiveCost", "ChargePeriodStart", "InvoiceId", "PricingCurrency", "SkuMeter",
        ])
        func field(_ m: HeaderMapping, _ column: String) -> String? {
            let f = m.fieldOfColumn[Catalog.index[column]!]
            return f >= 0 ? m.headers[f] : nil
        }
        #expect(field(old, "Date") == "ChargePeriodStart")
        #expect(field(old, "SubscriptionId") == "SubAccountId")
        #expect(field(old, "ResourceGroup") == "x_ResourceGroupName")
        #expect(field(old, "InvoiceId") == "x_InvoiceId" && field(new, "InvoiceId") == "InvoiceId")
        #expect(
            field(old, "PricingCurrency") == "x_PricingCurrency" && field(new, "PricingCurrency") == "PricingCurrency")
        #expect(field(old, "MeterName") == "x_SkuMeterName" && field(new, "MeterName") == "SkuMeter")
        // A cost-details file is not FOCUS, and its ChargePeriodStart-like names mean nothing.
        #expect(HeaderMapping(headers: ["Date", "Cost", "SubAccountId"]).schema == .costDetails)
        #expect(field(HeaderMapping(headers: ["Date", "Cost", "SubAccountId"]), "SubscriptionId") == nil)
    }
}
