import CostwhModel
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Writes synthetic rows in the exact header and spelling of a real schema.
package struct CostCSVWriter: Sendable {
    package enum Schema: String, Sendable, CaseIterable {
        /// EA Cost Details / Usage Details v2 (reference §5.1).
        case ea
        /// MCA Cost Details and Exports (reference §5.3).
        case mca
    }

    package let schema: Schema
    package let month: SyntheticMonth

    package init(schema: Schema, month: SyntheticMonth) {
        self.schema = schema
        self.month = month
    }

    /// A writer in the schema the scope's agreement uses.
    package init(month: SyntheticMonth) {
        self.init(schema: month.estate.scope.agreement == .customerAgreement ? .mca : .ea, month: month)
    }

    package static let eaHeader =
        "BillingAccountId,BillingAccountName,BillingPeriodStartDate,BillingPeriodEndDate,BillingProfileId,BillingProfileName,AccountOwnerId,AccountName,SubscriptionId,SubscriptionName,Date,Product,PartNumber,MeterId,ServiceFamily,MeterCategory,MeterSubCategory,MeterRegion,MeterName,Quantity,EffectivePrice,Cost,UnitPrice,BillingCurrency,ResourceLocation,AvailabilityZone,ConsumedService,ResourceId,ResourceName,ServiceInfo1,ServiceInfo2,AdditionalInfo,Tags,InvoiceSectionId,InvoiceSection,CostCenter,UnitOfMeasure,ResourceGroup,ReservationId,ReservationName,ProductOrderId,ProductOrderName,OfferId,IsAzureCreditEligible,Term,PublisherName,PlanName,ChargeType,Frequency,PublisherType,PayGPrice,PricingModel,CostAllocationRuleName,benefitId,benefitName"

    package static let mcaHeader =
        "invoiceId,previousInvoiceId,billingAccountId,billingAccountName,billingProfileId,billingProfileName,invoiceSectionId,invoiceSectionName,resellerName,resellerMpnId,costCenter,billingPeriodEndDate,billingPeriodStartDate,servicePeriodEndDate,servicePeriodStartDate,date,serviceFamily,productOrderId,productOrderName,consumedService,meterId,meterName,meterCategory,meterSubCategory,meterRegion,ProductId,ProductName,SubscriptionId,subscriptionName,publisherType,publisherId,publisherName,resourceGroupName,ResourceId,resourceLocation,location,effectivePrice,quantity,unitOfMeasure,chargeType,billingCurrency,pricingCurrency,costInBillingCurrency,costInPricingCurrency,costInUsd,paygCostInBillingCurrency,paygCostInUsd,exchangeRatePricingToBilling,exchangeRateDate,isAzureCreditEligible,serviceInfo1,serviceInfo2,additionalInfo,tags,PayGPrice,frequency,term,reservationId,reservationName,pricingModel,unitPrice,costAllocationRuleName,benefitId,benefitName,provider"

    package var header: String { schema == .ea ? CostCSVWriter.eaHeader : CostCSVWriter.mcaHeader }

    /// Writes the whole file (BOM, header, rows) to `sink` in chunks of about 1 MiB.
    package func write(
        _ metric: Metric, bom: Bool = true, days: ClosedRange<Int>? = nil,
        to sink: (UnsafeRawBufferPointer) throws -> Void
    ) rethrows {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 21)
        if bom { out += [0xEF, 0xBB, 0xBF] }
        out += Array(header.utf8)
        out.append(0x0A)
        try month.forEachRow(metric) { row in
            if let days, !days.contains(row.day) { return }
            append(row, metric: metric, to: &out)
            if out.count >= 1 << 20 {
                try out.withUnsafeBytes(sink)
                out.removeAll(keepingCapacity: true)
            }
        }
        try out.withUnsafeBytes(sink)
    }

    /// The file as bytes; for small months.
    package func bytes(_ metric: Metric, days: ClosedRange<Int>? = nil) -> [UInt8] {
        var all: [UInt8] = []
        write(metric, days: days) { all.append(contentsOf: $0) }
        return all
    }

    /// The file split into `count` blobs at row boundaries, each a complete CSV with its
    /// own header, as Azure splits large reports.
    package func blobs(_ metric: Metric, days: ClosedRange<Int>? = nil, count: Int) -> [[UInt8]] {
        let all = bytes(metric, days: days)
        let headerEnd = (all.firstIndex(of: 0x0A) ?? all.count - 1) + 1
        let header = Array(all[0..<headerEnd])
        let body = all[headerEnd...]
        let parts = max(1, count)
        var blobs: [[UInt8]] = []
        var start = body.startIndex
        for i in 0..<parts {
            var end = i == parts - 1 ? body.endIndex : min(body.endIndex, start + body.count / parts)
            while end < body.endIndex && end > start && body[end - 1] != 0x0A { end += 1 }
            blobs.append(header + body[start..<end])
            start = end
        }
        return blobs
    }

    /// Writes the file to `path`; returns its size in bytes.
    @discardableResult
    package func write(_ metric: Metric, toFile path: String) throws -> Int {
        guard let file = fopen(path, "wb") else { throw WriterError.cannotCreate(path) }
        defer { fclose(file) }
        var total = 0
        try write(metric) { chunk in
            guard fwrite(chunk.baseAddress, 1, chunk.count, file) == chunk.count else {
                throw WriterError.cannotCreate(path)
            }
            total += chunk.count
        }
        return total
    }

    package enum WriterError: Error, CustomStringConvertible {
        case cannotCreate(String)
        package var description: String {
            switch self {
            case .cannotCreate(let path): return "cannot write \(path)"
            }
        }
    }

    func date(_ day: Int, mdy: Bool = true) -> String {
        let p = month.period
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : String(v) }
        return "\(two(p.month))/\(two(day))/\(p.year)"
    }

    static func number(_ v: Double, long: Bool) -> String {
        if v == 0 { return "0" }
        if long && abs(v) >= 1e-4 {
            // Real files print up to 28 decimals with trailing zeros.
            var s = String(format: "%.18f", v)
            s += "0000000000"
            return s
        }
        let s = String(v)
        return s
    }

    func append(_ row: SyntheticRow, metric: Metric, to out: inout [UInt8]) {
        for (i, field) in fields(row).enumerated() {
            if i > 0 { out.append(0x2C) }
            CostCSVWriter.appendField(field, to: &out)
        }
        out.append(0x0A)
    }

    /// The row's values in the order of `header`.
    package func fields(_ row: SyntheticRow) -> [String] {
        let e = month.estate
        let sub = e.subscriptions[row.subscription]
        let meter = e.meters[row.meter]
        let resource = row.resource.map { e.resources[$0] }
        let commitment = row.commitment.map { e.commitments[$0] }
        let isPurchase = row.chargeType == "Purchase" || row.chargeType == "Refund"
        let isCommitmentRow = commitment != nil && (isPurchase || row.chargeType.hasPrefix("Unused"))
        let p = month.period
        let cost = CostCSVWriter.number(row.cost, long: row.longDecimals)
        var additionalInfo = resource?.additionalInfo ?? ""
        if let consumed = row.consumedQuantity, let commitment, additionalInfo.hasPrefix("{") {
            additionalInfo.removeLast()
            additionalInfo += ",\"ConsumedQuantity\":\(consumed),\"ReservationId\":\"\(commitment.id)\"}"
        }
        let productName =
            isCommitmentRow
            ? commitment!.orderName
            : (row.publisherType == "Marketplace" ? "\(row.publisherName) - \(row.planName)" : meter.product)
        let resourceId: String
        if isCommitmentRow {
            resourceId =
                commitment!.kind == .reservation
                ? "/providers/Microsoft.Capacity/reservationOrders/\(commitment!.orderId)/reservations/\(isPurchase ? "" : commitment!.id)"
                : "/providers/Microsoft.BillingBenefits/savingsPlanOrders/\(commitment!.orderId)/savingsPlans/\(commitment!.id)"
        } else {
            resourceId = resource?.id ?? ""
        }
        var fields: [String]
        switch schema {
        case .ea:
            let tags = resource?.tags ?? ""
            fields = [
                e.billingAccountId, e.billingAccountName, date(1), date(p.daysInMonth), e.billingProfileId,
                e.billingProfileName,
                sub.accountOwner, sub.accountName, sub.id, sub.name, date(row.day), productName, meter.partNumber,
                meter.id,
                meter.family, meter.category, meter.subCategory, meter.region, meter.name,
                CostCSVWriter.number(row.quantity, long: false), CostCSVWriter.number(row.effectivePrice, long: false),
                cost,
                CostCSVWriter.number(row.unitPrice, long: false), e.currency, resource?.location ?? "",
                resource?.zone ?? "",
                isCommitmentRow
                    ? (commitment!.kind == .reservation ? "Microsoft.Capacity" : "Microsoft.BillingBenefits")
                    : meter.consumedService,
                resourceId, resource?.name ?? "", "", "", additionalInfo, tags, sub.invoiceSectionId,
                sub.invoiceSectionName,
                sub.costCenter, meter.unit, resource?.group ?? "",
                commitment?.kind == .reservation ? commitment!.orderId : "",
                commitment?.kind == .reservation ? commitment!.name : "", commitment?.orderId ?? "",
                commitment?.orderName ?? "",
                "MS-AZR-0017P", "True", commitment?.term ?? "", row.publisherName, row.planName, row.chargeType,
                row.frequency,
                row.publisherType, CostCSVWriter.number(row.payGPrice, long: false), row.pricingModel, "",
                commitment?.benefitId ?? "", commitment?.name ?? "",
            ]
        case .mca:
            let tags = resource.map { $0.tags.isEmpty ? "" : "{\($0.tags)}" } ?? ""
            let exchange = 0.9187
            let costUSD = row.cost / exchange
            fields = [
                "", "", e.billingAccountId, e.billingAccountName, e.billingProfileId, e.billingProfileName,
                sub.invoiceSectionId,
                sub.invoiceSectionName, "", "", sub.costCenter, date(p.daysInMonth), date(1), date(p.daysInMonth),
                date(1),
                date(row.day), meter.family, commitment?.orderId ?? "9e8e7ee3-d886-4f18-d3b5-410387f5924d",
                commitment?.orderName ?? "Azure plan",
                isCommitmentRow
                    ? (commitment!.kind == .reservation ? "Microsoft.Capacity" : "Microsoft.BillingBenefits")
                    : meter.consumedService.lowercased(),
                meter.id, meter.name, meter.category, meter.subCategory, meter.region, meter.partNumber, productName,
                sub.id, sub.name,
                row.publisherType == "Azure" ? "Microsoft" : row.publisherType, "", row.publisherName,
                resource?.group ?? "",
                resourceId, resource?.location ?? "", meter.region,
                // MCA prices are in the pricing currency (USD), costs in the billing currency.
                CostCSVWriter.number(row.effectivePrice / exchange, long: false),
                CostCSVWriter.number(row.quantity, long: false), meter.unit, row.chargeType, e.currency, "USD", cost,
                CostCSVWriter.number(costUSD, long: false), CostCSVWriter.number(costUSD, long: false),
                CostCSVWriter.number(row.payGPrice * row.quantity, long: false),
                CostCSVWriter.number(row.payGPrice * row.quantity / exchange, long: false), String(exchange), date(1),
                "True", "", "",
                additionalInfo, tags, CostCSVWriter.number(row.payGPrice / exchange, long: false), row.frequency,
                commitment?.term ?? "",
                commitment?.kind == .reservation ? commitment!.id : "",
                commitment?.kind == .reservation ? commitment!.name : "",
                row.pricingModel, CostCSVWriter.number(row.unitPrice / exchange, long: false), "",
                commitment?.benefitId ?? "",
                commitment?.name ?? "", "Azure",
            ]
        }
        return fields
    }

    static func appendField(_ field: String, to out: inout [UInt8]) { CSVEscaping.append(field, to: &out) }
}
