import CostwhBytes
import CostwhModel
import Foundation
import Testing

@testable import CostwhTransform

@Suite struct ValueParserTests {
    func date(_ text: String) -> String? {
        var bytes = Array(text.utf8)
        return bytes.withUnsafeMutableBufferPointer { buf in
            ValueParsers.parseDate(
                UnsafePointer(buf.baseAddress ?? UnsafeMutablePointer<UInt8>.allocate(capacity: 1)), buf.count)
        }.map { String(format: "%04d-%02d-%02d", $0.year, $0.month, $0.day) }
    }

    func number(_ text: String) -> Double? {
        var bytes = Array(text.utf8) + [0]
        return bytes.withUnsafeMutableBufferPointer {
            ValueParsers.parseDouble(UnsafePointer($0.baseAddress!), $0.count - 1)
        }
    }

    @Test(arguments: [
        ("09/21/2023", "2023-09-21"), ("9/1/2023", "2023-09-01"), ("2023-09-21", "2023-09-21"),
        ("2023-09-21T00:00:00Z", "2023-09-21"), ("2023-09-21T13:45:10.1234567+00:00", "2023-09-21"),
        ("2023-09-21 00:00:00", "2023-09-21"), ("09/21/2023 12:00:00 AM", "2023-09-21"), ("20230921", "2023-09-21"),
        ("02/29/2024", "2024-02-29"), (" 12/31/2023 ", "2023-12-31"),
    ])
    func parsesDates(text: String, iso: String) {
        #expect(date(text) == iso)
    }

    @Test(arguments: [
        ("21.09.2023", false, "2023-09-21"), ("1.9.2023", false, "2023-09-01"), ("09/21/23", false, "2023-09-21"),
        ("9/1/23", false, "2023-09-01"), ("21/09/2023", true, "2023-09-21"), ("01/09/2023", true, "2023-09-01"),
        ("01/09/2023", false, "2023-01-09"), ("2023/09/21", false, "2023-09-21"),
        ("21.09.2023 13:45:10,123", false, "2023-09-21"),
        ("2023-09-21T13:45:10.123456789Z", false, "2023-09-21"),
    ])
    func parsesOtherLocalesDates(text: String, dayFirst: Bool, iso: String) {
        let parsed = Array(text.utf8).withUnsafeBufferPointer {
            ValueParsers.parseDate($0.baseAddress!, $0.count, dayFirst: dayFirst)
        }
        #expect(parsed.map { String(format: "%04d-%02d-%02d", $0.year, $0.month, $0.day) } == iso)
    }

    @Test(arguments: [
        "02/30/2024", "02/29/2023", "13/01/2023", "2023-9-21", "31.02.2023", "", "yesterday", "2023-09-21X",
        "00/10/2023", "09/21/023", "1/2.2023", "123/1/2023",
    ])
    func refusesDates(text: String) {
        #expect(date(text) == nil)
    }

    @Test(arguments: [
        "0", "-0", "3.25", "0.4838709677419368", "0.0000000072922557592391990000", "0.000011139",
        "1.5E-05", "2.64e3", "-12.5", "123456789012345678901234567890", "15.797780136168644627485419",
        "0.1", "1e-300", "+7",
    ])
    func parsesNumbersToTheNearestDouble(text: String) {
        // Foundation's parser (strtod) is correctly rounded; ours must agree bit for bit.
        #expect(number(text)?.bitPattern == Double(text)?.bitPattern)
    }

    @Test(arguments: [
        "", "abc", "1e400", "-1e400", "NaN", "nan", "inf", "Infinity", "0x1p3", "1,5", "1.2.3", "1e", "--1", ".",
    ])
    func refusesNumbers(text: String) {
        #expect(number(text) == nil)
    }
}

@Suite struct RowNormaliserTests {
    static let header =
        "Date,ChargeType,PricingModel,Cost,BillingCurrency,Tags,AdditionalInfo,Quantity,BillingPeriodStartDate,Custom Column\n"

