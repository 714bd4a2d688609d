/// costwh's version, as the MCP server introduces itself to hosts.
package enum CostwhVersion {
    package static let current = "0.3.0"
}
