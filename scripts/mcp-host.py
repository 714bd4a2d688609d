#!/usr/bin/env python3
"""Drive `costwh mcp` over stdio with the official MCP Python SDK, as a host would.

Usage: mcp-host.py COSTWH DB PERIOD ATTACKS.json [costwh mcp options…]

Initializes, lists and checks the tools, calls each tool, reads the resource and the prompts,
runs every statement of ATTACKS.json (a list of SQL strings) through run_sql, and prints one
JSON report on stdout. The Swift test (MCPHostTests) judges the report; this script only
records what the server answered, and fails only when the protocol itself fails.
"""
import asyncio
import json
import os
import sys

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client


def outcome(result):
    text = "\n".join(c.text for c in result.content if getattr(c, "type", "") == "text")
    return {"isError": bool(result.is_error), "text": text, "structured": result.structured_content}


async def main():
    costwh, db, period, attacks_path = sys.argv[1:5]
    extra = sys.argv[5:]
    attacks = json.load(open(attacks_path))
    # The server gets this environment whole (a pinned COSTWH_NOW included), as a host passes
    # the `env` of its configuration.
    params = StdioServerParameters(command=costwh, args=["mcp", "--db", db, *extra], env=dict(os.environ))
    report = {}
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            report["protocolVersion"] = init.protocol_version
            report["serverName"] = init.server_info.name
            report["capabilities"] = {
                "tools": init.capabilities.tools is not None,
                "resources": init.capabilities.resources is not None,
                "prompts": init.capabilities.prompts is not None,
            }
            tools = await session.list_tools()
            report["tools"] = {
                t.name: {
                    "description": t.description,
                    "inputSchema": t.input_schema,
                    "outputSchema": t.output_schema,
                    "readOnlyHint": t.annotations.read_only_hint if t.annotations else None,
                }
                for t in tools.tools
            }
            calls = {}
            calls["describe_warehouse"] = outcome(await session.call_tool("describe_warehouse", {}))
            calls["describe_schema"] = outcome(await session.call_tool("describe_schema", {}))
            calls["describe_schema_one"] = outcome(
                await session.call_tool("describe_schema", {"view": "cost_summary"}))
            calls["totals"] = outcome(
                await session.call_tool("run_canned_query", {"name": "totals", "from": period, "to": period}))
            calls["by_subscription"] = outcome(
                await session.call_tool(
                    "run_canned_query", {"name": "by", "by": "subscription", "from": period, "to": period}))
            calls["bad_grouping"] = outcome(
                await session.call_tool("run_canned_query", {"name": "by", "by": "planet"}))
            calls["bad_month"] = outcome(
                await session.call_tool("run_canned_query", {"name": "totals", "from": "last month"}))
            calls["changes"] = outcome(await session.call_tool("list_changes", {"with_new": True}))
            calls["sql"] = outcome(
                await session.call_tool(
                    "run_sql",
                    {
                        "sql": "SELECT BillingCurrency, SUM(CostInBillingCurrency) AS cost FROM cost_details "
                        f"WHERE Metric = 'ActualCost' AND BillingPeriod = '{period}' GROUP BY BillingCurrency"
                    },
                ))
            calls["unknown_tool"] = outcome(await session.call_tool("drop_everything", {}))
            calls["unknown_argument"] = outcome(await session.call_tool("run_sql", {"sql": "SELECT 1", "db": "x"}))
            report["calls"] = calls
            # A query running to the time limit (--timeout) does not hold up the host: a ping
            # sent while it runs is answered before it ends.
            slow = asyncio.create_task(session.call_tool(
                "run_sql",
                {"sql": "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT MAX(n) FROM r"}))
            await asyncio.sleep(0.3)
            await session.send_ping()
            report["pingWhileSlow"] = {"slowStillRunning": not slow.done(), "slow": outcome(await slow)}
            report["attacks"] = [
                {"sql": sql, **outcome(await session.call_tool("run_sql", {"sql": sql}))} for sql in attacks
            ]
            # Still answering after every attack.
            report["afterAttacks"] = outcome(await session.call_tool("run_sql", {"sql": "SELECT 1 AS still_here"}))
            resources = await session.list_resources()
            report["resources"] = [str(r.uri) for r in resources.resources]
            if resources.resources:
                read_back = await session.read_resource(resources.resources[0].uri)
                report["resourceText"] = read_back.contents[0].text
            prompts = await session.list_prompts()
            report["prompts"] = {}
            for prompt in prompts.prompts:
                got = await session.get_prompt(prompt.name, {})
                report["prompts"][prompt.name] = [m.content.text for m in got.messages]
    print(json.dumps(report))


asyncio.run(main())
