import CostwhBytes
import CostwhLoad
import CostwhModel
import CostwhParquet
@testable import CostwhPipeline
import CostwhSQLite
import CostwhTestSupport
import CostwhTransform
import Foundation
import GRDB
import Testing

/// The lake export reads `cost_details` a dimension row at a time (`DimensionedExport`); what
/// it writes is what reading every row whole through `cost_details_wide` writes.
@Suite struct DimensionedExportTests {
    @Test func itWritesTheWideViewsFileOnSQLite() throws {
        try withStore(.sqlite) { db in
            try loadSyntheticMonths(db)
            // Same rows in the same order (both read the fact rows by rowid), cut into the
            // same row groups, with the same statistics. Not the same bytes: a chunk of
            // registered values lists its dictionary in the values' registered order, the
            // wide view's in the order its rows name them.
            try compareExports(db) { fast, wide in
                #expect(fast.rows == wide.rows)
                do {
                    let a = try ParquetFileReader(path: fast.path).metadata
                    let b = try ParquetFileReader(path: wide.path).metadata
                    #expect(a.schema.map(\.name) == b.schema.map(\.name))
                    #expect(a.rowGroups.map(\.rows) == b.rowGroups.map(\.rows))
                    #expect(a.rowGroups.count > 1, "several row groups, so that registered values recur")
                    for (x, y) in zip(a.rowGroups, b.rowGroups) {
                        #expect(x.columns.map(\.valueCount) == y.columns.map(\.valueCount))
                        #expect(x.columns.map(\.statistics) == y.columns.map(\.statistics))
                        #expect(x.columns.contains { $0.statistics?.min != nil && $0.type == .byteArray })
                    }
                } catch {
                    Issue.record("\(error)")
                }
            }
        }
    }