    func rows(_ body: String) throws -> [(outcome: String, values: [String: String?], cost: Double, extra: String?)] {
        let source = MemoryByteSource(name: "n.csv", bytes: Array((Self.header + body).utf8))
        let file = try CostFileReader(source: source)
        var out: [(String, [String: String?], Double, String?)] = []
        while let outcome = try file.next() {
            switch outcome {
            case .rejected(let reason):
                out.append((reason, [:], 0, nil))
            case .otherMetric:
                out.append(("other metric", [:], 0, nil))
            case .otherPeriod:
                out.append(("other period", [:], 0, nil))
            case .row:
                var values: [String: String?] = [:]
                for name in [
                    "Date", "ChargeType", "PricingModel", "BillingCurrency", "Tags", "AdditionalInfo",
                    "BillingPeriodStartDate",
                ] {
                    values[name] = file.normaliser.values[Catalog.index[name]!].string
                }
                out.append(("row", values, file.normaliser.cost, file.normaliser.extra.string))
            }
        }
        return out
    }

    @Test func normalisesTheFourColumnsAndKeepsTheRest() throws {
        let result = try rows(
            #"09/21/2023,usage,On Demand,1.5E-05,USD,"""env"": ""prod""","{""a"":1}",2,09/01/2023,"x ""y"""\#n"#)
        #expect(result.count == 1)
        let row = try #require(result.first)
        #expect(row.outcome == "row")
        #expect(row.values["Date"] == "2023-09-21")
        #expect(row.values["ChargeType"] == "Usage")
        #expect(row.values["PricingModel"] == "OnDemand")
        #expect(row.values["Tags"] == #"{"env": "prod"}"#)
        #expect(row.values["AdditionalInfo"] == #"{"a":1}"#)
        #expect(row.values["BillingPeriodStartDate"] == "2023-09-01")
        #expect(row.cost == 1.5e-05)
        #expect(row.extra == #"{"Custom Column":"x \"y\""}"#)
    }

    @Test(
        arguments: [
            ("UnusedReservation", "Reservation", "UnusedReservation", "Reservation"),
            ("Unused Savings Plan", "Savings Plan", "UnusedSavingsPlan", "SavingsPlan"),
            ("PURCHASE", "reservations", "Purchase", "Reservation"),
            ("RoundingAdjustment", "", "RoundingAdjustment", nil),
            ("Refund", "SavingsPlan", "Refund", "SavingsPlan"),
            ("Tax", "spot", "Tax", "Spot"),
        ] as [(String, String, String, String?)])
    func canonicalSpellings(
        chargeType: String, pricingModel: String, expectedCharge: String, expectedModel: String?
    ) throws {
        let result = try rows("2023-09-01,\(chargeType),\(pricingModel),1,USD,,,,,\n")
        #expect(result.first?.values["ChargeType"] == expectedCharge)
        #expect(result.first?.values["PricingModel"] == expectedModel)
    }

    @Test func unknownValuesAreKeptAndCounted() throws {
        let source = MemoryByteSource(
            name: "n.csv",
            bytes: Array(
                (Self.header + "2023-09-01,Mystery,OnDemand,1,USD,,,,,\n2023-09-02,Mystery,OnDemand,1,USD,,,,,\n").utf8)
        )
        let file = try CostFileReader(source: source)
        var charges: [String?] = []
        while let outcome = try file.next() {
            if case .row = outcome { charges.append(file.normaliser.values[Catalog.index["ChargeType"]!].string) }
        }
        #expect(charges == ["Mystery", "Mystery"])
        #expect(file.normaliser.warnings.counts["unknown ChargeType"]?["Mystery"] == 2)
    }

    @Test(arguments: [
        ("02/30/2024,Usage,OnDemand,1,USD,,,,,\n", "Date (column 1, `Date`): expected a date"),
        (
            "09/01/2024,Usage,OnDemand,abc,USD,,,,,\n",
            "CostInBillingCurrency (column 4, `Cost`): expected a number, found `abc`"
        ),
        ("09/01/2024,Usage,OnDemand,1e400,USD,,,,,\n", "CostInBillingCurrency (column 4, `Cost`): expected a number"),
        ("09/01/2024,Usage,OnDemand,NaN,USD,,,,,\n", "CostInBillingCurrency (column 4, `Cost`): expected a number"),
        (",Usage,OnDemand,1,USD,,,,,\n", "Date (column 1): a date is required"),
        (
            "09/01/2024,Usage,OnDemand,1,USD,,,,,,x\n",
            "expected 10 fields as in the header, found 11 (field 11 is not empty)"
        ),
        (
            "09/01/2024,Usage,OnDemand,1,USD,,,,,,,x\n",
            "expected 10 fields as in the header, found 12 (field 12 is not empty)"
        ),
    ])
    func rejectsWithAReasonNamingTheColumn(body: String, reason: String) throws {
        let result = try rows(body)
        #expect(result.count == 1)
        #expect(result.first?.outcome.hasPrefix(reason) == true, "got \(result.first?.outcome ?? "nothing")")
    }

    /// Lossless rows: a field other than the date and the cost that cannot be read is kept
    /// raw in the extra JSON, its column is NULL, and the repair is counted by column.
    @Test(arguments: [
        ("09/01/2024,Usage,OnDemand,1,USD,,,x,,\n", "Quantity", "x", "repaired: unreadable number"),
        (
            "09/01/2024,Usage,OnDemand,1,USD,,,,13/45/2024,\n", "BillingPeriodStartDate", "13/45/2024",
            "repaired: unreadable date"
        ),
        ("09/01/2024,Usage,OnDemand,1,USD,\"{broken\",,,,\n", "Tags", "{broken", "repaired: not a JSON object"),
        (
            "09/01/2024,Usage,OnDemand,1,USD,,\"{\"\"\"\"}\",,,\n", "AdditionalInfo", "{\"\"}",
            "repaired: not a JSON object"
        ),
    ])
    func unreadableAuxiliaryFieldsAreKeptRawAndCounted(body: String, column: String, raw: String, kind: String) throws {
        let file = try CostFileReader(source: MemoryByteSource(name: "n.csv", bytes: Array((Self.header + body).utf8)))
        guard case .row? = try file.next() else {
            Issue.record("the row was not loaded")
            return
        }
        let index = Catalog.index[column]!
        #expect(file.normaliser.values[index].isNull && file.normaliser.reals[index] == nil)
        let extra = try #require(file.normaliser.extra.string)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(extra.utf8)) as? [String: String])
        #expect(object[column] == raw, "extra is \(extra)")
        #expect(object["Custom Column"] == "")
        #expect(file.normaliser.warnings.counts[kind]?[column] == 1)
        #expect(file.normaliser.cost == 1)
    }

    @Test func anEmptyCostLoadsAsZeroWithAWarning() throws {
        let result = try rows("09/01/2024,Usage,OnDemand,,USD,,,,,\n")
        #expect(result.map(\.outcome) == ["row"])
        #expect(result.first?.cost == 0)
        let file = try CostFileReader(
            source: MemoryByteSource(
                name: "n.csv", bytes: Array((Self.header + "09/01/2024,Usage,OnDemand,,USD,,,,,\n").utf8)))
        _ = try file.next()
        #expect(file.normaliser.warnings.counts["repaired: empty cost read as 0"]?["CostInBillingCurrency"] == 1)
    }

    @Test func raggedRowsArePaddedOrTrimmedOnlyAtTheEnd() throws {
        let result = try rows("09/01/2024,Usage,OnDemand,1,USD\n09/02/2024,Usage,OnDemand,2,USD,,,,,,,\n")
        #expect(result.map(\.outcome) == ["row", "row"])
        #expect(result.map(\.cost) == [1, 2])
        #expect(result[0].extra == #"{"Custom Column":""}"#)
        let file = try CostFileReader(
            source: MemoryByteSource(
                name: "n.csv",
                bytes: Array(
                    (Self.header + "09/01/2024,Usage,OnDemand,1,USD\n09/02/2024,Usage,OnDemand,2,USD,,,,,,,\n").utf8)))
        while try file.next() != nil {}
        #expect(file.normaliser.warnings.counts["repaired: short row padded with empty fields"]?["5 missing"] == 1)
        #expect(file.normaliser.warnings.counts["repaired: trailing empty fields trimmed"]?["2 extra"] == 1)
    }

    @Test func preambleLinesBeforeTheHeaderAreSkipped() throws {
        let text =
            "Usage report for enrollment 100\nGenerated 2016-01-02\n"
            + #""AccountOwnerId","Account Name","Date","ExtendedCost","Instance ID""# + "\n"
            + #""a@b.c","Acct","01/02/2016","1.25","/subscriptions/x""# + "\n"
        let file = try CostFileReader(source: MemoryByteSource(name: "v1.csv", bytes: Array(text.utf8)))
        #expect(file.headerLine == 3)
        #expect(file.preambleLines == 2)
        guard case .row = try file.next() else {
            Issue.record("expected a row")
            return
        }
        #expect(file.normaliser.cost == 1.25)
        #expect(file.normaliser.values[Catalog.index["ResourceId"]!].string == "/subscriptions/x")
        #expect(file.lineNumber == 4)
    }

    @Test func unrecognisedHeaderIsRefusedListingWhatIsMissing() {
        let text = "Name,Value\nx,1\n"
        do {
            _ = try CostFileReader(source: MemoryByteSource(name: "bad.csv", bytes: Array(text.utf8)))
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("bad.csv:1"))
            #expect(error.description.contains("missing Date"))
            #expect(error.description.contains("CostInBillingCurrency"))
        }
    }

