import CostwhLoad
import CostwhModel
import CostwhSQLite
import CostwhTestSupport
import Foundation
import GRDB
import Testing

@Suite struct SampleLoadTests {
    @Test func loadsTheMicrosoftSamplesExactly() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        let actual = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        let amortized = try load(db, [fixture("finops-toolkit/EA_AmortizedCost_Small.csv")], metric: .amortizedCost)

        #expect(actual.rowsRead == 11 && actual.rowsLoaded == 11 && actual.rowsRejected == 0)
        #expect(amortized.rowsRead == 28 && amortized.rowsLoaded == 28)
        // Expected sums from Python's decimal module over the same files (see Tests/Fixtures/README.md).
        #expect(abs(try partitionState(db).cost - 8.5450077867419368) < 1e-12)
        #expect(abs(try partitionState(db, metric: .amortizedCost).cost - 16.29693213663664462748541900) < 1e-12)
        #expect(abs(actual.costTotal - 8.5450077867419368) < 1e-12)
        #expect(actual.currencies == ["USD"])

        try db.pool.read { db in
            let byType = try Row.fetchAll(
                db,
                sql: """
                    SELECT ChargeType, PricingModel, TOTAL(CostInBillingCurrency) AS c, COUNT(*) AS n FROM cost_details
                    WHERE Metric = 'ActualCost' GROUP BY 1, 2 ORDER BY 1, 2
                    """)
            #expect(
                byType.map { "\($0["ChargeType"] as String):\($0["PricingModel"] as String)" } == [
                    "Purchase:Reservation", "Usage:OnDemand",
                ])
            #expect(abs((byType[0]["c"] as Double) - 3.25) < 1e-12)
            #expect(abs((byType[1]["c"] as Double) - 5.2950077867419368) < 1e-12)

            let dates = try String.fetchAll(
                db, sql: "SELECT DISTINCT Date FROM cost_details WHERE Metric = 'ActualCost' ORDER BY 1")
            #expect(dates == ["2023-09-04", "2023-09-05", "2023-09-21"])

            // EA tags arrive without braces; stored as JSON objects SQLite can query.
            let envs = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM cost_details WHERE json_extract(Tags, '$.env') = 'prod'")!
            #expect(envs > 0)
            let invalid = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM cost_details WHERE Tags IS NOT NULL AND json_valid(Tags) = 0")!
            #expect(invalid == 0)
            let info = try String.fetchOne(
                db,
                sql:
                    "SELECT json_extract(AdditionalInfo, '$.ServiceType') FROM cost_details WHERE AdditionalInfo LIKE '%Standard_DS2_v2%' LIMIT 1"
            )
            #expect(info == "Standard_DS2_v2")

            // The purchase row keeps every field, the other dates in ISO form.
            let purchase = try Row.fetchOne(db, sql: "SELECT * FROM cost_details WHERE ChargeType = 'Purchase'")!
            #expect(purchase["BillingPeriodStartDate"] == "2023-09-01")
            #expect(purchase["BillingPeriodEndDate"] == "2023-09-30")
            #expect(purchase["ProductOrderName"] == "Reserved VM Instance, Standard_B1s, UK South, 3 Years")
            #expect(purchase["Term"] == "36")
            #expect(purchase["Frequency"] == "Recurring")
            #expect(purchase["ProductName"] == "Virtual Machines BS Series - B1s - UK South")
            #expect(purchase["InvoiceSectionName"] == "ACM")
            #expect(purchase["AccountOwnerId"] == "acm@testea.onmicrosoft.com")
            #expect((purchase["UnitPrice"] as Double) == 3.25)
            #expect(purchase["ExtraColumns"] == nil as String?)
        }
    }

    @Test func headerOnlyFileGivesAnEmptyPartition() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        _ = try load(db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")])
        let summary = try load(db, [fixture("finops-toolkit/EA_NoRows.csv")])
        #expect(summary.status == .succeeded && summary.rowsRead == 0)
        #expect(try partitionState(db).rows == 0)
        let count = try db.pool.read { try Int.fetchOne($0, sql: "SELECT RowCount FROM partitions") }
        #expect(count == 0)
    }

    @Test func reloadingTheSameFileLeavesTheSameRows() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        let first = try load(db, [fixture("finops-toolkit/EA_AmortizedCost_Small.csv")])
        let before = try dump(db)
        let second = try load(db, [fixture("finops-toolkit/EA_AmortizedCost_Small.csv")])
        #expect(try dump(db) == before)
        #expect(before.count == 28)
        #expect(second.replacedLoadId == first.loadId)
        #expect(second.contentHash == first.contentHash && first.contentHash != nil)
        // The replaced load's rows are purged, not just hidden.
        let factRows = try db.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM cost_fact") }
        #expect(factRows == 28)
        // Dimension rows are shared, not duplicated, across loads.
        let dims = try db.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM dim_resource") }
        let distinct = try db.pool.read {
            try Int.fetchOne($0, sql: "SELECT COUNT(DISTINCT ResourceKey) FROM cost_fact")
        }
        #expect(dims == distinct)
    }

    @Test func gzipAndMultiblobFilesLoadAsOnePartition() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        let plain = try Data(contentsOf: URL(fileURLWithPath: fixture("finops-toolkit/EA_ActualCost_Small.csv")))
        let gz = dir.write("part2.csv.gz", bytes: gzipBytes(Array(plain)))
        let summary = try load(
            db, [fixture("finops-toolkit/EA_ActualCost_Small.csv"), gz, fixture("finops-toolkit/EA_NoRows.csv")])
        #expect(summary.rowsLoaded == 22)
        #expect(abs(try partitionState(db).cost - 2 * 8.5450077867419368) < 1e-12)
        let parts = try db.pool.read {
            try Int.fetchAll($0, sql: "SELECT DISTINCT SourcePart FROM cost_details ORDER BY 1")
        }
        #expect(parts == [0, 1])
    }

    @Test func unknownColumnsAreKeptAsJSON() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        let file = dir.write("x.csv", "Date,Cost,Team Name,Weird\"Header\n2023-09-01,1.5,\"Blue, Inc\",q\n")
        _ = try load(db, [file])
        let extra = try db.pool.read { try String.fetchOne($0, sql: "SELECT ExtraColumns FROM cost_details") }
        #expect(extra == #"{"Team Name":"Blue, Inc","Weird\"Header":"q"}"#)
        let team = try db.pool.read {
            try String.fetchOne($0, sql: "SELECT json_extract(ExtraColumns, '$.\"Team Name\"') FROM cost_details")
        }
        #expect(team == "Blue, Inc")
    }

    @Test func scopesWrittenTwoWaysShareAPartition() throws {
        let dir = TempDir()
        let db = try CostDatabase(path: dir.path("w.sqlite"))
        _ = try load(
            db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")],
            scope: try Scope(parsing: "providers/Microsoft.Billing/billingAccounts/8611537"))
        _ = try load(
            db, [fixture("finops-toolkit/EA_ActualCost_Small.csv")],
            scope: try Scope(parsing: "/PROVIDERS/microsoft.billing/billingaccounts/8611537/"))
        let partitions = try db.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM partitions") }
        #expect(partitions == 1)
        #expect(try partitionState(db).rows == 11)
    }
}

func gzipBytes(_ bytes: [UInt8]) -> [UInt8] {
    let dir = TempDir()
    let input = dir.write("in", bytes: bytes)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-k", "-n", input]
    try! process.run()
    process.waitUntilExit()
    return Array(try! Data(contentsOf: URL(fileURLWithPath: input + ".gz")))
}
