import CostwhLoad

/// The views analysts (and their AI assistants) should read, what each answers fastest, and
/// their columns with one line of meaning each. The columns are read from the warehouse
/// itself, so the guide never names one that is not there.
package enum SchemaGuide {
    package struct View: Sendable {
        package let name: String
        package let grain: String
        package let useFor: String
    }

    /// In the order a newcomer should consider them: the coarsest view that has the columns
    /// a question needs is the fastest.
    package static let views: [View] = [
        View(
            name: "cost_comparison_totals", grain: "scope × billing period × currency",
            useFor:
                "actual versus amortized cost of a month and what makes up the difference (commitment purchases, amortized usage, unused reservations and savings plans); the fastest answer to 'what did we spend'"
        ),
        View(
            name: "cost_month_over_month", grain: "scope × billing period × currency",
            useFor: "how each month's actual and amortized cost changed from the month before, in money and percent"),
        View(
            name: "cost_comparison_daily", grain: "scope × billing period × day × currency",
            useFor: "daily actual and amortized cost series"),
        View(
            name: "cost_summary",
            grain:
                "load × currency × charge type × pricing model × account × resource × product × tag set (no Date)",
            useFor:
                "totals by subscription, resource group, resource, meter, service or tag over any months; tens of times faster than cost_details"
        ),
        View(
            name: "cost_daily_summary", grain: "load × day × currency × charge type × pricing model × product",
            useFor: "daily series by meter category, meter, service family or product"),
        View(
            name: "cost_details", grain: "one cost record",
            useFor:
                "anything the summaries cannot answer: per-resource days, AdditionalInfo, filters on any column. Always filter on BillingPeriod (and Scope, Metric): a partition is read as a contiguous range"
        ),
        View(
            name: "focus_costs", grain: "one cost record in FOCUS terms (actual and amortized joined)",
            useFor:
                "FinOps Foundation FOCUS columns: BilledCost (invoiced), EffectiveCost (amortized), ListCost, ContractedCost, charge categories; for comparing with other clouds"
        ),
        View(
            name: "reservation_utilization", grain: "scope × billing period × currency × reservation",
            useFor: "how much of each reservation was used and how much was wasted (unused cost)"),
        View(
            name: "savings_plan_utilization", grain: "scope × billing period × currency × savings plan",
            useFor: "how much of each savings plan was used and how much was wasted (unused cost)"),
        View(
            name: "partition_changes", grain: "one change between successive loads of a partition and currency",
            useFor:
                "restatements: months whose cost changed after they were loaded, and whether they were already closed"
        ),
        View(
            name: "price_sheet", grain: "one price of the price sheet dataset",
            useFor: "negotiated and market prices per meter"),
        View(
            name: "reservation_transactions", grain: "one reservation purchase, refund or exchange",
            useFor: "commitment purchases and refunds as Azure booked them"),
        View(
            name: "reservation_details", grain: "one reservation × day",
            useFor: "reserved versus used hours per reservation and day"),
        View(
            name: "balance_summary", grain: "one EA balance and usage summary per billing period",
            useFor: "prepayment (Azure commitment) balance, usage and overage"),
        View(
            name: "marketplace_charges", grain: "one Azure Marketplace charge",
            useFor: "third-party Marketplace charges of EA accounts"),
        View(
            name: "billing_periods", grain: "one billing period of a scope",
            useFor: "billing period dates and their invoice ids"),
        View(
            name: "partitions", grain: "one loaded partition (scope × billing period × metric)",
            useFor: "what is loaded: row counts, cost totals and the current load of each month"),
        View(
            name: "loads", grain: "one load attempt (the ledger)",
            useFor: "when each partition was loaded, from which source, with which status or error"),
    ]

    /// One view's columns as the warehouse has them, with the engine's type of each. `view`
    /// is one of `views` (it is spliced into the SQL).
    package static func columns(of view: String, _ reader: any StoreReader) throws -> [(name: String, type: String)] {
        precondition(views.contains { $0.name == view }, "not a guided view: \(view)")
        // Both stores name the columns of an empty answer as the schema spells them.
        let names = try reader.read("SELECT * FROM \(view) WHERE 1 = 0", [:]).columns
        let sql: String
        switch reader.dialect {
        case .sqlite:
            sql = "SELECT name AS Name, type AS Type FROM pragma_table_info(:view)"
        case .postgres:
            sql = """
                SELECT column_name AS Name, data_type AS Type FROM information_schema.columns
                WHERE table_schema = current_schema() AND table_name = lower(:view)
                """
        }
        let table = try reader.read(sql, ["view": .text(view)])
        var types: [String: String] = [:]
        for i in table.rows.indices {
            guard let name = table.value(i, "Name").string else { continue }
            types[name.lowercased()] = (table.value(i, "Type").string ?? "").lowercased()
        }
        return names.map { ($0, types[$0.lowercased()] ?? "") }
    }

    /// The meaning of a column of a view, never empty.
    package static func meaning(of column: String, in view: String) -> String {
        if let specific = ColumnMeanings.byView[view]?[column] { return specific }
        if let shared = ColumnMeanings.shared[column] { return shared }
        if view.hasPrefix("cost_") || view == "focus_costs" {
            return "Azure's cost-details field \(column), under Microsoft's name for it (EA, MCA and pay-as-you-go schemas map onto it)"
        }
        return "the \(view) dataset's field \(column), as Azure's API names it"
    }

    /// The guide as Markdown: the resource hosts can read, and `describe_schema`'s text.
    package static func markdown(_ described: [(view: View, columns: [(name: String, type: String)])]) -> String {
        var text = """
            # The costwh warehouse: which view to read

            Money columns are in the billing currency of their row (`BillingCurrency`); never add \
            different currencies. `Metric` is `ActualCost` (as invoiced: purchases when bought) or \
            `AmortizedCost` (commitment purchases spread over their term, unused commitment shown as \
            such); never add the two metrics together. `BillingPeriod` is `YYYY-MM`. Filter on \
            `BillingPeriod` first: each month is stored as one partition.

            Pick the coarsest view that has the columns you need:

            """
        for (view, columns) in described {
            text += "\n## \(view.name)\n\nOne row per \(view.grain). Use it for \(view.useFor).\n\n"
            for column in columns {
                text += "- `\(column.name)`\(column.type.isEmpty ? "" : " (\(column.type))"): "
                text += meaning(of: column.name, in: view.name) + "\n"
            }
        }
        return text
    }
}
