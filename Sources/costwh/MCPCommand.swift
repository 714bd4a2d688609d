import ArgumentParser
import CostwhLoad
import CostwhMCP
import CostwhPipeline
import Foundation
import MCP

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the warehouse to AI assistants over MCP (stdio), read-only.",
        discussion: """
            Speaks the Model Context Protocol on stdin and stdout, for hosts such as Claude Desktop and VS Code \
            (README: "Ask your AI assistant"). The warehouse is opened read-only and the database engine refuses \
            every write; answers are held to the limits below. Logs go to stderr.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Rows per answer, at most.")
    var maxRows: Int = AdHocLimits.default.maxRows

    @Option(help: "Bytes per answer (the values as text), at most.")
    var maxBytes: Int = AdHocLimits.default.maxBytes

    @Option(help: "Seconds a query may run before the database stops it.")
    var timeout: Double = AdHocLimits.default.timeout

    @Option(
        name: .customLong("names"),
        help: ArgumentHelp(
            "A configuration file whose scopes' \"name\"s describe_warehouse reports (default: $COSTWH_CONFIG).",
            valueName: "FILE"))
    var namesFile: String?

    func validate() throws {
        guard (1...1_000_000).contains(maxRows) else { throw ValidationError("--max-rows must be 1 to 1000000") }
        guard (1_000...1_000_000_000).contains(maxBytes) else {
            throw ValidationError("--max-bytes must be 1000 to 1000000000")
        }
        guard timeout > 0, timeout <= 3600 else { throw ValidationError("--timeout must be more than 0 and at most 3600 s") }
    }

    func run() async throws {
        // stdout belongs to the protocol: everything else, logs included, goes to stderr.
        let logger = global.makeLogger()
        global.warnIfExposed(logger)
        do {
            var names: [String: String] = [:]
            if let path = namesFile ?? ProcessInfo.processInfo.environment["COSTWH_CONFIG"] {
                names = try IngestConfiguration.load(path: path).scopeNames()
            }
            let (store, adHoc) = try DatabaseLocation.openForServing(global.databasePath)
            let server = WarehouseServer(
                store: store, adHoc: adHoc,
                options: .init(
                    limits: AdHocLimits(maxRows: maxRows, maxBytes: maxBytes, timeout: timeout), scopeNames: names),
                logger: logger)
            try await server.serve(transport: StdioTransport(logger: logger))
        } catch let error as PipelineError {
            throw error.reported()
        }
    }
}
