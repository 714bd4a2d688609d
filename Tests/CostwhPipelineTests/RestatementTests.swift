import CostwhLoad
import CostwhModel
import CostwhPipeline
import CostwhQuery
import CostwhTestSupport
import Foundation
import GRDB
import Testing

/// A month as a list of rows whose costs are whole millionths, so a test knows every
/// expected delta exactly.
struct KnownMonth {
    struct Row {
        var day: Int
        var subscription: String
        var resourceGroup: String
        var meterCategory: String
        var units: Int64
    }

    var rows: [Row]

    /// 60 rows over 10 days, 3 subscriptions, 4 resource groups, 2 meter categories.
    static let base = KnownMonth(
        rows: (0..<60).map { i in
            Row(
                day: i % 10 + 1, subscription: "sub-\(i % 3)", resourceGroup: "rg\(i % 4)",
                meterCategory: i % 2 == 0 ? "Virtual Machines" : "Storage", units: Int64(i) * 370_000 + 11_001)
        })

    var csv: String {
        var text =
            "BillingAccountId,SubscriptionId,Date,MeterCategory,Cost,BillingCurrency,ResourceGroup,ChargeType,PricingModel\n"
        for row in rows {
            let fraction = String(row.units.magnitude % 1_000_000)
            let cost =
                (row.units < 0 ? "-" : "") + "\(row.units.magnitude / 1_000_000)."
                + String(repeating: "0", count: 6 - fraction.count) + fraction
            text +=
                "8611537,\(row.subscription),2023-09-\(row.day < 10 ? "0" : "")\(row.day),\(row.meterCategory),\(cost),USD,\(row.resourceGroup),Usage,OnDemand\n"
        }
        return text
    }

    var units: Int64 { rows.reduce(0) { $0 + $1.units } }

    /// The cost per group, as the breakdown names groups.
    func units(by key: (Row) -> String) -> [String: Int64] {
        rows.reduce(into: [:]) { $0[key($1), default: 0] += $1.units }
    }

    static func day(_ row: Row) -> String { "2023-09-\(row.day < 10 ? "0" : "")\(row.day)" }
}

/// The restated version: two rows repriced on known days and subscriptions, one row removed,
/// one added for a subscription that had none.
func restated(_ month: KnownMonth) -> KnownMonth {
    var rows = month.rows
    rows[5].units += 1_250_000  // day 6, sub-2
    rows[17].units += 2_500_001  // day 8, sub-2
    rows.remove(at: 42)  // day 3, sub-0
    rows.append(
        KnownMonth.Row(day: 11, subscription: "sub-9", resourceGroup: "rg9", meterCategory: "Storage", units: 9_990_000)
    )
    return KnownMonth(rows: rows)
}

/// The JSON `costwh changes --format json` prints, parsed.
func changesJSON(_ options: ChangesOptions) throws -> [[String: Any]] {
    let text = TableFormatter.render(try Changes.run(options), as: .json)
    return try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]])
}

/// A JSON number of the output, back in millionths.
func units(_ value: Any?) -> Int64? {
    (value as? NSNumber).map { Int64(($0.doubleValue * 1_000_000).rounded()) }
}

@Suite struct RestatementTests {
    @Test func sqlite() throws { try restatementsAreReportedExactly(.sqlite) }

