#!/usr/bin/env python3
"""Writes Parquet files the way pyarrow and DuckDB write them, across every codec, both data
page versions, dictionary and plain, the DELTA_* and BYTE_STREAM_SPLIT encodings, and every
type costwh reads (booleans, integers of every width, floats, strings, DATE, TIMESTAMP in
milli/micro/nanoseconds with and without UTC, INT96, DECIMAL in INT32/INT64/FIXED_LEN_BYTE_ARRAY),
with nulls and several row groups; and beside each FILE.parquet a FILE.expect.csv of its values
written as costwh reads them (CostwhParquetTests compares the two).
Usage: parquet-matrix.py OUTDIR   (needs pyarrow and duckdb: scripts/test-tools.txt)"""
import csv, datetime, decimal, os, sys
import pyarrow as pa, pyarrow.parquet as pq

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
n = 1000
utc = datetime.timezone.utc
base = datetime.datetime(2026, 3, 1, 5, 6, 7, 123456)


def value(i, kind):
    if i % 7 == 3:
        return None
    return {
        "bool": i % 3 == 0,
        "i8": (i % 200) - 100, "i16": i * 37 - 9000, "i32": i * 104729 - 50_000_000, "i64": i * 9_007_199_254_740 - 10**15,
        "u32": i * 4_000_000 % 4_294_967_296,
        "f32": float(i) / 8.0, "f64": i * 0.1 + 1e-9,
        "str": f"Meter, \"Name\" {i % 13}" if i % 5 else f"plain-{i % 17}",
        "date": datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 400),
        "ts_ms": (base + datetime.timedelta(milliseconds=i * 1234567)).replace(microsecond=(i * 1000) % 1_000_000, tzinfo=utc),
        "ts_us": (base + datetime.timedelta(microseconds=i * 7_654_321)).replace(tzinfo=utc),
        "ts_naive": base + datetime.timedelta(seconds=i * 3601),
        "dec38": decimal.Decimal(i * 123456789 - 60_000_000_000).scaleb(-18) * 1_000_000,
        "dec9": decimal.Decimal(i * 37 - 15_000).scaleb(-2),
        "dec18": decimal.Decimal(i * 987654321 - 4 * 10**11).scaleb(-6),
    }[kind]


types = {
    "bool": pa.bool_(), "i8": pa.int8(), "i16": pa.int16(), "i32": pa.int32(), "i64": pa.int64(), "u32": pa.uint32(),
    "f32": pa.float32(), "f64": pa.float64(), "str": pa.string(), "date": pa.date32(),
    "ts_ms": pa.timestamp("ms", tz="UTC"), "ts_us": pa.timestamp("us", tz="UTC"), "ts_naive": pa.timestamp("us"),
    "dec38": pa.decimal128(38, 18), "dec9": pa.decimal128(9, 2), "dec18": pa.decimal128(18, 6),
}
table = pa.table({k: pa.array([value(i, k) for i in range(n)], t) for k, t in types.items()})


def text(v, kind):
    if v is None:
        return ""
    if kind == "bool":
        return "True" if v else "False"
    if kind.startswith("dec"):
        return format(v, "f")
    if kind == "date":
        return v.isoformat()
    if kind.startswith("ts"):
        s = v.replace(tzinfo=None).isoformat(timespec="microseconds")
        head, frac = s.split(".")
        frac = frac.rstrip("0")
        s = head + ("." + frac if frac else "")
        return s + ("Z" if kind != "ts_naive" else "")
    if kind in ("f32", "f64"):
        return repr(float(v))
    return str(v)


def expect(path, t):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(t.column_names)
        for row in t.to_pylist():
            w.writerow([text(row[k], k) for k in t.column_names])


files = []
for codec in ["none", "snappy", "gzip", "zstd", "lz4"]:
    for version in ["1.0", "2.0"]:
        for dictionary in [True, False]:
            name = f"pyarrow-{codec}-v{version[0]}-{'dict' if dictionary else 'plain'}"
            pq.write_table(table, f"{out}/{name}.parquet", compression=codec, data_page_version=version,
                           use_dictionary=dictionary, row_group_size=300, data_page_size=2048)
            files.append(name)
encodings = {"i32": "DELTA_BINARY_PACKED", "i64": "DELTA_BINARY_PACKED", "str": "DELTA_BYTE_ARRAY",
             "f32": "BYTE_STREAM_SPLIT", "f64": "BYTE_STREAM_SPLIT"}
pq.write_table(table, f"{out}/pyarrow-delta.parquet", use_dictionary=False, column_encoding=encodings,
               compression="zstd", row_group_size=400)
files.append("pyarrow-delta")
pq.write_table(table.select(["str", "i64"]), f"{out}/pyarrow-delta-length.parquet", use_dictionary=False,
               column_encoding={"str": "DELTA_LENGTH_BYTE_ARRAY", "i64": "DELTA_BINARY_PACKED"})
files.append("pyarrow-delta-length")
pq.write_table(table, f"{out}/pyarrow-int-decimals.parquet", store_decimal_as_integer=True, compression="snappy")
files.append("pyarrow-int-decimals")
spark = table.select(["i32", "ts_us"]).rename_columns(["i32", "ts_int96"])
pq.write_table(spark, f"{out}/pyarrow-int96.parquet", use_deprecated_int96_timestamps=True)
files.append("pyarrow-int96")
for name in files:
    t = pq.read_table(f"{out}/{name}.parquet")
    if name == "pyarrow-int96":
        t = t.rename_columns(["i32", "ts_us"])
        expect(f"{out}/{name}.expect.csv", t)
        # Header as the file spells it.
        lines = open(f"{out}/{name}.expect.csv").read().split("\n", 1)
        open(f"{out}/{name}.expect.csv", "w").write("i32,ts_int96\n" + lines[1])
    else:
        expect(f"{out}/{name}.expect.csv", table.select(t.column_names))

import duckdb
con = duckdb.connect()
for codec in ["zstd", "snappy", "uncompressed"]:
    con.execute(f"""COPY (SELECT i::INTEGER AS i32, (i * 1000000007)::BIGINT AS i64,
        CASE WHEN i % 7 = 3 THEN NULL ELSE 'svc-' || (i % 9) END AS str,
        (DATE '2026-01-01' + (i % 300)::INTEGER) AS date,
        (i * 12345 - 600000)::DECIMAL(18, 6) / 1000 AS dec18,
        (i * 0.25)::DOUBLE AS f64
        FROM range(5000) t(i)) TO '{out}/duckdb-{codec}.parquet' (FORMAT parquet, COMPRESSION {codec}, ROW_GROUP_SIZE 2048)""")
    t = pq.read_table(f"{out}/duckdb-{codec}.parquet")
    kinds = {"i32": "i32", "i64": "i64", "str": "str", "date": "date", "dec18": "dec18", "f64": "f64"}
    with open(f"{out}/duckdb-{codec}.expect.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(t.column_names)
        for row in t.to_pylist():
            w.writerow([text(row[k], kinds[k]) for k in t.column_names])
    files.append(f"duckdb-{codec}")
print(len(files), "files")
