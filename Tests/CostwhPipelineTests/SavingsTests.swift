import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhQuery
import CostwhTestSupport
import Foundation
import Testing

/// Savings on Microsoft's own EA samples (the FinOps toolkit's test assets), checked against
/// figures computed by hand from the files' rows.
@Suite struct SavingsTests {
    static let scope = "/providers/Microsoft.Billing/billingAccounts/8611537"

    /// One row of `costwh query savings`, by column name.
    static func savings(_ db: String, by: String? = nil) throws -> [[String: StoreValue]] {
        let table = try Query.run(
            QueryOptions(databasePath: db, name: "savings", periods: try PeriodRange(parsing: "2023-09"), by: by))
        return table.rows.map { row in
            Dictionary(uniqueKeysWithValues: zip(table.columns, row))
        }
    }

    static func number(_ row: [String: StoreValue], _ column: String) -> Double {
        row[column]?.double ?? .nan
    }

    @Test func savingsOfTheToolkitsEASamples() throws {
        let dir = TempDir()
        let db = dir.path("w.sqlite")
        loadFixtures(db)
        let plain = try #require(try SavingsTests.savings(db).first)
        // By hand, from EA_AmortizedCost_Small.csv (28 rows, no commitment purchases):
        // the reservation-covered row has PayGPrice 0 (no list price): ContractedCost
        // 8 × 0.146 = 1.168, EffectiveCost 0.493152; the savings-plan row: 0.32085564 × 0.0416 =
        // 0.013347594624 list and contracted, 0.006000000468 effective. Every on-demand row has
        // PayGPrice = UnitPrice, so its list, contracted and effective costs agree (to 1e-11).
        let commitment = (1.168 - 0.493152) + (0.013347594624 - 0.006000000468)
        #expect(abs(SavingsTests.number(plain, "CommitmentSavings") - commitment) < 1e-6, "\(plain)")
        #expect(SavingsTests.number(plain, "NegotiatedSavings") == 0)
        #expect(abs(SavingsTests.number(plain, "EffectiveCost") - 16.296932) < 1e-6)
        // The row without a list price is counted, with its cost, not silently taken as no savings.
        #expect(plain["RowsWithoutListPrice"]?.int == 1)
        #expect(abs(SavingsTests.number(plain, "CostWithoutListPrice") - 0.493152) < 1e-9)
        SavingsTests.expectTheyAddUp(plain)

        // A price sheet gives the reservation's meter its list price, 0.20 an hour: the
        // negotiated savings of the row are 8 × (0.20 - 0.146) = 0.432.
        let sheet = dir.write(
            "pricesheet.csv",
            """
            BasePrice,CurrencyCode,EffectiveEndDate,EffectiveStartDate,IncludedQuantity,MarketPrice,MeterId,MeterCategory,MeterName,MeterSubCategory,MeterRegion,MeterType,PartNumber,priceType,Product,ProductID,ServiceFamily,SkuID,Term,UnitOfMeasure,UnitPrice
            0.2,USD,2023-09-30,2023-09-01,0,0.2,14fc9a21-4919-4cb1-b495-5666966556bc,Virtual Machines,D2s v3,,US East,,AAA-1,Consumption,VM,P1,Compute,S1,,1 Hour,0.146
            1752,USD,2023-09-30,2023-09-01,0,1752,14fc9a21-4919-4cb1-b495-5666966556bc,Virtual Machines,D2s v3,,US East,,AAA-1,ReservedInstance,VM,P1,Compute,S1,P1Y,1 Hour,1280

            """)
        let loaded = try LoadFiles.run(
            {
                var o = LoadFilesOptions(
                    databasePath: db, files: [sheet], scope: try Scope(parsing: SavingsTests.scope),
                    period: try BillingPeriod(parsing: "2023-09"), metric: nil)
                o.dataset = .priceSheet
                return o
            }(), logger: quietLogger)
        #expect(loaded.first?.rowsLoaded == 2)
        let priced = try #require(try SavingsTests.savings(db).first)
        #expect(abs(SavingsTests.number(priced, "NegotiatedSavings") - 0.432) < 1e-9, "\(priced)")
        #expect(abs(SavingsTests.number(priced, "CommitmentSavings") - commitment) < 1e-6)
        #expect(priced["RowsWithoutListPrice"]?.int == 0)
        SavingsTests.expectTheyAddUp(priced)
        // Per row, in cost_details and focus_costs.
        let store = try DatabaseLocation.open(db)
        let rows = try store.reading { reader in
            try reader.read(
                """
                SELECT c.ListCost, c.ContractedCost, c.EffectiveCost, f.ListCost, f.ContractedCost, f.EffectiveCost
                FROM cost_details c JOIN focus_costs f ON f.x_SkuMeterId = c.MeterId AND substr(f.ChargePeriodStart, 1, 10) = c.Date
                WHERE c.Metric = 'AmortizedCost' AND c.PricingModel = 'Reservation' AND f.x_PricingModel = 'Reservation'
                """, [:])
        }.rows
        try #require(rows.count == 1)
        let expected: [Double] = [1.6, 1.168, 0.493152, 1.6, 1.168, 0.493152]
        for (value, want) in zip(rows[0], expected) { #expect(abs((value.double ?? .nan) - want) < 1e-9, "\(rows[0])") }
        // The analysts' view (a scalar subquery per dimension column) and the whole-row view
        // (joins) agree on every row and column, the price sheet's list price included.
        let agree = try store.reading { reader in
            try reader.read(
                """
                SELECT (SELECT COUNT(*) FROM (SELECT * FROM cost_details EXCEPT SELECT * FROM cost_details_wide)),
                    (SELECT COUNT(*) FROM (SELECT * FROM cost_details_wide EXCEPT SELECT * FROM cost_details)),
                    (SELECT COUNT(*) FROM cost_details), (SELECT COUNT(*) FROM cost_details_wide),
                    (SELECT COUNT(*) FROM cost_details WHERE ListCost > 0 AND PayGPrice = 0)
                """, [:])
        }.rows[0].map { $0.int ?? -1 }
        #expect(agree[0] == 0 && agree[1] == 0, "rows that differ between the views: \(agree)")
        #expect(agree[2] > 0 && agree[2] == agree[3])
        #expect(agree[4] == 1, "the price sheet's list price is read through the analysts' view")
        // The export's view (fact columns and keys, the list price looked up only where it is
        // needed) gives cost_details' values on every row, the price sheet's list price included.
        let factColumns =
            "Scope, BillingPeriod, Metric, LoadId, Date, ChargeType, PricingModel, CostInBillingCurrency, BillingCurrency, Quantity, EffectivePrice, UnitPrice, PayGPrice, BilledCost, EffectiveCost, ListCost, ContractedCost, SourcePart, SourceLine"
        let keyed = try store.reading { reader in
            try reader.read(
                """
                SELECT (SELECT COUNT(*) FROM (SELECT \(factColumns) FROM cost_details_keys EXCEPT SELECT \(factColumns) FROM cost_details)),
                    (SELECT COUNT(*) FROM (SELECT \(factColumns) FROM cost_details EXCEPT SELECT \(factColumns) FROM cost_details_keys)),
                    (SELECT COUNT(*) FROM cost_details_keys WHERE ListCost > 0 AND PayGPrice = 0)
                """, [:])
        }.rows[0].map { $0.int ?? -1 }
        #expect(keyed == [0, 0, 1], "cost_details_keys against cost_details: \(keyed)")
        // By meter category, the savings are all in Virtual Machines, and every group adds up.
        let groups = try SavingsTests.savings(db, by: "meter-category")
        let vm = try #require(groups.first { $0["Group"]?.string == "Virtual Machines" })
        #expect(abs(SavingsTests.number(vm, "TotalSavings") - (0.432 + commitment)) < 1e-6)
        for group in groups { SavingsTests.expectTheyAddUp(group) }
    }

    /// MCA prices are in the pricing currency: list and contracted costs are converted with
    /// the row's ExchangeRatePricingToBilling. Unused commitment hours are waste: no list or
    /// contracted cost, so they lower the commitment savings.
    @Test func pricesAreConvertedAndUnusedCommitmentsCount() throws {
        let dir = TempDir()
        let db = dir.path("w.sqlite")
        let file = dir.write(
            "mca.csv",
            """
            billingAccountId,billingProfileId,date,meterId,meterCategory,quantity,unitPrice,PayGPrice,effectivePrice,costInBillingCurrency,billingCurrency,pricingCurrency,exchangeRatePricingToBilling,chargeType,pricingModel
            1234:5678_2019-05-31,AB12-CD34-BG7-TGB,2023-09-01,m-1,Virtual Machines,10,0.08,0.1,0.05,0.45,EUR,USD,0.9,Usage,Reservation
            1234:5678_2019-05-31,AB12-CD34-BG7-TGB,2023-09-01,m-2,Storage,100,0.02,0.02,0.02,1.8,EUR,USD,0.9,Usage,OnDemand
            1234:5678_2019-05-31,AB12-CD34-BG7-TGB,2023-09-02,m-1,Virtual Machines,4,0.05,0,0.05,0.18,EUR,USD,0.9,UnusedReservation,Reservation

            """)
        _ = try loadFile(
            db, file,
            scope:
                "/providers/Microsoft.Billing/billingAccounts/1234:5678_2019-05-31/billingProfiles/AB12-CD34-BG7-TGB",
            metric: "amortized")
        let row = try #require(try SavingsTests.savings(db).first)
        // List: 10 × 0.1 × 0.9 + 100 × 0.02 × 0.9 + 0 = 2.7; contracted: 10 × 0.08 × 0.9 + 1.8 + 0
        // = 2.52; effective: 0.45 + 1.8 + 0.18 = 2.43.
        #expect(abs(SavingsTests.number(row, "ListCost") - 2.7) < 1e-9, "\(row)")
        #expect(abs(SavingsTests.number(row, "ContractedCost") - 2.52) < 1e-9)
        #expect(abs(SavingsTests.number(row, "EffectiveCost") - 2.43) < 1e-9)
        #expect(abs(SavingsTests.number(row, "NegotiatedSavings") - 0.18) < 1e-9)
        #expect(abs(SavingsTests.number(row, "CommitmentSavings") - 0.09) < 1e-9)
        #expect(row["Currency"]?.string == "EUR")
        #expect(row["RowsWithoutListPrice"]?.int == 0)
        SavingsTests.expectTheyAddUp(row)
    }

    /// Per commitment order: the reservation's usage, the savings plan's, and the purchase
    /// of another reservation (in the actual cost only); utilisation from the cost rows until
    /// reservation details are loaded, then from their hours.
    @Test func commitmentsOfTheToolkitsEASamples() throws {
        let dir = TempDir()
        let db = dir.path("w.sqlite")
        loadFixtures(db)
        func commitments() throws -> [String: [String: StoreValue]] {
            let table = try Query.run(
                QueryOptions(databasePath: db, name: "commitments", periods: try PeriodRange(parsing: "2023-09")))
            var out: [String: [String: StoreValue]] = [:]
            for row in table.rows {
                let named = Dictionary(uniqueKeysWithValues: zip(table.columns, row))
                out[named["CommitmentId"]?.string ?? "?"] = named
            }
            return out
        }
        let before = try commitments()
        let reservation = try #require(before["a965d46f-aedf-4176-8ff1-2617943b8960"], "\(before.keys)")
        #expect(reservation["Kind"]?.string == "Reservation")
        #expect(reservation["UsedHours"]?.double == 8)
        #expect(abs(SavingsTests.number(reservation, "UsedCost") - 0.493152) < 1e-9)
        #expect(abs(SavingsTests.number(reservation, "Savings") - (1.168 - 0.493152)) < 1e-9)
        #expect(reservation["UtilizationPercent"]?.double == 100)
        #expect(reservation["UtilizationSource"]?.string == "cost-rows")
        let plan = try #require(before["802a9e8b-e860-4d5f-b63b-c5bdf7ee2446"])
        #expect(plan["Kind"]?.string == "SavingsPlan")
        #expect(abs(SavingsTests.number(plan, "Savings") - (0.013347594624 - 0.006000000468)) < 1e-6)
        let purchase = try #require(before["49ed0e4d-8e0c-4f1f-af2c-67c865056615"])
        #expect(SavingsTests.number(purchase, "PurchaseCost") == 3.25)
        // Azure's reservation details for the order: 20 of 24 hours used on the day.
        let details = dir.write(
            "details.csv",
            """
            InstanceFlexibilityGroup,InstanceFlexibilityRatio,InstanceName,Kind,ReservationId,ReservationOrderId,ReservedHours,SkuName,TotalReservedQuantity,UsageDate,UsedHours
            DSv3 Series,1,vm1,Reservation,f39d1c73-af74-4308-9083-fbf5efab37d1,a965d46f-aedf-4176-8ff1-2617943b8960,24,Standard_D2s_v3,1,2023-09-22,20

            """)
        var options = LoadFilesOptions(
            databasePath: db, files: [details], scope: try Scope(parsing: SavingsTests.scope),
            period: try BillingPeriod(parsing: "2023-09"), metric: nil)
        options.dataset = .reservationDetails
        #expect(try LoadFiles.run(options, logger: quietLogger).first?.rowsLoaded == 1)
        let after = try #require(try commitments()["a965d46f-aedf-4176-8ff1-2617943b8960"])
        #expect(after["UtilizationSource"]?.string == "reservation-details")
        #expect(abs(SavingsTests.number(after, "UtilizationPercent") - 83.33) < 1e-9)
        #expect(after["UsedHours"]?.double == 20 && after["UnusedHours"]?.double == 4)
    }

    /// NegotiatedSavings + CommitmentSavings = TotalSavings, exactly.
    static func expectTheyAddUp(_ row: [String: StoreValue]) {
        let n = number(row, "NegotiatedSavings"), c = number(row, "CommitmentSavings"), t = number(row, "TotalSavings")
        #expect(n + c == t, "\(n) + \(c) != \(t)")
        if let list = row["ListCost"]?.double, list != 0, let rate = row["EffectiveSavingsRate"]?.double {
            #expect(abs(rate - t / list) < 1e-6)
        }
    }

    func loadFixtures(_ db: String) {
        for (file, metric) in [("EA_AmortizedCost_Small.csv", "amortized"), ("EA_ActualCost_Small.csv", "actual")] {
            #expect(throws: Never.self) {
                try loadFile(db, fixture("finops-toolkit/\(file)"), scope: SavingsTests.scope, metric: metric)
            }
        }
    }
}
