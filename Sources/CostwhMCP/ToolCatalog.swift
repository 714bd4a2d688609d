import CostwhLoad
import CostwhQuery
import MCP

/// The five tools, their JSON input schemas and their descriptions, written for a model that
/// has never seen costwh.
enum ToolCatalog {
    static let describeWarehouse = "describe_warehouse"
    static let runCannedQuery = "run_canned_query"
    static let runSQL = "run_sql"
    static let listChanges = "list_changes"
    static let describeSchema = "describe_schema"

    static let month: Value = .object([
        "type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$",
        "description": "a billing month, YYYY-MM",
    ])

    static let scope: Value = .object([
        "type": "string",
        "description":
            "only this Azure scope: its ARM id as describe_warehouse lists it (e.g. /providers/Microsoft.Billing/billingAccounts/123)",
    ])

    static func object(_ properties: [String: Value], required: [String] = []) -> Value {
        var schema: [String: Value] = [
            "type": "object", "properties": .object(properties), "additionalProperties": false,
        ]
        if !required.isEmpty { schema["required"] = .array(required.map { .string($0) }) }
        return .object(schema)
    }

    /// The shape of every answer that returns rows: `structuredContent`.
    static let rowsSchema: Value = .object([
        "type": "object",
        "properties": .object([
            "columns": .object([
                "type": "array",
                "items": .object([
                    "type": "object",
                    "properties": .object(["name": .object(["type": "string"]), "type": .object(["type": "string"])]),
                    "required": .array(["name", "type"]),
                ]),
            ]),
            "rows": .object(["type": "array", "items": .object(["type": "object"])]),
            "truncated": .object(["type": "boolean"]),
            "limit": .object(["type": "string"]),
        ]),
        "required": .array(["columns", "rows", "truncated"]),
    ])

    static let readOnly = Tool.Annotations(
        readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false)

    static var tools: [Tool] {
        [
            Tool(
                name: describeWarehouse, title: "What the cost warehouse holds",
                description: """
                    Call this first. Describes the Azure cost warehouse: which scopes (billing accounts, \
                    subscriptions…) are loaded, with their names; which billing months (YYYY-MM) and metrics \
                    (ActualCost = as invoiced, AmortizedCost = commitment purchases spread over their term); \
                    currencies; rows and cost per month; when each month was last loaded and how old that is; \
                    other datasets (price sheet, reservations…); loads that failed since; and restatements \
                    (closed months whose cost changed) of the last 30 days.
                    """,
                inputSchema: object([:]), annotations: readOnly),
            Tool(
                name: runCannedQuery, title: "Run a ready-made cost query",
                description: """
                    Runs one of costwh's ready-made queries, which answer the common questions fast and \
                    correctly (never mixing currencies or metrics). Queries: \
                    \(CannedQuery.all.map { "\($0.name) (\($0.description))" }.joined(separator: "; ")). \
                    Filter with scope and from/to months; `by` groups the `by` and `savings` queries; `tag` \
                    names the tag key when by = tag; `top` limits top-benefit. Money is in each row's currency.
                    """,
                inputSchema: object(
                    [
                        "name": .object([
                            "type": "string", "enum": .array(CannedQuery.all.map { .string($0.name) }),
                            "description": "which query",
                        ]),
                        "scope": scope, "from": month, "to": month,
                        "by": .object([
                            "type": "string", "enum": .array(CannedRequest.groupings.map { .string($0) }),
                            "description": "for `by` (required) and `savings`: what to group by",
                        ]),
                        "tag": .object(["type": "string", "description": "with by = tag: the tag key, e.g. env"]),
                        "top": .object([
                            "type": "integer", "minimum": 1, "maximum": 100_000,
                            "description": "for top-benefit: how many resources (default 20)",
                        ]),
                    ], required: ["name"]),
                annotations: readOnly, outputSchema: rowsSchema),
            Tool(
                name: runSQL, title: "Run one read-only SQL query",
                description: """
                    Runs one read-only SELECT statement against the warehouse's views and returns its rows \
                    (at most the server's row and byte limits; the answer says when it was cut). Call \
                    describe_schema first to pick the view: cost_comparison_totals and cost_summary answer most \
                    questions in milliseconds, cost_details has every record and is slow without a filter on \
                    BillingPeriod. Never add different currencies or the two metrics together. Writes, \
                    PRAGMA, ATTACH and more than one statement are refused by the database.
                    """,
                inputSchema: object(
                    ["sql": .object(["type": "string", "description": "one SELECT (or WITH … SELECT) statement"])],
                    required: ["sql"]),
                annotations: readOnly, outputSchema: rowsSchema),
            Tool(
                name: listChanges, title: "What changed in months already loaded",
                description: """
                    Lists restatements: months whose cost changed between two successive loads, with the previous \
                    and new cost, the delta and whether the month was already closed (ended more than the settle \
                    days before the earlier load). With `by`, each change is broken down into the groups whose \
                    cost changed (their deltas add up to the month's).
                    """,
                inputSchema: object([
                    "scope": scope, "from": month, "to": month,
                    "since": .object([
                        "type": "string",
                        "description": "only loads finished since this date (YYYY-MM-DD or an ISO 8601 date-time, UTC)",
                    ]),
                    "closed_only": .object(["type": "boolean", "description": "only changes to closed months"]),
                    "with_new": .object(["type": "boolean", "description": "also list months loaded for the first time"]),
                    "by": .object([
                        "type": "string", "enum": .array(LoadHistory.Breakdown.groupings.map { .string($0.rawValue) }),
                        "description": "break each change down by this",
                    ]),
                    "top": .object([
                        "type": "integer", "minimum": 1, "maximum": 100_000,
                        "description": "with by: groups per change; without: the largest changes",
                    ]),
                    "settle_days": .object([
                        "type": "integer", "minimum": 0,
                        "description": "days after a month ends until it counts as closed (default: the warehouse's, 10)",
                    ]),
                ]),
                annotations: readOnly, outputSchema: rowsSchema),
            Tool(
                name: describeSchema, title: "The views to query and their columns",
                description: """
                    Lists the views to query with run_sql, what each row is, which questions each answers fastest, \
                    and every column with one line of meaning. Give `view` for one view only.
                    """,
                inputSchema: object([
                    "view": .object([
                        "type": "string", "enum": .array(SchemaGuide.views.map { .string($0.name) }),
                        "description": "only this view",
                    ])
                ]),
                annotations: readOnly),
        ]
    }
}
