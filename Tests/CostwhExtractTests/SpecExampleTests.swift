import CostwhBytes
import CostwhModel
import CostwhTestSupport
import CostwhTransform
import Foundation
import NIOHTTP1
import Testing

@testable import CostwhExtract

/// The Azure REST API specification's own examples, read by the real clients' decoders: if
/// the service answers as its spec says, costwh understands it.
@Suite struct SpecExampleTests {
    static func example(_ name: String) throws -> [String: Any] {
        let url = URL(fileURLWithPath: fixture("api-responses/\(name)"))
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    static func body(_ example: [String: Any], status: String) throws -> (object: [String: Any], bytes: [UInt8]) {
        let responses = try #require(example["responses"] as? [String: Any])
        let response = try #require(responses[status] as? [String: Any])
        let body = try #require(response["body"] as? [String: Any])
        return (body, Array(try JSONSerialization.data(withJSONObject: body)))
    }

    @Test(arguments: [
        "spec-2022-05-01-CostDetailsOperationResultsBySubscriptionScope.json",
        "spec-2022-05-01-CostDetailsOperationStatusBySubscriptionScope-draft.json",
        "spec-2023-11-01-GenerateCostDetailsReportByBillingAccountEnterpriseAgreementCustomerAndBillingPeriod.json",
    ])
    func costDetailsStatusExamplesDecode(name: String) throws {
        let (object, bytes) = try SpecExampleTests.body(try SpecExampleTests.example(name), status: "200")
        let manifest = try #require(object["manifest"] as? [String: Any])
        let blobs = try #require(manifest["blobs"] as? [[String: Any]])
        let outcome = try CostDetailsClient.outcome(HTTPResult(status: 200, headers: [:], body: bytes))
        guard case .completed(let reportId, let decoded, _, let compressed) = outcome else {
            Issue.record("\(name) did not decode as a completed report: \(outcome)")
            return
        }
        #expect(reportId == object["name"] as? String)
        #expect(decoded.count == manifest["blobCount"] as? Int)
        #expect(decoded.map(\.link) == blobs.map { $0["blobLink"] as? String ?? "" })
        #expect(decoded.map(\.byteCount) == blobs.map { $0["byteCount"] as? Int })
        #expect(compressed == (manifest["compressData"] as? Bool ?? false))
    }

    @Test func theDetailedReportStatusExampleDecodes() throws {
        let example = try SpecExampleTests.example(
            "spec-2023-11-01-GenerateDetailedCostReportOperationStatusBySubscriptionScope.json")
        let (object, _) = try SpecExampleTests.body(example, status: "200")
        #expect(AsyncReport.status(of: object) == "Completed")
        let properties = try #require(object["properties"] as? [String: Any])
        let link = try #require(properties["downloadUrl"] as? String)
        #expect(link.hasPrefix("https://"))
        // The link's signature never reaches a message or the ledger.
        #expect(!Redaction.redact(url: link).contains("sig=") || Redaction.redact(url: link).contains("sig=REDACTED"))
    }

    /// The real MCA record (65 `name : value` lines) as a one-row cost file: every field maps
    /// to a column of the catalog, and its values are read as they are written.
    @Test func theMCARecordMapsEveryField() throws {
        let text = try String(contentsOfFile: fixture("mca/mca-cost-details-record-2026-09-10.txt"), encoding: .utf8)
        let pairs = text.split(separator: "\n").compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (
                line[..<colon].trimmingCharacters(in: .whitespaces),
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            )
        }
        #expect(pairs.count == 65)
        let csv = pairs.map { CSVEscaping.field($0.0) }.joined(separator: ",") + "\n"
            + pairs.map { CSVEscaping.field($0.1) }.joined(separator: ",") + "\n"
        let file = try CostFileReader(source: MemoryByteSource(name: "mca.csv", bytes: Array(csv.utf8)))
        let unmapped = file.mapping.targets.enumerated().compactMap { (i, target) -> String? in
            if case .extra = target { return pairs[i].0 }
            return nil
        }
        #expect(unmapped.isEmpty, "fields with no catalog column: \(unmapped)")
        guard case .row? = try file.next() else {
            Issue.record("the record did not load")
            return
        }
        func value(_ column: String) -> String? { file.normaliser.values[Catalog.index[column]!].string }
        #expect(value("Date") == "2026-09-10")
        #expect(value("ServicePeriodStartDate") == "2026-09-01")
        #expect(value("ServiceFamily") == "Compute")
        let cost = try #require(pairs.first { $0.0 == "costInBillingCurrency" }?.1)
        #expect(file.normaliser.cost == Double(cost))
    }
}

