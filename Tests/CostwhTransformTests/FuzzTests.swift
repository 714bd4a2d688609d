import CostwhBytes
import CostwhModel
import Foundation
import Testing

@testable import CostwhTransform

/// What happened to one input: its rows, its rejections, or the error that refused the file.
struct Outcome {
    var rows = 0
    var rejected = 0
    var otherMetric = 0
    var refusal: String?
}

/// Feeds bytes through the reader, the header mapping and the normalisers, checking the
/// invariants of every row that comes out.
func exercise(_ bytes: [UInt8], chunkSize: Int = 4 << 20, maxRecordBytes: Int = 64 << 20) -> Outcome {
    var outcome = Outcome()
    let file: CostFileReader
    do {
        file = try CostFileReader(
            source: MemoryByteSource(name: "fuzz.csv", bytes: bytes), chunkSize: chunkSize, maxRecordBytes: maxRecordBytes)
    } catch {
        outcome.refusal = error.description
        #expect(!error.description.isEmpty)
        return outcome
    }
    let dateColumn = Catalog.index["Date"]!
    do {
        while let result = try file.next() {
            switch result {
            case .row:
                outcome.rows += 1
                let date = file.normaliser.values[dateColumn].string ?? ""
                let parts = date.split(separator: "-").compactMap { Int($0) }
                // A real calendar date, not just ten characters with dashes.
                #expect(
                    date.count == 10 && parts.count == 3
                        && CalendarDate(year: parts[0], month: parts[1], day: parts[2]) != nil,
                    "a loaded row has an ISO calendar date, not `\(date)`")
                #expect(file.normaliser.cost.isFinite)
            case .rejected(let reason):
                outcome.rejected += 1
                #expect(!reason.isEmpty)
            case .otherMetric, .otherPeriod:
                outcome.otherMetric += 1
            }
        }
    } catch {
        outcome.refusal = error.description
        #expect(!error.description.isEmpty)
    }
    return outcome
}

@Suite struct FuzzTests {
    static let corpusFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/fuzz-corpus")

    /// What each corpus case must do: rows loaded, rows rejected, or the file refused. A new
    /// case is added here with its outcome, so a change of behaviour is seen, not absorbed.
    static let expectedCorpus: [String: (rows: Int, rejected: Int, refused: Bool)] = [
        "bare-cr.csv": (0, 0, true),  // CR alone is not a line break: one header line, no Cost column
        "duplicate-headers.csv": (1, 0, false),
        "header-only.csv": (0, 0, false),
        "invalid-utf8-in-tags.csv": (0, 1, false),  // an unterminated quote around the bad bytes
        "nul-byte.csv": (1, 0, false),
        "numbers-and-dates.csv": (2, 4, false),  // -0 and 1e-400 load; 1e400, NaN, 0x10 and 02/30/2024 do not
        "only-commas.csv": (0, 0, true),
        "random-bytes.bin": (0, 0, true),
        "text-after-quote.csv": (1, 1, false),
        "truncated-json-tags.csv": (1, 0, false),  // the broken Tags are kept raw, the row loads
        "truncated-quote.csv": (0, 1, false),
        "unbalanced-header-quote.csv": (0, 0, true),
    ]