    @Test(.enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
    func itWritesTheWideViewsRowsOnPostgreSQL() throws {
        try withStore(.postgres) { db in
            try loadSyntheticMonths(db)
            // PostgreSQL may return the rows in another order: the same rows, as text.
            try compareExports(db) { fast, wide in #expect(fast.rows.sorted() == wide.rows.sorted()) }
        }
    }

    /// A dimension's rows are found by key through an array when the keys are dense (SQLite
    /// numbers them) and by hashing when not (PostgreSQL's keys are hashes, spread over the
    /// whole of Int64: their span must not overflow).
    @Test func keysAreFoundDenseOrSparse() {
        var dense = DimensionedExport.Rows()
        for (row, key) in [Int64(7), 9, 8, 1_000].enumerated() { dense.rowOf[key] = Int32(row) }
        dense.index()
        #expect(!dense.denseRowOf.isEmpty)
        #expect(dense.row(of: 9) == 1 && dense.row(of: 1_000) == 3 && dense.row(of: 10) == nil)
        #expect(dense.row(of: 6) == nil && dense.row(of: 1_001) == nil && dense.row(of: .min) == nil)
        var sparse = DimensionedExport.Rows()
        for (row, key) in [Int64.min, -5, Int64.max].enumerated() { sparse.rowOf[key] = Int32(row) }
        sparse.index()
        #expect(sparse.denseRowOf.isEmpty)
        #expect(sparse.row(of: .min) == 0 && sparse.row(of: .max) == 2 && sparse.row(of: 0) == nil)
    }

    /// A fact row whose key its load's summaries do not list (a warehouse damaged by hand, or
    /// written by a tool that keeps no summaries) sends the export back to the wide view: no
    /// file is left half written, and the file written holds every row's dimensions.
    @Test func aKeyTheSummariesMissFallsBackToTheWideView() throws {
        try withStore(.sqlite) { db in
            try loadSyntheticMonths(db)
            let database = try CostDatabase(path: db)
            let partition = try database.pool.write { db -> Row in
                let row = try #require(try Row.fetchOne(db, sql: "SELECT Scope, BillingPeriod, Metric, LoadId FROM partitions LIMIT 1"))
                try db.execute(
                    sql: "DELETE FROM summary_resource WHERE LoadId = ? AND ResourceKey = (SELECT MIN(ResourceKey) FROM summary_resource WHERE LoadId = ?)",
                    arguments: [row[3], row[3]])
                return row
            }
            let filter = [("Scope", partition[0] as String), ("BillingPeriod", partition[1] as String), ("Metric", partition[2] as String)]
                .map { (column: $0.0, value: $0.1) }
            let store = try DatabaseLocation.openForReading(db)
            let dir = TempDir()
            let path = dir.path("p.parquet")
            #expect(try DimensionedExport(filter: filter, compression: .zstd).write(store, to: path, metadata: []) == nil)
            #expect(!FileManager.default.fileExists(atPath: path))
            let written = try PartitionExport(view: LakeLayout.costDetails, filter: filter, compression: .zstd)
                .write(store, to: path, metadata: [])
            var wide = PartitionExport(view: LakeLayout.costDetails, filter: filter, compression: .zstd)
            wide.readsDimensionsOnce = false
            let other = try wide.write(store, to: dir.path("w.parquet"), metadata: [])
            #expect(written.rows == other.rows && written.rows > 1_000)
            #expect(written.read == "cost_details_wide")
            #expect(FileManager.default.contents(atPath: path) == FileManager.default.contents(atPath: dir.path("w.parquet")))
        }
    }

    /// EffectiveCost, ListCost and ContractedCost are computed by the export (`DerivedCosts`),
    /// not read from the view: on rows that take every branch of the view's rules (an
    /// amortized partition, PayGPrice 0 with a list price from the price sheet, an unused
    /// reservation, an exchange rate, a row without a unit price), on both stores, the file is
    /// what the wide view's computed columns give.
    @Test(arguments: Backend.allCases)
    func theCostsAreComputedAsTheViewComputesThem(backend: Backend) throws {
        let dir = TempDir()
        try withStore(backend) { db in
            let scope = "/providers/Microsoft.Billing/billingAccounts/8611537"
            for (file, metric) in [("EA_AmortizedCost_Small.csv", "amortized"), ("EA_ActualCost_Small.csv", "actual")] {
                try loadFile(db, fixture("finops-toolkit/\(file)"), scope: scope, metric: metric)
            }
            let sheet = dir.write(
                "pricesheet.csv",
                """
                BasePrice,CurrencyCode,EffectiveEndDate,EffectiveStartDate,IncludedQuantity,MarketPrice,MeterId,MeterCategory,MeterName,MeterSubCategory,MeterRegion,MeterType,PartNumber,priceType,Product,ProductID,ServiceFamily,SkuID,Term,UnitOfMeasure,UnitPrice
                0.2,USD,2023-09-30,2023-09-01,0,0.2,14fc9a21-4919-4cb1-b495-5666966556bc,Virtual Machines,D2s v3,,US East,,AAA-1,Consumption,VM,P1,Compute,S1,,10 Hours,0.146

                """)
            var options = LoadFilesOptions(
                databasePath: db, files: [sheet], scope: try Scope(parsing: scope), period: try BillingPeriod(parsing: "2023-09"),
                metric: nil)
            options.dataset = .priceSheet
            #expect(try LoadFiles.run(options, logger: quietLogger).first?.rowsLoaded == 1)
            let mca = dir.write(
                "mca.csv",
                """
                billingAccountId,billingProfileId,date,meterId,meterCategory,quantity,unitPrice,PayGPrice,effectivePrice,costInBillingCurrency,billingCurrency,pricingCurrency,exchangeRatePricingToBilling,chargeType,pricingModel
                1234:5678_2019-05-31,AB12-CD34-BG7-TGB,2023-09-01,m-1,Virtual Machines,10,0.08,0.1,0.05,0.45,EUR,USD,0.9,Usage,Reservation
                1234:5678_2019-05-31,AB12-CD34-BG7-TGB,2023-09-01,m-2,Storage,100,,0.02,0.02,1.8,EUR,USD,,Usage,OnDemand
                1234:5678_2019-05-31,AB12-CD34-BG7-TGB,2023-09-02,m-1,Virtual Machines,4,0.05,0,0.05,0.18,EUR,USD,0.9,UnusedReservation,Reservation
                1234:5678_2019-05-31,AB12-CD34-BG7-TGB,2023-09-02,m-3,Storage,,0.05,0,0.05,0.25,EUR,USD,0.9,Usage,OnDemand

                """)
            try loadFile(
                db, mca,
                scope: "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB",
                metric: "amortized")

            let store = try DatabaseLocation.openForReading(db)
            let partitions = try store.reading { try $0.read("SELECT Scope, BillingPeriod, Metric FROM partitions", [:]) }
            #expect(partitions.rows.count == 3)
            var listed = 0
            for (n, key) in partitions.rows.enumerated() {
                let filter = [("Scope", key[0].string!), ("BillingPeriod", key[1].string!), ("Metric", key[2].string!)]
                    .map { (column: $0.0, value: $0.1) }
                let fast = try #require(try DimensionedExport(filter: filter, compression: .zstd).write(store, to: dir.path("\(n)-fast.parquet"), metadata: []))
                #expect(fast.read == "cost_details_keys" && fast.computedCosts)
                var wide = PartitionExport(view: LakeLayout.costDetails, filter: filter, compression: .zstd)
                wide.readsDimensionsOnce = false
                let other = try wide.write(store, to: dir.path("\(n)-wide.parquet"), metadata: [])
                #expect(!other.computedCosts && other.rows == fast.rows)
                let a = try Self.text(dir.path("\(n)-fast.parquet")), b = try Self.text(dir.path("\(n)-wide.parquet"))
                #expect(a.count == fast.rows + 1)
                #expect(a[0] == b[0])
                let differ = zip(a.dropFirst().sorted(), b.dropFirst().sorted()).first { $0 != $1 }
                #expect(differ == nil, "partition \(key): computed \(differ?.0 ?? ""), the view's \(differ?.1 ?? "")")
                // The price sheet's branch was taken: a row without a PayGPrice has its list price,
                // 8 hours at 0.20 per 10 hours.
                let header = a[0].split(separator: ",").map(String.init)
                let list = try #require(header.firstIndex(of: "ListCost")), payG = try #require(header.firstIndex(of: "PayGPrice"))
                for row in a.dropFirst() {
                    let cells = try Self.fields(row)
                    guard cells.count == header.count, Double(cells[payG]) == 0, let cost = Double(cells[list]), cost > 0 else { continue }
                    #expect(abs(cost - 8 * 0.2 / 10) < 1e-12)
                    listed += 1
                }
            }
            #expect(listed == 1, "the price sheet's list price is in the amortized partition")
        }
    }

    /// Text where the costs' rules want a number: the export leaves the rules to the view,
    /// whose value the writer then refuses by name.
    @Test func aCostThatIsNotANumberIsLeftToTheView() throws {
        try withStore(.sqlite) { db in
            try loadSyntheticMonths(db)
            let database = try CostDatabase(path: db)
            let partition = try database.pool.write { db -> Row in
                let row = try #require(try Row.fetchOne(db, sql: "SELECT Scope, BillingPeriod, Metric, FirstRowId FROM partitions LIMIT 1"))
                try db.execute(sql: "UPDATE cost_fact SET ListCost = 'n/a' WHERE rowid = ?", arguments: [row[3]])
                return row
            }
            let filter = [("Scope", partition[0] as String), ("BillingPeriod", partition[1] as String), ("Metric", partition[2] as String)]
                .map { (column: $0.0, value: $0.1) }
            let store = try DatabaseLocation.openForReading(db)
            let dir = TempDir()
            #expect(try DimensionedExport(filter: filter, compression: .zstd).write(store, to: dir.path("p.parquet"), metadata: []) == nil)
            #expect(!FileManager.default.fileExists(atPath: dir.path("p.parquet")))
            do {
                _ = try PartitionExport(view: LakeLayout.costDetails, filter: filter, compression: .zstd)
                    .write(store, to: dir.path("p.parquet"), metadata: [])
                Issue.record("a ListCost of text was written")
            } catch {
                #expect("\(error)".contains("ListCost") && "\(error)".contains("not a number"), "\(error)")
            }
        }
    }

    /// Exports every current partition both ways and hands `compare` the two files and their
    /// rows (each row as the CSV text `ParquetCSVSource` reads it, the header first).
    func compareExports(_ db: String, _ compare: ((path: String, rows: [String]), (path: String, rows: [String])) -> Void) throws {
        let store = try DatabaseLocation.openForReading(db)
        let partitions = try store.reading { try $0.read("SELECT Scope, BillingPeriod, Metric FROM partitions", [:]) }
        #expect(partitions.rows.count == 4)
        let dir = TempDir()
        for (n, key) in partitions.rows.enumerated() {
            let filter = [("Scope", key[0].string!), ("BillingPeriod", key[1].string!), ("Metric", key[2].string!)]
                .map { (column: $0.0, value: $0.1) }
            let fast = dir.path("\(n)-fast.parquet")
            let wide = dir.path("\(n)-wide.parquet")
            // Every dimension registered; or every one joined to the fact rows (as a dimension
            // with many rows in the partition is); or AdditionalInfo found past its byte budget
            // while registering, and the file begun again with it joined.
            var dimensioned = DimensionedExport(filter: filter, compression: .zstd)
            dimensioned.rowGroupRows = 1024
            switch n % 4 {
            case 1:
                dimensioned.registeredRowsLimit = 0
                dimensioned.registeredBytesLimit = 0
            case 2: dimensioned.registeredBytesLimit = 64
            default: break
            }
            let written = try dimensioned.write(store, to: fast, metadata: [])
            let rows = try #require(written, "the store's views map onto the lake's columns")
            #expect(rows.read == "cost_details_keys")
            switch n % 4 {
            case 1: #expect(rows.joined == DimensionedExport.dimensions.map(\.table), "\(rows.joined)")
            // Both unsummarised dimensions share the budget (the synthetic rows have extra columns).
            case 2: #expect(rows.joined == ["dim_info", "dim_extra"], "\(rows.joined)")
            default: #expect(rows.joined == [], "\(rows.joined)")
            }
            #expect(rows.rows > 1_000)
            var export = PartitionExport(view: LakeLayout.costDetails, filter: filter, compression: .zstd)
            export.readsDimensionsOnce = false
            export.rowGroupRows = 1024
            let other = try export.write(store, to: wide, metadata: [])
            #expect(other.rows == rows.rows && other.cost.keys == rows.cost.keys)
            for (currency, total) in rows.cost { #expect(abs(total - other.cost[currency]!) < 1e-6) }
            let a = try Self.text(fast)
            let b = try Self.text(wide)
            #expect(a.count == rows.rows + 1)
            compare((fast, a), (wide, b))
            // The dimensions' values are there (the tags' JSON, quoted).
            #expect(a.contains { $0.contains("\"{") })
        }
    }

    /// A CSV line's fields, as the loader's own `CSVReader` reads them (quoted fields unquoted).
    static func fields(_ line: String) throws -> [String] {
        let reader = CSVReader(source: MemoryByteSource(name: "row.csv", bytes: Array(line.utf8)))
        guard try reader.next() else { return [] }
        return (0..<reader.fieldCount).map { reader.string(of: $0) }
    }

    static func text(_ path: String) throws -> [String] {
        let source = try ParquetCSVSource(path: path)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
            if n == 0 { break }
            bytes += buffer[0..<n]
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
