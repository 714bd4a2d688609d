#!/usr/bin/env python3
"""Read a Parquet file written by costwh with pyarrow and DuckDB and compare every value with
the expected rows (a JSON array of arrays; dates as days since 1970-01-01, timestamps as
microseconds since 1970-01-01 UTC). Prints one line per reader; exits 1 on any mismatch.

Usage: parquet-check.py FILE.parquet EXPECT.json
"""
import datetime
import json
import math
import sys

import duckdb
import pyarrow.parquet as pq

path, expect_path = sys.argv[1:3]
expected = json.load(open(expect_path))
epoch = datetime.date(1970, 1, 1)
problems = []


def normal(value):
    """A value as JSON holds it: dates as days, timestamps as microseconds."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        delta = value - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
        return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    if isinstance(value, datetime.date):
        return (value - epoch).days
    return value


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        if math.copysign(1, a) != math.copysign(1, b) and a == 0 and b == 0:
            return True
        return a == b
    return a == b


def compare(reader, rows):
    if len(rows) != len(expected):
        problems.append(f"{reader}: {len(rows)} rows, expected {len(expected)}")
    for i, (got, want) in enumerate(zip(rows, expected)):
        got = [normal(v) for v in got]
        if len(got) != len(want) or not all(same(a, b) for a, b in zip(got, want)):
            problems.append(f"{reader}: row {i}: {str(got)[:300]} against {str(want)[:300]}")
            if len(problems) > 10:
                break
    print(f"{reader}: {len(rows)} rows")


table = pq.read_table(path)
meta = pq.ParquetFile(path).metadata
compare("pyarrow", [list(r.values()) for r in table.to_pylist()])
# Statistics engines prune with: present and right on every column of every row group.
for g in range(meta.num_row_groups):
    group = table.slice(sum(meta.row_group(k).num_rows for k in range(g)), meta.row_group(g).num_rows)
    for c in range(meta.num_columns):
        stats = meta.row_group(g).column(c).statistics
        values = [normal(v) for v in group.column(c).to_pylist() if v is not None]
        values = [v for v in values if not (isinstance(v, float) and math.isnan(v))]
        if stats is None or not stats.has_null_count:
            problems.append(f"row group {g} column {c}: no statistics")
            continue
        if stats.null_count != group.num_rows - len(group.column(c).drop_null()):
            problems.append(f"row group {g} column {c}: null count {stats.null_count}")
        if stats.has_min_max and values:
            if not same(normal(stats.min), min(values)) or not same(normal(stats.max), max(values)):
                problems.append(f"row group {g} column {c}: min/max {stats.min!r:.60}/{stats.max!r:.60}")
        elif values and meta.schema.column(c).physical_type != "BYTE_ARRAY":
            problems.append(f"row group {g} column {c}: no min/max")
print("schema:", ", ".join(f"{f.name} {f.type}" for f in table.schema))
con = duckdb.connect()
rows = con.execute(f"SELECT * FROM read_parquet('{path}')").fetchall()
compare("duckdb", [list(r) for r in rows])
if problems:
    print("\n".join(problems))
    sys.exit(1)
