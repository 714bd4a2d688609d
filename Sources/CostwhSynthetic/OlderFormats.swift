import CostwhModel
import Foundation

/// The same synthetic rows in the shapes of the older APIs: Consumption `usageDetails`
/// records (kind `legacy` for EA scopes, `modern` for MCA), EA Reporting v2 JSON records,
/// and the EA Reporting v3 CSV download (old "v1" columns, with preamble lines).
package struct OlderFormats: Sendable {
    package let writer: CostCSVWriter

    package init(month: SyntheticMonth) {
        writer = CostCSVWriter(month: month)
    }

    var headerNames: [String] { writer.header.split(separator: ",").map(String.init) }

    static let numeric: Set<String> = [
        "quantity", "effectiveprice", "cost", "unitprice", "paygprice", "costinbillingcurrency",
        "costinpricingcurrency", "costinusd",
        "paygcostinbillingcurrency", "paygcostinusd", "exchangeratepricingtobilling",
    ]
    static let dates: Set<String> = [
        "date", "billingperiodstartdate", "billingperiodenddate", "serviceperiodstartdate", "serviceperiodenddate",
        "exchangeratedate",
    ]

    /// `MM/dd/yyyy` → ISO timestamp, as the JSON APIs write dates.
    static func isoTimestamp(_ mdy: String) -> String {
        let parts = mdy.split(separator: "/")
        guard parts.count == 3 else { return mdy }
        return "\(parts[2])-\(parts[0])-\(parts[1])T00:00:00.0000000Z"
    }

    /// One row as a Consumption usageDetails record.
    package func usageDetailsRecord(_ row: SyntheticRow, id: Int) -> [String: Any] {
        let names = headerNames
        let values = writer.fields(row)
        let modern = writer.schema == .mca
        var properties: [String: Any] = [:]
        var tags: [String: Any]?
        let renames: [String: String] =
            modern
            ? [
                "SubscriptionId": "subscriptionGuid", "ResourceId": "instanceName",
                "resourceGroupName": "resourceGroup", "billingCurrency": "billingCurrencyCode",
                "ProductName": "product", "ProductId": "productIdentifier", "pricingCurrency": "pricingCurrencyCode",
                "PayGPrice": "marketPrice",
                // Azure's ModernUsageDetail model spells these so (consumption 2023-05-01).
                "costInUsd": "costInUSD", "paygCostInUsd": "paygCostInUSD", "location": "resourceLocationNormalized",
            ]
            : [:]
        for (name, value) in zip(names, values) {
            let lower = name.lowercased()
            if lower == "tags" {
                if !value.isEmpty {
                    let text = value.hasPrefix("{") ? value : "{\(value)}"
                    tags = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
                }
                continue
            }
            var key = renames[name] ?? name
            key = key.prefix(1).lowercased() + key.dropFirst()
            if value.isEmpty {
                properties[key] = lower == "additionalinfo" ? nil : ""
                continue
            }
            if OlderFormats.numeric.contains(lower) {
                properties[key] = Double(value) ?? 0
            } else if OlderFormats.dates.contains(lower) {
                properties[key] = OlderFormats.isoTimestamp(value)
            } else if lower == "isazurecrediteligible" {
                properties[key] = value == "True"
            } else {
                properties[key] = value
            }
        }
        // Only what Azure's models carry (consumption 2023-05-01: LegacyUsageDetailProperties,
        // ModernUsageDetailProperties, as the SDK and the specification define them); a legacy
        // record's meter fields come nested in `meterDetails`.
        let allowed = modern ? OlderFormats.modernProperties : OlderFormats.legacyProperties
        if !modern {
            var meter: [String: Any] = [:]
            for key in ["meterName", "meterCategory", "meterSubCategory", "unitOfMeasure", "serviceFamily"] {
                if let value = properties[key] { meter[key] = value }
            }
            if let section = properties["invoiceSectionName"] { properties["invoiceSection"] = section }
            if !meter.isEmpty { properties["meterDetails"] = meter }
        }
        properties = properties.filter { allowed.contains($0.key) }
        let scope = writer.month.estate.scope.id
        var record: [String: Any] = [
            "id": "\(scope)/providers/Microsoft.Consumption/usageDetails/usageDetails_\(id)",
            "name": "usageDetails_\(id)",
            "type": "Microsoft.Consumption/usageDetails", "kind": modern ? "modern" : "legacy",
            "properties": properties,
        ]
        if let tags { record["tags"] = tags }
        return record
    }

    /// The properties of Azure's legacy (EA) usage detail record, consumption 2023-05-01.
    static let legacyProperties: Set<String> = [
        "accountName", "accountOwnerId", "additionalInfo", "benefitId", "benefitName", "billingAccountId",
        "billingAccountName", "billingCurrency", "billingPeriodEndDate", "billingPeriodStartDate", "billingProfileId",
        "billingProfileName", "chargeType", "consumedService", "cost", "costCenter", "date", "effectivePrice",
        "frequency", "invoiceSection", "isAzureCreditEligible", "meterDetails", "meterId", "offerId", "partNumber",
        "payGPrice", "planName", "pricingModel", "product", "productOrderId", "productOrderName", "publisherName",
        "publisherType", "quantity", "reservationId", "reservationName", "resourceGroup", "resourceId",
        "resourceLocation", "resourceName", "serviceInfo1", "serviceInfo2", "subscriptionId", "subscriptionName",
        "term", "unitPrice",
    ]

    /// The properties of Azure's modern (MCA) usage detail record, consumption 2023-05-01.
    static let modernProperties: Set<String> = [
        "additionalInfo", "benefitId", "benefitName", "billingAccountId", "billingAccountName", "billingCurrencyCode",
        "billingPeriodEndDate", "billingPeriodStartDate", "billingProfileId", "billingProfileName", "chargeType",
        "consumedService", "costAllocationRuleName", "costCenter", "costInBillingCurrency", "costInPricingCurrency",
        "costInUSD", "customerName", "customerTenantId", "date", "effectivePrice", "exchangeRate", "exchangeRateDate",
        "exchangeRatePricingToBilling", "frequency", "instanceName", "invoiceId", "invoiceSectionId",
        "invoiceSectionName", "isAzureCreditEligible", "marketPrice", "meterCategory", "meterId",
        "meterName", "meterRegion", "meterSubCategory", "partnerEarnedCreditApplied", "partnerEarnedCreditRate",
        "partnerName", "partnerTenantId", "payGPrice", "paygCostInBillingCurrency", "paygCostInUSD", "previousInvoiceId",
        "pricingCurrencyCode", "pricingModel", "product", "productIdentifier", "productOrderId", "productOrderName",
        "provider", "publisherId", "publisherName", "publisherType", "quantity", "resellerMpnId", "resellerName",
        "reservationId", "reservationName", "resourceGroup", "resourceLocation", "resourceLocationNormalized",
        "serviceFamily", "serviceInfo1", "serviceInfo2", "servicePeriodEndDate", "servicePeriodStartDate",
        "subscriptionGuid", "subscriptionName", "term", "unitOfMeasure", "unitPrice",
    ]

    /// The v1 columns of the EA Reporting CSV download (reference §5.5).
    package static let eaV1Header =
        #""AccountOwnerId","Account Name","ServiceAdministratorId","SubscriptionId","SubscriptionGuid","Subscription Name","Date","Month","Day","Year","Product","Meter ID","Meter Category","Meter Sub-Category","Meter Region","Meter Name","Consumed Quantity","ResourceRate","ExtendedCost","Resource Location","Consumed Service","Instance ID","ServiceInfo1","ServiceInfo2","AdditionalInfo","Tags","Store Service Identifier","Department Name","Cost Center","Unit Of Measure","Resource Group""#

    /// EA v2 names by v1 column.
    static let eaV1Sources = [
        "AccountOwnerId": "AccountOwnerId", "Account Name": "AccountName", "SubscriptionGuid": "SubscriptionId",
        "Subscription Name": "SubscriptionName",
        "Date": "Date", "Product": "Product", "Meter ID": "MeterId", "Meter Category": "MeterCategory",
        "Meter Sub-Category": "MeterSubCategory",
        "Meter Region": "MeterRegion", "Meter Name": "MeterName", "Consumed Quantity": "Quantity",
        "ResourceRate": "EffectivePrice", "ExtendedCost": "Cost",
        "Resource Location": "ResourceLocation", "Consumed Service": "ConsumedService", "Instance ID": "ResourceId",
        "ServiceInfo1": "ServiceInfo1",
        "ServiceInfo2": "ServiceInfo2", "AdditionalInfo": "AdditionalInfo", "Tags": "Tags",
        "Department Name": "InvoiceSection", "Cost Center": "CostCenter",
        "Unit Of Measure": "UnitOfMeasure", "Resource Group": "ResourceGroup",
    ]

    /// The EA Reporting v3 CSV download of the actual cost: two preamble lines, quoted v1 header.
    package func eaV1CSV(enrollment: String) -> [UInt8] {
        var out = Array("Usage Data Extract,\nEnrollment Number: \(enrollment),\n".utf8)
        out += Array(OlderFormats.eaV1Header.utf8)
        out.append(0x0A)
        let names = headerNames
        let v1 = OlderFormats.eaV1Header.split(separator: ",").map { String($0.dropFirst().dropLast()) }
        writer.month.forEachRow(.actualCost) { row in
            let fields = Dictionary(uniqueKeysWithValues: zip(names, writer.fields(row)))
            let date = fields["Date"] ?? ""
            let parts = date.split(separator: "/").map(String.init)
            let values = v1.map { column -> String in
                switch column {
                case "Month": return parts.count == 3 ? parts[0] : ""
                case "Day": return parts.count == 3 ? parts[1] : ""
                case "Year": return parts.count == 3 ? parts[2] : ""
                case "SubscriptionId": return "1234567"
                case "ServiceAdministratorId", "Store Service Identifier": return ""
                default: return fields[OlderFormats.eaV1Sources[column] ?? ""] ?? ""
                }
            }
            for (i, value) in values.enumerated() {
                if i > 0 { out.append(0x2C) }
                out.append(0x22)
                for b in value.utf8 {
                    if b == 0x22 { out.append(0x22) }
                    out.append(b)
                }
                out.append(0x22)
            }
            out.append(0x0A)
        }
        return out
    }

    /// One actual-cost row as an EA Reporting v2 JSON record.
    package func eaV2Record(_ row: SyntheticRow) -> [String: Any] {
        let fields = Dictionary(uniqueKeysWithValues: zip(headerNames, writer.fields(row)))
        func number(_ name: String) -> Double { Double(fields[name] ?? "") ?? 0 }
        return [
            "accountOwnerEmail": fields["AccountOwnerId"] ?? "", "accountName": fields["AccountName"] ?? "",
            "subscriptionId": 1234567,
            "subscriptionGuid": fields["SubscriptionId"] ?? "", "subscriptionName": fields["SubscriptionName"] ?? "",
            "date": OlderFormats.isoTimestamp(fields["Date"] ?? ""), "product": fields["Product"] ?? "",
            "meterId": fields["MeterId"] ?? "",
            "meterCategory": fields["MeterCategory"] ?? "", "meterSubCategory": fields["MeterSubCategory"] ?? "",
            "meterRegion": fields["MeterRegion"] ?? "",
            "meterName": fields["MeterName"] ?? "", "consumedQuantity": number("Quantity"),
            "resourceRate": number("EffectivePrice"), "cost": number("Cost"),
            "resourceLocation": fields["ResourceLocation"] ?? "", "consumedService": fields["ConsumedService"] ?? "",
            "instanceId": fields["ResourceId"] ?? "",
            "serviceInfo1": fields["ServiceInfo1"] ?? "", "serviceInfo2": fields["ServiceInfo2"] ?? "",
            "additionalInfo": fields["AdditionalInfo"] ?? "",
            "tags": fields["Tags"] ?? "", "departmentName": fields["InvoiceSection"] ?? "",
            "costCenter": fields["CostCenter"] ?? "",
            "unitOfMeasure": fields["UnitOfMeasure"] ?? "", "resourceGroup": fields["ResourceGroup"] ?? "",
            "departmentId": 100, "accountId": 42,
        ]
    }

    /// One v1 record, in the fields seed 003 lists: v2's plus the enrollment, numeric ids and
    /// `extendedCost` (the same amount as `cost`) and `storeServiceIdentifier`.
    package func eaV1Record(_ row: SyntheticRow, enrollment: String) -> [String: Any] {
        var record = eaV2Record(row)
        record["enrollmentNumber"] = enrollment
        record["extendedCost"] = record["cost"]
        record["productId"] = 3000 + row.meter
        record["resourceLocationId"] = 7
        record["consumedServiceId"] = 11
        record["serviceAdministratorId"] = ""
        record["storeServiceIdentifier"] = ""
        return record
    }
}
