import Foundation

/// `costwh mcp` driven by the official MCP Python SDK (scripts/mcp-host.py) as a host would,
/// and judged here: the same checks on either store.
package enum MCPHost {
    package static let protocolVersion = "2025-11-25"
    package static let tools = ["describe_schema", "describe_warehouse", "list_changes", "run_canned_query", "run_sql"]

    /// Runs the host against the warehouse at `db` (as `costwh mcp --db db` sees it; `owner`
    /// is the same warehouse for the CLI's own answers) and returns what is wrong, empty when
    /// nothing is.
    package static func problems(
        db: String, owner: String, period: String, postgres: Bool, scratch: TempDir, environment: [String: String]
    ) throws -> [String] {
        let attacks = AdHocAttack.list(postgres: postgres, scratch: scratch.path("stolen.sqlite"))
        let attackFile = scratch.path("attacks.json")
        try JSONSerialization.data(withJSONObject: attacks.map(\.sql)).write(to: URL(fileURLWithPath: attackFile))
        let run = try TestPython.run(
            script: "mcp-host.py", [costwhExecutable(), db, period, attackFile, "--timeout", "2"],
            environment: environment)
        guard run.status == 0, let line = run.output.split(separator: "\n").last(where: { $0.hasPrefix("{") }),
            let report = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else {
            return ["the host failed (\(run.status)): \(run.output.suffix(3000))"]
        }
        var problems: [String] = []
        func check(_ ok: Bool, _ what: @autoclosure () -> String) { if !ok { problems.append(what()) } }

        check(report["protocolVersion"] as? String == protocolVersion, "protocol \(report["protocolVersion"] ?? "none")")
        let tools = report["tools"] as? [String: [String: Any]] ?? [:]
        check(tools.keys.sorted() == MCPHost.tools, "tools \(tools.keys.sorted())")
        for (name, tool) in tools {
            check(tool["readOnlyHint"] as? Bool == true, "\(name) is not marked read-only")
            check((tool["description"] as? String ?? "").count > 80, "\(name) has no real description")
            let schema = tool["inputSchema"] as? [String: Any] ?? [:]
            check(schema["type"] as? String == "object" && schema["properties"] is [String: Any], "\(name): \(schema)")
        }
        // The canned query names are an enum, the CLI's own list.
        let listing = try runCostwh(["query", "--list", "--format", "json"], environment: environment)
        let canned = (try? JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [[String: Any]])?
            .compactMap { $0["Name"] as? String } ?? []
        let nameSchema =
            ((tools["run_canned_query"]?["inputSchema"] as? [String: Any])?["properties"] as? [String: Any])?["name"]
            as? [String: Any]
        check(!canned.isEmpty && (nameSchema?["enum"] as? [String]) == canned, "canned names \(nameSchema ?? [:])")

        let calls = report["calls"] as? [String: [String: Any]] ?? [:]
        func call(_ name: String) -> (error: Bool, text: String, structured: [String: Any]) {
            let c = calls[name] ?? [:]
            return (c["isError"] as? Bool ?? true, c["text"] as? String ?? "", c["structured"] as? [String: Any] ?? [:])
        }
        for name in ["describe_warehouse", "describe_schema", "describe_schema_one", "totals", "by_subscription", "changes", "sql"] {
            check(!call(name).error, "\(name) failed: \(call(name).text)")
        }
        // describe_warehouse: every partition the ledger has.
        let described = call("describe_warehouse").structured
        let partitions = described["partitions"] as? [[String: Any]] ?? []
        let runs = try runCostwh(
            ["query", "totals", "--format", "json", "--db", owner, "--from", period, "--to", period],
            environment: environment)
        check(runs.status == 0, "costwh query totals: \(runs.stderr)")
        check(!partitions.isEmpty && partitions.allSatisfy { $0["ageHours"] is Double }, "partitions \(partitions.prefix(2))")
        check((described["scopes"] as? [Any])?.isEmpty == false, "no scopes described")

        // describe_schema: the main views, every column with a meaning.
        let views = call("describe_schema").structured["views"] as? [[String: Any]] ?? []
        let viewNames = Set(views.compactMap { $0["name"] as? String })
        for view in ["cost_details", "cost_summary", "cost_daily_summary", "focus_costs", "cost_comparison_totals"] {
            check(viewNames.contains(view), "describe_schema lacks \(view)")
        }
        for view in views {
            let columns = view["columns"] as? [[String: Any]] ?? []
            check(!columns.isEmpty, "\(view["name"] ?? "?") has no columns")
            for column in columns where (column["meaning"] as? String ?? "").count < 8 {
                problems.append("\(view["name"] ?? "?").\(column["name"] ?? "?") has no meaning")
            }
        }
        check((call("describe_schema_one").structured["views"] as? [Any])?.count == 1, "describe_schema view=")

        // run_canned_query's totals are the CLI's, to the cent and beyond.
        let cli = (try? JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]]) ?? []
        let mcp = call("totals").structured["rows"] as? [[String: Any]] ?? []
        check(!cli.isEmpty && cli.count == mcp.count, "totals: \(cli.count) rows from the CLI, \(mcp.count) over MCP")
        for (a, b) in zip(cli, mcp) {
            for key in ["ActualCost", "AmortizedCost", "Difference"] {
                let x = (a[key] as? Double) ?? .nan
                let y = (b[key] as? Double) ?? .nan
                check(abs(x - y) <= 1e-6, "totals \(key): CLI \(x), MCP \(y)")
            }
            check(a["Scope"] as? String == b["Scope"] as? String, "totals scope order")
        }
        // run_sql agrees with the canned query, per currency.
        let sqlRows = call("sql").structured["rows"] as? [[String: Any]] ?? []
        for row in sqlRows {
            let currency = row.first { $0.key.lowercased() == "billingcurrency" }?.value as? String
            let cost = row.first { $0.key.lowercased() == "cost" }?.value as? Double ?? .nan
            let expected = cli.filter { $0["Currency"] as? String == currency }.reduce(0.0) {
                $0 + (($1["ActualCost"] as? Double) ?? 0)
            }
            check(abs(cost - expected) <= 1e-6 * max(1, abs(expected)), "run_sql \(currency ?? "?"): \(cost) vs \(expected)")
        }
        check(!sqlRows.isEmpty, "run_sql returned no rows")

        // Mistakes are tool errors that say what to do.
        check(call("bad_grouping").error && call("bad_grouping").text.contains("subscription"), "bad grouping")
        check(call("bad_month").error && call("bad_month").text.contains("YYYY-MM"), "bad month")
        check(call("unknown_tool").error && call("unknown_tool").text.contains("describe_warehouse"), "unknown tool")
        check(call("unknown_argument").error && call("unknown_argument").text.contains("`db`"), "unknown argument")

        // The attacks: each refused, stopped or cut, and the server still answers.
        let answered = report["attacks"] as? [[String: Any]] ?? []
        check(answered.count == attacks.count, "\(answered.count) of \(attacks.count) attacks answered")
        for (attack, answer) in zip(attacks, answered) {
            let error = answer["isError"] as? Bool ?? false
            let text = answer["text"] as? String ?? ""
            let cut = (answer["structured"] as? [String: Any])?["truncated"] as? Bool ?? false
            let ok: Bool
            switch attack.expected {
            case .refused: ok = error && text.contains("describe_schema")
            case .timedOut: ok = error && text.contains("time limit")
            case .cut: ok = !error && cut
            case .bounded: ok = (!error && cut) || (error && text.contains("time limit"))
            case .notRun: ok = error
            }
            check(ok, "\(attack.sql): expected \(attack.expected), got error=\(error) cut=\(cut): \(text.prefix(200))")
        }
        check((report["afterAttacks"] as? [String: Any])?["isError"] as? Bool == false, "dead after the attacks")
        let ping = report["pingWhileSlow"] as? [String: Any] ?? [:]
        check(ping["slowStillRunning"] as? Bool == true, "a ping waited for a slow query")
        let slow = ping["slow"] as? [String: Any] ?? [:]
        check(
            slow["isError"] as? Bool == true && (slow["text"] as? String ?? "").contains("time limit"),
            "the slow query: \(slow)")

        check(report["resources"] as? [String] == ["costwh://schema"], "resources \(report["resources"] ?? "none")")
        check((report["resourceText"] as? String ?? "").contains("## cost_summary"), "the schema resource")
        let prompts = report["prompts"] as? [String: [String]] ?? [:]
        check(prompts.count >= 2, "prompts \(prompts.keys.sorted())")
        for (name, messages) in prompts {
            check(messages.joined().contains("run_canned_query"), "prompt \(name) names no tool")
        }
        return problems
    }

    /// The names in a folder, and the bytes of each file but the WAL readers' shared memory.
    package static func footprint(_ folder: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            out[name] = name.hasSuffix("-shm") ? Data() : try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return out
    }
}
