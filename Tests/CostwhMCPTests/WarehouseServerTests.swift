import CostwhLoad
import CostwhMCP
import CostwhSQLite
import CostwhTestSupport
import Foundation
import MCP
import Testing

/// The MCP server in process, through the SDK's own client over an in-memory transport: the
/// protocol round trip without a subprocess, for what the host test cannot time or vary.
@Suite struct WarehouseServerTests {
    /// A server on a one-month warehouse, and a connected client.
    static func connected(
        limits: AdHocLimits = .init(timeout: 1), _ body: (Client) async throws -> Void
    ) async throws {
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        do {
            let db = try CostDatabase(path: path)
            _ = try load(db, [dir.write("a.csv", syntheticEA(rows: 300))])
        }
        let server = WarehouseServer(
            store: try CostDatabase(readingAt: path), adHoc: try SQLiteSandbox(path: path),
            options: .init(limits: limits, scopeNames: [eaScope.id: "Contoso EA"]), logger: quietLogger)
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        let serving = Task { try await server.serve(transport: serverSide) }
        let client = Client(name: "costwh-tests", version: "1")
        _ = try await client.connect(transport: clientSide)
        try await body(client)
        await client.disconnect()
        serving.cancel()
    }

    static func call(_ client: Client, _ name: String, _ arguments: [String: Value] = [:]) async throws
        -> CallTool.Result
    {
        try await client.send(CallTool.request(.init(name: name, arguments: arguments))).value
    }

    static func text(_ result: CallTool.Result) -> String {
        result.content.compactMap { if case .text(let text, _, _) = $0 { return text } else { return nil } }.joined()
    }

    /// Calls made at once are answered each with its own rows (store calls take turns on
    /// the server's queue), and a query stopped at its limit leaves the server answering.
    @Test func callsAtOnceGetTheirOwnAnswers() async throws {
        try await Self.connected(limits: .init(timeout: 0.5)) { client in
            let answers = try await withThrowingTaskGroup(of: (Int, CallTool.Result).self) { group in
                for i in 0..<8 {
                    group.addTask {
                        let sql =
                            i == 3
                            ? "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT MAX(n) FROM r"
                            : "SELECT \(i) AS i, COUNT(*) AS n FROM cost_details"
                        return (i, try await Self.call(client, "run_sql", ["sql": .string(sql)]))
                    }
                }
                var out: [Int: CallTool.Result] = [:]
                for try await (i, result) in group { out[i] = result }
                return out
            }
            for (i, result) in answers {
                if i == 3 {
                    #expect(result.isError == true && Self.text(result).contains("time limit"), "\(Self.text(result))")
                } else {
                    let row = result.structuredContent?.objectValue?["rows"]?.arrayValue?.first?.objectValue
                    #expect(row?["i"] == .int(i) && row?["n"] == 300, "\(i): \(String(describing: row))")
                }
            }
        }
    }

    /// Every tool's schema is a closed JSON object schema whose required arguments exist.
    @Test func toolSchemasAreClosedAndConsistent() async throws {
        try await Self.connected { client in
            let (tools, _) = try await client.listTools()
            #expect(tools.map(\.name).sorted() == MCPHost.tools)
            for tool in tools {
                let schema = try #require(tool.inputSchema.objectValue, "\(tool.name)")
                #expect(schema["type"] == "object" && schema["additionalProperties"] == false, "\(tool.name)")
                let properties = try #require(schema["properties"]?.objectValue, "\(tool.name)")
                for required in schema["required"]?.arrayValue ?? [] {
                    #expect(properties[required.stringValue ?? ""] != nil, "\(tool.name) requires \(required)")
                }
                #expect(tool.annotations.readOnlyHint == true && tool.annotations.destructiveHint == false)
            }
        }
    }

    /// Arguments are typed: a number given as text is refused with the argument's name, a
    /// whole number sent as a double (as some hosts do) is taken, and configured scope names
    /// reach describe_warehouse.
    @Test func argumentsAreReadByType() async throws {
        try await Self.connected { client in
            let text = try await Self.call(client, "run_canned_query", ["name": "top-benefit", "top": "5"])
            #expect(text.isError == true && Self.text(text).contains("`top` must be an integer"), "\(Self.text(text))")
            let double = try await Self.call(client, "run_canned_query", ["name": "top-benefit", "top": 5.0])
            #expect(double.isError != true, "\(Self.text(double))")
            let backwards = try await Self.call(client, "run_canned_query", ["name": "totals", "from": "2023-10", "to": "2023-09"])
            #expect(backwards.isError == true && Self.text(backwards).contains("after"))
            let missing = try await Self.call(client, "run_canned_query", [:])
            #expect(missing.isError == true && Self.text(missing).contains("totals"))
            let described = try await Self.call(client, "describe_warehouse")
            #expect(Self.text(described).contains("Contoso EA"), "\(Self.text(described))")
            let scopes = described.structuredContent?.objectValue?["scopes"]?.arrayValue ?? []
            #expect(scopes.first?.objectValue?["name"] == "Contoso EA")
            let rows = try await Self.call(client, "run_sql", ["sql": "SELECT COUNT(*) AS n FROM cost_details"])
            #expect(rows.structuredContent?.objectValue?["rows"]?.arrayValue?.first?.objectValue?["n"] == 300)
            #expect(rows.structuredContent?.objectValue?["truncated"] == false)
        }
    }

    @Test func anEmptyWarehouseSaysSo() async throws {
        let dir = TempDir()
        let path = dir.path("w.sqlite")
        _ = try CostDatabase(path: path)
        let server = WarehouseServer(
            store: try CostDatabase(readingAt: path), adHoc: try SQLiteSandbox(path: path), options: .init(),
            logger: quietLogger)
        let (clientSide, serverSide) = await InMemoryTransport.createConnectedPair()
        let serving = Task { try await server.serve(transport: serverSide) }
        let client = Client(name: "costwh-tests", version: "1")
        _ = try await client.connect(transport: clientSide)
        let result = try await Self.call(client, "describe_warehouse")
        #expect(result.isError != true && Self.text(result).contains("empty"), "\(Self.text(result))")
        let prompt = try await client.getPrompt(name: "spend_last_month")
        #expect(!prompt.messages.isEmpty)
        await #expect(throws: (any Error).self) { _ = try await client.getPrompt(name: "no_such_prompt") }
        await client.disconnect()
        serving.cancel()
    }
}