    @Test func emptyFileIsRefused() {
        #expect(throws: TransformError.emptyFile(file: "empty.csv")) {
            _ = try CostFileReader(source: MemoryByteSource(name: "empty.csv", bytes: []))
        }
    }
}

@Suite struct HashAndJSONTests {
    @Test(arguments: [
        ("", UInt64(0xEF46_DB37_51D8_E999)), ("a", 0xD24E_C4F1_A98C_6E5B), ("abc", 0x44BC_2CF5_AD77_0999),
        ("Nobody inspects the spammish repetition", 0xFBCE_A83C_8A37_8BF1),
    ])
    func xxh64MatchesTheReferenceVectors(input: String, expected: UInt64) {
        var bytes = Array(input.utf8)
        let hash = bytes.withUnsafeMutableBytes { XXH64.hash(UnsafeRawBufferPointer($0)) }
        #expect(hash == expected)
    }

    /// `hashPair` (one pass, two seeds: the dimension keys) gives exactly what two separate
    /// hashes give, for every length around the 32-, 8-, 4- and 1-byte steps, so the keys of
    /// rows stored by earlier versions stay the same.
    @Test func hashPairEqualsTwoHashes() {
        var state: UInt64 = 0x1234
        func nextByte() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let seeds: [(UInt64, UInt64)] = [(0, 0x5EED_C057_0000_0001), (7, 7), (UInt64.max, 1)]
        for length in 0..<200 {
            let bytes = (0..<length).map { _ in nextByte() }
            for (a, b) in seeds {
                let pair = bytes.withUnsafeBytes { XXH64.hashPair($0, a, b) }
                let separate = bytes.withUnsafeBytes { (XXH64.hash($0, seed: a), XXH64.hash($0, seed: b)) }
                #expect(pair == separate, "length \(length), seeds \(a), \(b)")
            }
        }
        var abc = Array("abc".utf8)
        #expect(abc.withUnsafeMutableBytes { XXH64.hashPair(UnsafeRawBufferPointer($0), 0, 1).0 } == 0x44BC_2CF5_AD77_0999)
    }

