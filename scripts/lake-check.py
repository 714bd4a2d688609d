#!/usr/bin/env python3
"""Check a costwh Parquet lake against the warehouse's rows, with pyarrow and DuckDB.

Usage: lake-check.py LAKE DATASET EXPECT.jsonl KEY[,KEY…]

EXPECT.jsonl holds the warehouse's rows of DATASET (cost_details or focus_costs), one JSON
object per line, dates as YYYY-MM-DD text and date-times as ISO text. Rows are matched by
the KEY columns. Checks the manifest (every file it names exists with its size; rows and
cost per currency add up), then every value of every row as pyarrow and as DuckDB (with
Hive partitioning) read it. Prints the schema and one line per reader; exits 1 on any
difference.
"""
import datetime
import json
import math
import os
import sys

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

lake, dataset, expect_path, keys = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
expected = [json.loads(line) for line in open(expect_path) if line.strip()]
problems = []


def text(value):
    """A value as the warehouse spells it."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value.time() != datetime.time(0) else value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return a == b or (math.isnan(a) and math.isnan(b)) if isinstance(a, float) else a == b
    if isinstance(a, str) and isinstance(b, str) and a != b:
        # A date-time the warehouse keeps as a date reads back as midnight.
        return a[:10] == b[:10] and (a[10:] in ("", "T00:00:00Z") and b[10:] in ("", "T00:00:00Z"))
    return a == b


def key(row):
    return tuple("" if row.get(k) is None else str(text(row.get(k))) for k in keys)


want = {key(r): r for r in expected}
if keys != ["*"] and len(want) != len(expected):
    problems.append(f"the key {keys} is not unique in the warehouse's rows")

manifest = json.load(open(os.path.join(lake, "_manifest.json")))
parts = [p for p in manifest["partitions"] if p["dataset"] == dataset]
files = []
for p in parts:
    for f in p["files"]:
        path = os.path.join(lake, f["path"])
        if not os.path.exists(path):
            problems.append(f"the manifest names {f['path']}, which is not there")
        elif os.path.getsize(path) != f["bytes"]:
            problems.append(f"{f['path']}: {os.path.getsize(path)} bytes, the manifest says {f['bytes']}")
        files.append(path)
if sum(p["rows"] for p in parts) != len(expected):
    problems.append(f"the manifest counts {sum(p['rows'] for p in parts)} rows, the warehouse {len(expected)}")
money = "BilledCost" if dataset == "focus_costs" else "CostInBillingCurrency"
by_currency = {}
for r in expected:
    if r.get(money) is not None:
        by_currency[r.get("BillingCurrency") or ""] = by_currency.get(r.get("BillingCurrency") or "", 0) + r[money]
listed = {}
for p in parts:
    for c, v in p["cost"].items():
        listed[c] = listed.get(c, 0) + v
for c in set(by_currency) | set(listed):
    if abs(by_currency.get(c, 0) - listed.get(c, 0)) > 1e-6 * max(1, abs(by_currency.get(c, 0))):
        problems.append(f"cost in {c}: manifest {listed.get(c)}, warehouse {by_currency.get(c)}")


def whole(row, columns):
    """A row as a comparable value: every column, dates as text, whole floats as ints."""
    out = []
    for c in columns:
        v = text(row.get(c))
        if isinstance(v, str) and len(v) == 20 and v.endswith("T00:00:00Z"):
            v = v[:10]
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out.append(v)
    return tuple(out)


def compare_all(reader, rows):
    """Without a key: the rows as a multiset, every column compared."""
    from collections import Counter
    columns = sorted(expected[0].keys()) if expected else []
    got = Counter(whole(r, columns) for r in rows)
    wanted = Counter(whole(r, columns) for r in expected)
    if got != wanted:
        missing = list((wanted - got).elements())[:3]
        extra = list((got - wanted).elements())[:3]
        problems.append(f"{reader}: rows differ; missing {missing!r:.600}; unexpected {extra!r:.600}")
    print(f"{reader}: {sum(got.values())} rows")


def compare(reader, rows):
    if keys == ["*"]:
        return compare_all(reader, rows)
    got = {}
    for r in rows:
        got[key(r)] = r
    if len(got) != len(want):
        problems.append(f"{reader}: {len(got)} rows, the warehouse has {len(want)}")
    shown = 0
    for k, w in want.items():
        g = got.get(k)
        if g is None:
            problems.append(f"{reader}: no row {k}")
            shown += 1
        else:
            for column, value in w.items():
                if column not in g:
                    problems.append(f"{reader}: no column {column}")
                    shown += 1
                    break
                if not same(text(g[column]), value):
                    problems.append(f"{reader}: row {k} column {column}: {text(g[column])!r:.80} against {value!r:.80}")
                    shown += 1
        if shown > 10:
            break
    print(f"{reader}: {len(got)} rows")


# Each file on its own (the folders' keys are in the files too), as one table.
table = pa.concat_tables([pq.ParquetFile(f).read() for f in files]) if files else None
if table is not None:
    print("schema:", json.dumps({f.name: str(f.type) for f in table.schema}))
    compare("pyarrow", table.to_pylist())
con = duckdb.connect()
if files:
    rows = con.execute(
        f"SELECT * FROM read_parquet('{lake}/{dataset}/**/*.parquet', hive_partitioning = true)").fetchall()
    names = [d[0] for d in con.description]
    compare("duckdb", [dict(zip(names, r)) for r in rows])
if problems:
    print("\n".join(problems[:40]))
    sys.exit(1)
