#!/usr/bin/env python3
"""Nested Parquet columns (MAP, LIST, STRUCT) for costwh's reader tests, with pyarrow.

    parquet-nested.py write FOLDER     writes shapes-v1.parquet and shapes-v2.parquet (data pages
                                       v1 and v2, Snappy): every shape costwh reads, with nulls,
                                       empty lists and maps, and null entries
    parquet-nested.py cost FILE        writes a one-month EA cost file whose Tags are a
                                       MAP<string, string> and AdditionalInfo a STRUCT
    parquet-nested.py check PARQUET CSV
                                       compares the nested columns of CSV (costwh's reading of
                                       PARQUET, its nested columns as JSON text) with pyarrow's
                                       values; prints the differences, exits 1 on any
"""
import csv
import datetime
import decimal
import json
import math
import os
import sys

import pyarrow as pa
import pyarrow.parquet as pq


def shapes():
    tags = pa.map_(pa.string(), pa.string())
    return pa.table({
        "Name": pa.array(["a", "b", "c", "d", "e"]),
        "Tags": pa.array([[("env", "prod"), ("cc", "42")], [], None, [("k", None)], [("quote\"d", "line\nbreak")]], type=tags),
        "x_Counts": pa.array([[1, 2], [], None, [None, 3], [2**40]], type=pa.list_(pa.int64())),
        "x_Names": pa.array([["x"], ["y", "z"], [], None, ["ünï"]], type=pa.list_(pa.string())),
        "x_Prices": pa.array([[decimal.Decimal("1.50")], None, [], [decimal.Decimal("-0.01")], [None]],
                             type=pa.list_(pa.decimal128(10, 2))),
        "AdditionalInfo": pa.array(
            [{"a": "s", "b": 1.5, "c": True}, None, {"a": None, "b": None, "c": False},
             {"a": "t", "b": -2.0, "c": None}, {"a": "", "b": 0.0, "c": True}],
            type=pa.struct([("a", pa.string()), ("b", pa.float64()), ("c", pa.bool_())])),
        "x_Day": pa.array([[datetime.date(2026, 10, 1)], [], None, [None], [datetime.date(2026, 10, 31)]],
                          type=pa.list_(pa.date32())),
    })


def write(folder):
    table = shapes()
    for version in ["1.0", "2.0"]:
        pq.write_table(table, os.path.join(folder, f"shapes-v{version[0]}.parquet"), compression="snappy",
                       data_page_version=version, row_group_size=3)


def cost(path):
    rows = 6
    tags = pa.map_(pa.string(), pa.string())
    table = pa.table({
        "Date": pa.array([datetime.date(2026, 10, 1 + i) for i in range(rows)], type=pa.date32()),
        "BillingPeriodStartDate": pa.array([datetime.date(2026, 10, 1)] * rows, type=pa.date32()),
        "BillingPeriodEndDate": pa.array([datetime.date(2026, 10, 31)] * rows, type=pa.date32()),
        "SubscriptionId": pa.array(["sub-1"] * rows),
        "MeterCategory": pa.array(["Virtual Machines"] * rows),
        "CostInBillingCurrency": pa.array([decimal.Decimal("1.25")] * rows, type=pa.decimal128(38, 18)),
        "BillingCurrency": pa.array(["USD"] * rows),
        "ChargeType": pa.array(["Usage"] * rows),
        "PricingModel": pa.array(["OnDemand"] * rows),
        "Tags": pa.array([[("env", "prod"), ("team", "a")], [("env", "dev")], [], None, [("env", "prod")], [("cc", "7")]], type=tags),
        "AdditionalInfo": pa.array([{"ServiceType": "D2s", "VCPUs": 2}] * rows,
                                   type=pa.struct([("ServiceType", pa.string()), ("VCPUs", pa.int32())])),
    })
    pq.write_table(table, path, compression="snappy")


def plain(value, kind):
    """pyarrow's Python value, of Arrow type `kind`, as JSON would hold it (maps as objects
    with text keys)."""
    if value is None:
        return None
    if pa.types.is_map(kind):
        return {str(k): plain(v, kind.item_type) for k, v in value}
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return [plain(v, kind.value_type) for v in value]
    if pa.types.is_struct(kind):
        return {kind.field(i).name: plain(value[kind.field(i).name], kind.field(i).type) for i in range(kind.num_fields)}
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def same(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=0)
    return a == b


def check(parquet, text):
    table = pq.read_table(parquet)
    nested = [f.name for f in table.schema if pa.types.is_nested(f.type)]
    kinds = {f.name: f.type for f in table.schema}
    expected = table.select(nested).to_pylist()
    with open(text, encoding="utf-8", newline="") as f:
        got = list(csv.DictReader(f))
    problems = []
    if len(got) != len(expected):
        problems.append(f"{len(got)} rows read, {len(expected)} in the file")
    for i, (row, want) in enumerate(zip(got, expected)):
        for name in nested:
            field = row.get(name)
            value = json.loads(field) if field else None
            expected_value = plain(want[name], kinds[name])
            if not same(value, expected_value):
                problems.append(f"row {i + 1} {name}: costwh {field!r}, pyarrow {expected_value!r}")
    print(json.dumps({"rows": len(expected), "nested": nested, "problems": problems[:20]}))
    return 1 if problems or not nested else 0


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "write":
        write(sys.argv[2])
    elif mode == "cost":
        cost(sys.argv[2])
    elif mode == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