    @Test func streamingHashIsIndependentOfChunking() {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let oneShot = data.withUnsafeBytes { XXH64.hash($0) }
        for chunk in [1, 3, 31, 32, 33, 999] {
            var hasher = XXH64()
            var i = 0
            while i < data.count {
                let end = min(i + chunk, data.count)
                data[i..<end].withUnsafeBytes { hasher.update($0) }
                i = end
            }
            #expect(hasher.finalize() == oneShot)
        }
    }

    @Test(arguments: [
        (#"{}"#, true), (#"{"a":1}"#, true), (#" {"a":[1,2,{"b":null}],"c":"x\"y"} "#, true),
        (#"{"CostCenter": "1234","env": "prod"}"#, true), (#"{"a":1.5e-3,"b":true,"c":false}"#, true),
        (#"{"a":1"#, false), (#"{a:1}"#, false), (#"[1,2]"#, false), (#"{"a":1}x"#, false),
        (#"{"a":01x}"#, false), ("", false), (#"{"a":"\q"}"#, false),
    ])
    func validatesJSONObjects(text: String, valid: Bool) {
        var bytes = Array(text.utf8)
        let result = bytes.withUnsafeMutableBufferPointer { JSONText.isObject(UnsafeBufferPointer($0)) }
        #expect(result == valid)
    }
}
