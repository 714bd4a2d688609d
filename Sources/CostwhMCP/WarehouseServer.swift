import CostwhLoad
import CostwhModel
import CostwhQuery
import Foundation
import Logging
import MCP

/// `costwh mcp`: the warehouse for AI assistants, over the Model Context Protocol.
///
/// It holds only the read side of a store: `StoreReading` for costwh's own queries and
/// `AdHocReading` for the model's SQL, both opened read-only by the caller. Every tool call
/// answers; a refusal or a failure is a tool error (`isError`), never a dropped connection.
package final class WarehouseServer: Sendable {
    package struct Options: Sendable {
        package var limits: AdHocLimits
        /// Configured names of scopes (`"name"` in the ingest configuration).
        package var scopeNames: [String: String]

        package init(limits: AdHocLimits = .default, scopeNames: [String: String] = [:]) {
            self.limits = limits
            self.scopeNames = scopeNames
        }
    }

    let store: any StoreReading
    let adHoc: any AdHocReading
    let options: Options
    let logger: Logger
    /// Store calls block; they run here, one at a time, never on the concurrency pool that
    /// reads the host's messages.
    private let work = DispatchQueue(label: "costwh.mcp.store")

    package static let schemaURI = "costwh://schema"

    package init(store: any StoreReading, adHoc: any AdHocReading, options: Options, logger: Logger) {
        self.store = store
        self.adHoc = adHoc
        self.options = options
        self.logger = logger
    }

    /// Serves one host over `transport` until it disconnects.
    package func serve(transport: any Transport) async throws {
        let server = Server(
            name: "costwh", version: CostwhVersion.current, title: "costwh: the Azure cost warehouse",
            instructions: """
                A read-only warehouse of Azure cost details (actual and amortized), loaded by costwh. Call \
                describe_warehouse first, then prefer run_canned_query; use describe_schema before run_sql.
                """,
            capabilities: .init(
                prompts: .init(listChanged: false), resources: .init(subscribe: false, listChanged: false),
                tools: .init(listChanged: false)))
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: ToolCatalog.tools) }
        await server.withMethodHandler(CallTool.self) { [self] call in await self.call(call) }
        await server.withMethodHandler(ListResources.self) { _ in
            ListResources.Result(resources: [
                Resource(
                    name: "schema", uri: WarehouseServer.schemaURI, title: "The warehouse's views and columns",
                    description: "Which view answers which question fastest, and every column's meaning",
                    mimeType: "text/markdown")
            ])
        }
        await server.withMethodHandler(ReadResource.self) { [self] request in
            guard request.uri == WarehouseServer.schemaURI else {
                throw MCPError.invalidParams("no resource \(request.uri); the only one is \(WarehouseServer.schemaURI)")
            }
            let text = try await self.blocking { try self.schemaMarkdown(only: nil) }
            return ReadResource.Result(contents: [.text(text, uri: request.uri, mimeType: "text/markdown")])
        }
        await server.withMethodHandler(ListPrompts.self) { _ in ListPrompts.Result(prompts: WarehousePrompts.all) }
        await server.withMethodHandler(GetPrompt.self) { request in
            try WarehousePrompts.get(request.name, arguments: request.arguments ?? [:])
        }
        try await server.start(transport: transport)
        logger.info("serving MCP", metadata: ["limits": "\(options.limits)"])
        await server.waitUntilCompleted()
    }

    /// Every tool call ends here, and every outcome is an answer.
    func call(_ call: CallTool.Parameters) async -> CallTool.Result {
        let started = Date()
        let result: CallTool.Result
        do {
            result = try await blocking { try self.answer(call) }
        } catch let problem as ToolArguments.Problem {
            result = ToolAnswer.error(problem.message)
        } catch let error as AdHocError {
            result = ToolAnswer.error(error.description)
        } catch let error as QueryError {
            result = ToolAnswer.error(error.description)
        } catch {
            result = ToolAnswer.error("the warehouse could not answer: \(error)")
        }
        logger.info(
            "tool call",
            metadata: [
                "tool": "\(call.name)", "error": "\(result.isError == true)",
                "seconds": "\(String(format: "%.3f", Date().timeIntervalSince(started)))",
            ])
        return result
    }

    private func answer(_ call: CallTool.Parameters) throws -> CallTool.Result {
        switch call.name {
        case ToolCatalog.describeWarehouse:
            _ = try ToolArguments(call.arguments, allowed: [], tool: call.name)
            return WarehouseDescription.answer(try WarehouseOverview.read(store), names: options.scopeNames)
        case ToolCatalog.runCannedQuery:
            let arguments = try ToolArguments(
                call.arguments, allowed: ["name", "scope", "from", "to", "by", "tag", "top"], tool: call.name)
            guard let name = try arguments.string("name") else {
                throw ToolArguments.Problem(
                    message: "run_canned_query needs `name`: one of \(CannedQuery.all.map(\.name).joined(separator: ", "))")
            }
            let request = CannedRequest(
                name: name, scope: try arguments.scope("scope"), periods: try arguments.periods(),
                by: try arguments.string("by"), tag: try arguments.string("tag"), top: try arguments.int("top") ?? 20)
            return ToolAnswer.rows(try request.run(on: store), limits: options.limits)
        case ToolCatalog.runSQL:
            let arguments = try ToolArguments(call.arguments, allowed: ["sql"], tool: call.name)
            guard let sql = try arguments.string("sql"), !sql.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else {
                throw ToolArguments.Problem(message: "run_sql needs `sql`: one SELECT statement")
            }
            return ToolAnswer.rows(try adHoc.runAdHoc(sql, limits: options.limits))
        case ToolCatalog.listChanges:
            let arguments = try ToolArguments(
                call.arguments,
                allowed: ["scope", "from", "to", "since", "closed_only", "with_new", "by", "top", "settle_days"],
                tool: call.name)
            var since: String?
            if let text = try arguments.string("since") {
                guard let bound = ChangeListing.sinceBound(text) else {
                    throw ToolArguments.Problem(
                        message: "`since` takes a date (YYYY-MM-DD) or an ISO 8601 date-time, UTC")
                }
                since = bound
            }
            var by: LoadHistory.Breakdown?
            if let text = try arguments.string("by") {
                guard let value = LoadHistory.Breakdown(rawValue: text), value != .total else {
                    throw ToolArguments.Problem(
                        message:
                            "`by` is one of \(LoadHistory.Breakdown.groupings.map(\.rawValue).joined(separator: ", "))")
                }
                by = value
            }
            let filter = ChangeFilter(
                scope: try arguments.scope("scope")?.id, periods: try arguments.periods(), since: since,
                closedOnly: try arguments.bool("closed_only"), withNew: try arguments.bool("with_new"),
                settleDays: try arguments.int("settle_days"))
            let listing = ChangeListing(filter: filter, by: by, top: try arguments.int("top"))
            return ToolAnswer.rows(try listing.run(on: store), limits: options.limits)
        case ToolCatalog.describeSchema:
            let arguments = try ToolArguments(call.arguments, allowed: ["view"], tool: call.name)
            let view = try arguments.string("view")
            if let view, !SchemaGuide.views.contains(where: { $0.name == view }) {
                throw ToolArguments.Problem(
                    message: "`view` is one of \(SchemaGuide.views.map(\.name).joined(separator: ", "))")
            }
            let described = try describedViews(only: view)
            let structured: Value = .object([
                "views": .array(
                    described.map { entry in
                        .object([
                            "name": .string(entry.view.name), "grain": .string(entry.view.grain),
                            "useFor": .string(entry.view.useFor),
                            "columns": .array(
                                entry.columns.map { column in
                                    .object([
                                        "name": .string(column.name), "type": .string(column.type),
                                        "meaning": .string(SchemaGuide.meaning(of: column.name, in: entry.view.name)),
                                    ])
                                }),
                        ])
                    })
            ])
            return ToolAnswer.text(SchemaGuide.markdown(described), structured: structured)
        default:
            throw ToolArguments.Problem(
                message:
                    "there is no tool `\(TerminalText.neutralised(String(call.name.prefix(60))))`; the tools are \(ToolCatalog.tools.map(\.name).joined(separator: ", "))"
            )
        }
    }

    private func describedViews(only: String?) throws -> [(view: SchemaGuide.View, columns: [(name: String, type: String)])] {
        try store.reading { reader in
            try SchemaGuide.views.filter { only == nil || $0.name == only }.map { view in
                (view, try SchemaGuide.columns(of: view.name, reader))
            }
        }
    }

    func schemaMarkdown(only: String?) throws -> String {
        SchemaGuide.markdown(try describedViews(only: only))
    }

    private func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            work.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