    @Test(.enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
    func postgres() throws { try restatementsAreReportedExactly(.postgres) }

    /// Load a month, an identical reload, a restated version and a second restatement; the
    /// changes, their breakdowns by day and subscription and the view agree with what was
    /// changed, to the millionth.
    func restatementsAreReportedExactly(_ backend: Backend) throws {
        let dir = TempDir()
        let first = KnownMonth.base
        let second = restated(first)
        var third = second
        third.rows[58].units -= 30_500_000  // day 9, sub-1: a credit turns it negative
        try withStore(backend) { db in
            let a = try loadFile(db, dir.write("a.csv", first.csv))[0]
            let again = try loadFile(db, dir.write("a-again.csv", first.csv))[0]
            let all = ChangesOptions(databasePath: db, filter: ChangeFilter())
            // A first load is not a change, nor is an identical reload.
            #expect(try changesJSON(all).isEmpty, "\(backend)")
            let withNew = try changesJSON(ChangesOptions(databasePath: db, filter: ChangeFilter(withNew: true)))
            #expect(withNew.count == 1 && withNew.first?["LoadId"] as? Int == Int(a.loadId), "\(backend): \(withNew)")

            let b = try loadFile(db, dir.write("b.csv", second.csv))[0]
            let changes = try changesJSON(all)
            try #require(changes.count == 1, "\(backend): \(changes)")
            let change = changes[0]
            #expect(change["PreviousLoadId"] as? Int == Int(again.loadId))
            #expect(change["LoadId"] as? Int == Int(b.loadId))
            #expect(units(change["PreviousCost"]) == first.units)
            #expect(units(change["Cost"]) == second.units)
            #expect(units(change["Delta"]) == second.units - first.units)
            #expect(change["PreviousRows"] as? Int == 60 && change["Rows"] as? Int == 60)
            #expect(change["Currency"] as? String == "USD")
            #expect(change["Closed"] as? Int == 1, "September 2023 had settled long before these loads")

            let groupings: [(LoadHistory.Breakdown, (KnownMonth.Row) -> String)] = [
                (.day, { KnownMonth.day($0) }), (.subscription, { $0.subscription }),
            ]
            for (by, key) in groupings {
                let groups = try changesJSON(ChangesOptions(databasePath: db, filter: ChangeFilter(), by: by))
                let before = first.units(by: key), after = second.units(by: key)
                var expected: [String: Int64] = [:]
                for name in Set(before.keys).union(after.keys) where before[name] != after[name] {
                    expected[name] = (after[name] ?? 0) - (before[name] ?? 0)
                }
                var reported: [String: Int64] = [:]
                for row in groups { reported[row["Group"] as? String ?? "?"] = units(row["Delta"]) }
                #expect(reported == expected, "\(backend) by \(by)")
                // Largest absolute delta first, and the deltas add up exactly.
                let deltas = groups.compactMap { units($0["Delta"]) }
                #expect(deltas.map(\.magnitude) == deltas.map(\.magnitude).sorted(by: >))
                #expect(deltas.reduce(0, +) == second.units - first.units, "\(backend) by \(by)")
                #expect(groups.allSatisfy { units($0["PartitionDelta"]) == second.units - first.units })
            }
            // --top keeps the largest groups and adds up the rest, so the sum still holds.
            let top = try changesJSON(ChangesOptions(databasePath: db, filter: ChangeFilter(), by: .day, top: 1))
            #expect(top.count == 2 && (top.last?["Group"] as? String)?.contains("other groups") == true, "\(top)")
            #expect(top.compactMap { units($0["Delta"]) }.reduce(0, +) == second.units - first.units)

            // A third load: two changes, each against its predecessor.
            let c = try loadFile(db, dir.write("c.csv", third.csv))[0]
            let two = try changesJSON(all)
            #expect(two.map { $0["LoadId"] as? Int } == [Int(b.loadId), Int(c.loadId)], "\(backend)")
            #expect(two.map { $0["PreviousLoadId"] as? Int } == [Int(again.loadId), Int(b.loadId)])
            #expect(two.last.flatMap { units($0["Delta"]) } == -30_500_000)
            let byCharge = try changesJSON(
                ChangesOptions(
                    databasePath: db, filter: ChangeFilter(since: Ledger.now(Date(timeIntervalSinceNow: -3600))),
                    by: .chargeType))
            #expect(byCharge.compactMap { $0["Group"] as? String } == ["Usage/OnDemand", "Usage/OnDemand"])

            // The view gives analysts the same rows.
            let store = try DatabaseLocation.open(db)
            let view = try store.reading {
                try $0.read(
                    "SELECT LoadId, Delta, Closed FROM partition_changes ORDER BY LoadId", [:])
            }
            #expect(view.rows.map { $0[0].int } == [Int(b.loadId), Int(c.loadId)])
            #expect(
                view.rows.map { $0[1].double.map { Int64(($0 * 1_000_000).rounded()) } }
                    == two.map { units($0["Delta"]) })
            #expect(try historyProblems(store) == [])

            // The HTML report has a section on them, and where the largest happened.
            let html = dir.path("report-\(backend).html")
            try Report.write(databasePath: db, html: html, scope: nil, periods: try PeriodRange(parsing: "2023-09"))
            let page = try String(contentsOfFile: html, encoding: .utf8)
            let section = try #require(page.range(of: "Changes to months already loaded"), "\(backend)")
            let rest = page[section.upperBound...]
            #expect(rest.contains("-30.50"), "the third load's delta is listed")
            #expect(rest.contains("Where the largest changes happened") && rest.contains("sub-9"))

            // Closed follows settleDays: with a settling time of 2000 days, 2023-09 is still open.
            try store.setSetting(Settings.settleDays, to: "2000")
            #expect(try changesJSON(all).map { $0["Closed"] as? Int } == [0, 0])
            #expect(try changesJSON(ChangesOptions(databasePath: db, filter: ChangeFilter(closedOnly: true))).isEmpty)
            let overridden = ChangeFilter(closedOnly: true, settleDays: 10)
            #expect(try changesJSON(ChangesOptions(databasePath: db, filter: overridden)).count == 2)
        }
    }

    /// The settling rule at its edge: closed once the earlier load finished `settleDays`
    /// full days after the month ended.
    @Test(arguments: [
        ("2023-10-11T00:00:00.000Z", 10, true), ("2023-10-10T23:59:59.999Z", 10, false),
        ("2023-10-01T00:00:00.000Z", 0, true), ("2023-09-30T23:59:59.999Z", 0, false),
        ("2023-12-01T00:00:00.000Z", 100, false), ("2024-01-09T00:00:00.000Z", 100, true),
    ])
    func closedMonths(finishedAt: String, settleDays: Int, closed: Bool) {
        #expect(
            PartitionChanges.isClosed(period: "2023-09", loadFinishedAt: finishedAt, settleDays: settleDays) == closed)
    }

    /// The history is exact integer arithmetic on each row's cost rounded to a millionth;
    /// the loader rounds in Swift and the migrations and the overflow path in SQL, so the two
    /// must agree everywhere, halves and negative costs included.
    @Test(arguments: [
        0.0000005, -0.0000005, 0.0000004999, 1.25, -1.25, -2.0000015, 2.0000025, 0.1 + 0.2, 123_456_789.123456, 0,
    ])
    func costUnitsAgreeWithSQL(cost: Double) throws {
        let queue = try DatabaseQueue()
        let sql = try queue.read {
            try Int64.fetchOne($0, sql: "SELECT \(CostUnits.sqliteExpression("?"))", arguments: [cost, cost])
        }
        #expect(CostUnits.of(cost) == sql)
        let exact = [1.25: 1_250_000, -1.25: -1_250_000, 123_456_789.123456: 123_456_789_123_456] as [Double: Int64]
        if let expected = exact[cost] { #expect(CostUnits.of(cost) == expected) }
    }
}