    @Test func corpus() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: FuzzTests.corpusFolder.path).filter {
            $0 != "README.md"
        }.sorted()
        #expect(names == FuzzTests.expectedCorpus.keys.sorted(), "every corpus file has its expected outcome")
        for name in names {
            let bytes = Array(try Data(contentsOf: FuzzTests.corpusFolder.appendingPathComponent(name)))
            let expected = try #require(FuzzTests.expectedCorpus[name])
            for chunk in [5, 64, 1 << 20] {
                let outcome = exercise(bytes, chunkSize: chunk)
                #expect(outcome.rows == expected.rows, "\(name) in chunks of \(chunk): rows")
                #expect(outcome.rejected == expected.rejected, "\(name) in chunks of \(chunk): rejected")
                #expect(
                    (outcome.refusal != nil) == expected.refused, "\(name) in chunks of \(chunk): \(outcome.refusal ?? "loaded")")
            }
        }
    }

    @Test(
        arguments: [
            // name, input, rows, rejected, refused
            ("empty file", "", 0, 0, true),
            ("header only", "Date,Cost\n", 0, 0, false),
            ("truncated mid-quote", "Date,Cost\n09/01/2023,\"1", 0, 1, false),
            ("unbalanced quotes", "Date,Cost\n\"09/01/2023,1\n09/02/2023,2\n", 0, 1, false),
            ("duplicate headers", "Date,Cost,X,X\n09/01/2023,1,a,b\n", 1, 0, false),
            ("1e400, NaN, -0", "Date,Cost\n09/01/2023,1e400\n09/01/2023,NaN\n09/01/2023,-0\n", 1, 2, false),
            ("impossible date", "Date,Cost\n02/30/2024,1\n02/29/2024,1\n", 1, 1, false),
            ("NUL bytes", "Date,Cost,Note\n09/01/2023,1,a\u{0}b\n", 1, 0, false),
            ("binary garbage", "\u{1}\u{2}\u{3}garbage\u{7f}\n\u{0}\u{0}", 0, 0, true),
        ] as [(String, String, Int, Int, Bool)])
    func edgeCases(name: String, input: String, rows: Int, rejected: Int, refused: Bool) {
        let outcome = exercise(Array(input.utf8))
        #expect(outcome.rows == rows, "\(name)")
        #expect(outcome.rejected == rejected, "\(name)")
        #expect((outcome.refusal != nil) == refused, "\(name): \(outcome.refusal ?? "no refusal")")
    }

    /// Generated files in every dialect detection chooses between: delimiters, encodings,
    /// decimal commas and other locales' dates. Every row that comes out has an ISO date and
    /// a finite cost (checked by `exercise`), and well-formed files load.
    @Test func generatedDialectsLoadOrAreRefused() {
        var rng = SeededGenerator.fromEnvironment()
        defer { if Test.current != nil { print("generatedDialectsLoadOrAreRefused: seed \(rng.seed) (COSTWH_FUZZ_SEED replays it)") } }
        let encodings: [String.Encoding] = [.utf8, .utf16LittleEndian, .utf16BigEndian, .windowsCP1252]
        let dates = [
            "09/21/2023", "9/1/23", "21.09.2023", "2023-09-21 13:45:10.1234567", "21/09/2023", "2023/09/21",
            "31.02.2023", "",
        ]
        var rows = 0, rejected = 0, refused = 0, cleanFilesLoaded = 0, cleanFiles = 0
        for _ in 0..<1_500 {
            let delimiter = [",", ";", "\t", "|"].randomElement(using: &rng)!
            let decimalComma = delimiter != "," && Bool.random(using: &rng)
            let encoding = encodings.randomElement(using: &rng)!
            let clean = Int.random(in: 0..<3, using: &rng) == 0
            var text = ["Date", "Cost", "Tags", "ResourceGroup", "Quantity"].joined(separator: delimiter) + "\r\n"
            let count = Int.random(in: 1...6, using: &rng)
            for _ in 0..<count {
                let cost = Double(Int.random(in: -5000...5000, using: &rng)) / 1000
                var number = String(cost)
                if decimalComma { number = number.replacingOccurrences(of: ".", with: ",") }
                let date = clean ? "2023-09-2\(Int.random(in: 1...8, using: &rng))" : dates.randomElement(using: &rng)!
                let tags =
                    clean
                    ? "\"{\"\"env\"\":\"\"prod\"\"}\""
                    : ["\"{broken\"", "", "\"\"\"a\"\":1\"", "{}"].randomElement(using: &rng)!
                let group = ["rg-Café", "rg-Ærø", "rg-plain", "rg-\(delimiter == "," ? "x" : "a,b")"].randomElement(
                    using: &rng)!
                var fields = [
                    date, number, tags, group, clean ? "1" : ["1", "x", "", "1e400"].randomElement(using: &rng)!,
                ]
                if !clean && Int.random(in: 0..<5, using: &rng) == 0 { fields.removeLast() }
                text += fields.joined(separator: delimiter) + "\r\n"
            }
            var bytes = Array(text.data(using: encoding) ?? Data(text.utf8))
            if encoding == .utf16LittleEndian { bytes = [0xFF, 0xFE] + bytes }
            if encoding == .utf16BigEndian { bytes = [0xFE, 0xFF] + bytes }
            let outcome = exercise(bytes, chunkSize: [5, 64, 4096][Int.random(in: 0..<3, using: &rng)])
            rows += outcome.rows
            rejected += outcome.rejected
            if outcome.refusal != nil { refused += 1 }
            if clean {
                cleanFiles += 1
                if outcome.rows == count && outcome.rejected == 0 { cleanFilesLoaded += 1 }
            }
        }
        #expect(rows > 0 && rejected > 0, "seed \(rng.seed)")
        #expect(refused == 0, "every generated file has a recognisable header (seed \(rng.seed))")
        #expect(cleanFilesLoaded == cleanFiles, "\(cleanFiles - cleanFilesLoaded) well-formed files lost rows (seed \(rng.seed))")
    }

    @Test func invalidUTF8IsKeptNotFatal() {
        let bytes = Array("Date,Cost,Note\n09/01/2023,1,".utf8) + [0xFF, 0xFE, 0xC3] + Array("\n".utf8)
        let outcome = exercise(bytes)
        #expect(outcome.rows == 1 && outcome.refusal == nil)
    }

    @Test func aTenMegabyteFieldLoads() {
        let big = String(repeating: "x", count: 10 << 20)
        let outcome = exercise(Array("Date,Cost,Note\n09/01/2023,1,\"\(big)\"\n09/02/2023,2,y\n".utf8))
        #expect(outcome.rows == 2)
    }

    @Test func aHundredMegabyteLineIsRefusedWithinBoundedMemory() {
        var bytes = Array("Date,Cost,Note\n09/01/2023,1,".utf8)
        bytes += [UInt8](repeating: 0x61, count: 100 << 20)
        bytes += Array("\n".utf8)
        let outcome = exercise(bytes, maxRecordBytes: 64 << 20)
        #expect(outcome.refusal?.contains("longer than 64 MiB") == true)
    }

    /// Many generated inputs built from the pieces real and broken files are made of.
    @Test func generatedInputsLoadOrAreRefused() {
        var rng = SeededGenerator.fromEnvironment()
        defer { if Test.current != nil { print("generatedInputsLoadOrAreRefused: seed \(rng.seed) (COSTWH_FUZZ_SEED replays it)") } }
        let headers = [
            "Date,Cost,ChargeType,PricingModel,Tags,AdditionalInfo,Quantity",
            "date,costInBillingCurrency,chargeType,pricingModel,tags,billingCurrency",
            "UsageDateTime,PreTaxCost,Currency,Tags",
            "\"Date\",\"ExtendedCost\",\"Instance ID\"",
            "Date,Cost,Date,Cost",
            "a,b,c",
        ]
        let pieces: [String] = [
            "09/01/2023", "2023-09-30T00:00:00Z", "02/30/2024", "13/13/2023", "", "1.5", "1e400", "NaN", "-0",
            "0.0000000072922557592391990000",
            "1,5", "\"q,\"\"x\"\"\"", "\"open", "\"\"\"env\"\": \"\"prod\"\"\"", "{\"a\":1}", "{\"a\":", "Usage",
            "On Demand", "Reservation",
            "\u{0}", "\r", "\n", "\"\n\"", "é", "💸", "\\", ",", "\"",
        ]
        var totalRows = 0, totalRejected = 0, refused = 0
        for _ in 0..<3_000 {
            var text = Bool.random(using: &rng) ? "\u{FEFF}" : ""
            let header = headers.randomElement(using: &rng)!
            text += header + (Bool.random(using: &rng) ? "\r\n" : "\n")
            let width = header.split(separator: ",").count
            let dates = ["09/01/2023", "2023-09-30T00:00:00Z", "02/30/2024", "9/3/2023", ""]
            let numbers = ["1.5", "1e400", "NaN", "-0", "0.0000000072922557592391990000", "3", "1E-05"]
            for _ in 0..<Int.random(in: 0...8, using: &rng) {
                // Mostly well-formed rows, so the normalisers are reached; sometimes not.
                let count = Int.random(in: 0..<5, using: &rng) == 0 ? Int.random(in: 1...8, using: &rng) : width
                let fields = (0..<count).map { i -> String in
                    if i == 0 && Int.random(in: 0..<4, using: &rng) > 0 { return dates.randomElement(using: &rng)! }
                    if i == 1 && Int.random(in: 0..<4, using: &rng) > 0 { return numbers.randomElement(using: &rng)! }
                    return Int.random(in: 0..<3, using: &rng) == 0 ? pieces.randomElement(using: &rng)! : "v\(i)"
                }
                text += fields.joined(separator: ",") + (Bool.random(using: &rng) ? "\n" : "\r\n")
            }
            var bytes = Array(text.utf8)
            if Int.random(in: 0..<4, using: &rng) == 0 && !bytes.isEmpty {
                bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng)))
            }
            if Int.random(in: 0..<8, using: &rng) == 0 && !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            let outcome = exercise(bytes, chunkSize: [3, 17, 4096][Int.random(in: 0..<3, using: &rng)])
            totalRows += outcome.rows
            totalRejected += outcome.rejected
            if outcome.refusal != nil { refused += 1 }
        }
        // The generator must reach all three outcomes, or it is not testing much.
        #expect(totalRows > 100 && totalRejected > 100 && refused > 100, "seed \(rng.seed)")
    }
}

/// SplitMix64, seeded: a failing generated case can be replayed with `COSTWH_FUZZ_SEED`.
struct SeededGenerator: RandomNumberGenerator {
    let seed: UInt64
    private var state: UInt64

    init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    static func fromEnvironment() -> SeededGenerator {
        let given = ProcessInfo.processInfo.environment["COSTWH_FUZZ_SEED"].flatMap { UInt64($0) }
        return SeededGenerator(seed: given ?? UInt64.random(in: 0...UInt64.max))
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
