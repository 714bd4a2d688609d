import CostwhLoad
import CostwhModel
import CostwhPostgres
import CostwhSynthetic
import CostwhTestSupport
import Foundation
import Testing

/// A load's table keeps `cost_fact`'s columns in an order that wastes less space on
/// alignment: the text columns behind the first one, so a row has one padding gap before
/// the 8-byte numbers instead of two (#31 §4).
@Suite struct LoadTableLayoutTests {
    static func column(_ name: String, text: Bool = false) -> LoadTableLayout.Column {
        .init(name: name, type: text ? "text" : "bigint", notNull: false, collation: nil, variableWidth: text)
    }

    @Test func theTextColumnsMoveUpBehindTheFirst() {
        let parent = [
            Self.column("loadid"), Self.column("date"), Self.column("chargetype", text: true),
            Self.column("pricingmodel", text: true), Self.column("cost"), Self.column("currency", text: true),
            Self.column("quantity"), Self.column("key"), Self.column("note", text: true),
        ]
        #expect(
            LoadTableLayout.ordered(parent).map(\.name) == [
                "loadid", "date", "chargetype", "pricingmodel", "currency", "note", "cost", "quantity", "key",
            ])
        let numbers = [Self.column("a"), Self.column("b")]
        #expect(LoadTableLayout.ordered(numbers) == numbers)
        let sql = LoadTableLayout.createSQL(
            table: "cost_fact_l7", loadId: 7,
            columns: [
                .init(name: "loadid", type: "bigint", notNull: true, collation: nil, variableWidth: false),
                .init(name: "tags", type: "text", notNull: false, collation: "\"C\"", variableWidth: true),
            ])
        #expect(
            sql
                == "CREATE TABLE cost_fact_l7 (loadid bigint NOT NULL, tags text COLLATE \"C\", "
                + "CONSTRAINT cost_fact_l7_load CHECK (LoadId = 7))")
    }

    @Test(.enabled(if: TestPostgres.available, .init(rawValue: TestPostgres.skipMessage)))
    func aLoadsTableIsSmallerThanInTheParentsOrder() throws {
        let dir = TempDir()
        try TestPostgres.withSchema { url in
            let file = dir.path("month.csv")
            _ = try CostCSVWriter(
                month: SyntheticMonth(
                    estate: SyntheticEstate(scope: eaScope, resources: 40),
                    period: try BillingPeriod(parsing: "2023-10"), rows: 600)
            ).write(.actualCost, toFile: file)
            let load = try #require(
                try loadFile(url, file, scope: eaScope.id, period: "2023-10", metric: "actual").first)
            #expect(load.rowsLoaded > 300)
            let store = try TestPostgres.store(url)
            let table = "cost_fact_l\(load.loadId)"
            func columns(_ relation: String) throws -> [(name: String, type: String, notNull: Bool)] {
                try store.query(
                    """
                    SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull FROM pg_attribute a
                    WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum
                    """, [.text(relation)]
                ).rows.map { ($0[0].string ?? "", $0[1].string ?? "", $0[2].int == 1) }
            }
            let parent = try columns("cost_fact")
            let leaf = try columns(table)
            // The same columns, types and NOT NULLs (ATTACH checked them too), BillingPeriod
            // last (added after the copy), and the text columns together.
            #expect(leaf.count == parent.count)
            for column in parent {
                let match = leaf.first { $0.name == column.name }
                #expect(match?.type == column.type && match?.notNull == column.notNull, "\(column.name)")
            }
            #expect(leaf.last?.name == "billingperiod")
            let names = leaf.map(\.name)
            let texts = leaf.dropLast().enumerated().filter { $0.element.type == "text" }.map(\.offset)
            #expect(texts.count >= 3)
            #expect(texts == Array((texts.first ?? 0)..<((texts.first ?? 0) + texts.count)), "\(names)")
            #expect(names.firstIndex(of: "billingcurrency") == names.firstIndex(of: "pricingmodel").map { $0 + 1 })
            // Each row takes fewer bytes than the same values in the parent's order.
            let leafOrder = names.dropLast().joined(separator: ", ")
            let parentOrder = parent.map(\.name).filter { $0 != "billingperiod" }.joined(separator: ", ")
            let sizes = try #require(
                try store.query(
                    "SELECT SUM(pg_column_size(ROW(\(leafOrder)))), SUM(pg_column_size(ROW(\(parentOrder)))), COUNT(*) FROM \(table)"
                ).rows.first)
            let (stored, inParentOrder) = (try #require(sizes[0].int), try #require(sizes[1].int))
            #expect(sizes[2].int == load.rowsLoaded)
            #expect(stored < inParentOrder, "\(stored) bytes against \(inParentOrder)")
            // And the rows read back through cost_details.
            let total = try store.query("SELECT SUM(CostInBillingCurrency), COUNT(*) FROM cost_details").rows.first
            #expect(abs((total?[0].double ?? .nan) - load.costTotal) < 1e-6)
            #expect(total?[1].int == load.rowsLoaded)
        }
    }
}
