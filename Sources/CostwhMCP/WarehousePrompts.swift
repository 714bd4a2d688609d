import MCP

/// Prompts hosts offer their users: questions costwh answers well, with the tools to use.
enum WarehousePrompts {
    static let all: [Prompt] = [
        Prompt(
            name: "explain_monthly_change", title: "Explain a month's change",
            description: "Why did our Azure cost change from one month to the next, actual and amortized?",
            arguments: [
                .init(name: "month", description: "the billing month to explain, YYYY-MM (default: the last loaded)")
            ]),
        Prompt(
            name: "commitment_waste", title: "Where are we wasting commitments?",
            description: "Unused reservations and savings plans, and what they cost",
            arguments: [.init(name: "month", description: "a billing month, YYYY-MM (default: all loaded)")]),
        Prompt(
            name: "spend_last_month", title: "What did we spend last month?",
            description: "Last month's actual and amortized cost, by scope and currency"),
    ]

    static func get(_ name: String, arguments: [String: String]) throws -> GetPrompt.Result {
        let month = arguments["month"].map { "the billing month \($0)" }
        switch name {
        case "explain_monthly_change":
            return GetPrompt.Result(
                description: "Explain a month's change",
                messages: [
                    .user(
                        .text(
                            text: """
                                Explain why our Azure cost changed in \(month ?? "the last loaded billing month") \
                                compared with the month before. First call describe_warehouse. Then call \
                                run_canned_query with name month-over-month, and with name by (by = \
                                subscription, then meter-category) for both months, to find what moved. Give \
                                actual and amortized cost separately, in their currencies, and say whether a \
                                commitment purchase explains the difference. Check list_changes for restatements \
                                of those months.
                                """))
                ])
        case "commitment_waste":
            return GetPrompt.Result(
                description: "Where are we wasting commitments?",
                messages: [
                    .user(
                        .text(
                            text: """
                                Find where we waste Azure commitments\(month.map { " in \($0)" } ?? ""). Call \
                                run_canned_query with name reservations and with name savings-plans for \
                                utilization and unused cost, and with name savings for what commitments saved. \
                                List the reservations and savings plans with the most unused cost, and suggest \
                                which to exchange, resize or let expire.
                                """))
                ])
        case "spend_last_month":
            return GetPrompt.Result(
                description: "What did we spend last month?",
                messages: [
                    .user(
                        .text(
                            text: """
                                What did we spend on Azure last month, actual and amortized? Call \
                                describe_warehouse to find the last complete billing month loaded, then \
                                run_canned_query with name totals and from = to = that month. Answer per scope \
                                and currency; never add currencies or the two metrics together.
                                """))
                ])
        default:
            throw MCPError.invalidParams(
                "no prompt \(name); the prompts are \(all.map(\.name).joined(separator: ", "))")
        }
    }
}