/// Answers whose shape the specification gives and the emulator once did not: the client
/// reads each example's final answer, and the emulator now answers in the same shape.
@Suite struct SpecShapeTests {
    /// The MCA price sheet's final answer is flat (`{downloadUrl, expiryTime}`, no status);
    /// the EA price sheet's nests its link under `properties` with a status. Both are complete.
    @Test(arguments: [
        ("spec-2025-03-01-PricesheetDownloadByBillingProfile.json", "2018-07-21T17:32:28Z"),
        ("spec-2025-03-01-EAPriceSheetForBillingPeriod.json", "2023-09-30T17:32:28Z"),
        ("spec-2025-03-01-GenerateReservationDetailsReportByBillingAccount.json", "2020-09-12T02:56:55.5021869Z"),
    ])
    func priceSheetFinalAnswersAreComplete(name: String, expiry: String) throws {
        let (object, _) = try SpecExampleTests.body(try SpecExampleTests.example(name), status: "200")
        let answer = AsyncReport.normalised(object, httpStatus: 200)
        #expect(AsyncReport.status(of: answer)?.lowercased() == "completed", "\(name)")
        let properties = try #require(answer["properties"] as? [String: Any])
        let link = try #require(AsyncReport.link(in: properties), "\(name)")
        #expect(link.hasPrefix("https://") && link.contains(".blob.core.windows.net/"))
        #expect(AsyncReport.validTill(in: properties) == CostDetailsClient.parseDate(expiry))
        // A 202 is never complete, whatever its body.
        #expect(AsyncReport.status(of: AsyncReport.normalised([:], httpStatus: 202)) == nil)
    }

    /// Each list or resource example of a dataset costwh reads (balances, reservation
    /// transactions, marketplaces) loads with every record and the example's sum.
    @Test(arguments: [
        ("spec-consumption-2023-05-01-BalancesByBillingAccountForBillingPeriod.json", Dataset.balanceSummary, 1, "Utilized", 474098.17),
        ("spec-consumption-2023-05-01-ReservationTransactionsListByEnrollmentNumber.json", .reservationTransactions, 2, "Amount", 0),
        ("spec-consumption-2023-05-01-MarketplacesByBillingAccountListForBillingPeriod.json", .marketplace, 1, "PretaxCost", 0.67),
    ])
    func datasetExamplesLoad(name: String, dataset: Dataset, count: Int, column: String, sum: Double) throws {
        let (_, bytes) = try SpecExampleTests.body(try SpecExampleTests.example(name), status: "200")
        let dir = TempDir()
        let page = dir.write("page.json", String(decoding: bytes, as: UTF8.self))
        var records: [DatasetRecord] = []
        var rejected: [DatasetRejection] = []
        let schema = DatasetSchema.of(dataset)
        try DatasetReader.read(
            try LocalFiles.open(path: page), part: 0, schema: schema, row: { records.append($0) },
            reject: { rejected.append($0) })
        #expect(records.count == count && rejected.isEmpty, "\(name): \(rejected.map(\.reason))")
        let index = try #require(schema.columns.firstIndex { $0.name == column })
        let total = records.reduce(0.0) { total, record in
            if case .real(let value) = record.values[index] { return total + value }
            return total
        }
        #expect(abs(total - sum) < 1e-9, "\(name): \(column) sums to \(total)")
    }

    /// The balance example's answer (one resource, not a list) loads as the balance summary.
    @Test func theBalanceExampleLoads() throws {
        let (_, bytes) = try SpecExampleTests.body(
            try SpecExampleTests.example("spec-consumption-2023-05-01-BalancesByBillingAccountForBillingPeriod.json"),
            status: "200")
        let dir = TempDir()
        let page = dir.write("balance.json", String(decoding: bytes, as: UTF8.self))
        var records: [DatasetRecord] = []
        var rejected: [DatasetRejection] = []
        let schema = DatasetSchema.of(.balanceSummary)
        try DatasetReader.read(
            try LocalFiles.open(path: page), part: 0, schema: schema, row: { records.append($0) },
            reject: { rejected.append($0) })
        #expect(records.count == 1 && rejected.isEmpty)
        let utilized = try #require(schema.columns.firstIndex { $0.name == "Utilized" })
        #expect(records.first?.values[utilized] == .real(474098.17))
    }
}
