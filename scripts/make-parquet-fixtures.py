#!/usr/bin/env python3
"""Writes Tests/Fixtures/parquet/: Microsoft's EA sample (Tests/Fixtures/finops-toolkit/
EA_ActualCost_Small.csv) as Parquet, the way the writers people use write it: pyarrow with
SNAPPY (dictionary strings, data page v1) and ZSTD (data page v2), the cost as DECIMAL(38, 18)
as Microsoft's FOCUS exports write cost columns, and the Date as a DATE. The tests load each and
compare it with the CSV. Needs pyarrow (scripts/test-tools.txt). Usage: make-parquet-fixtures.py"""
import decimal, os
import pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pcsv, pyarrow.parquet as pq

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, "..", "Tests", "Fixtures")
out = os.path.join(root, "parquet")
os.makedirs(out, exist_ok=True)
source = os.path.join(root, "finops-toolkit", "EA_ActualCost_Small.csv")
table = pcsv.read_csv(source, convert_options=pcsv.ConvertOptions(strings_can_be_null=False,
                      column_types={"Cost": pa.string(), "Date": pa.string()}))
text = table.column("Cost").to_pylist()
strings = table.set_column(table.schema.get_field_index("Cost"), "Cost",
                           pa.array(text, pa.string()))
pq.write_table(strings, os.path.join(out, "ea-actual-snappy.parquet"), compression="snappy")
pq.write_table(strings, os.path.join(out, "ea-actual-zstd-v2.parquet"), compression="zstd", data_page_version="2.0")
typed = strings.set_column(strings.schema.get_field_index("Cost"), "Cost",
                           pa.array([decimal.Decimal(v) for v in text], pa.decimal128(38, 18)))
dates = pc.strptime(typed.column("Date"), format="%m/%d/%Y", unit="s").cast(pa.date32())
typed = typed.set_column(typed.schema.get_field_index("Date"), "Date", dates)
pq.write_table(typed, os.path.join(out, "ea-actual-decimal-date.parquet"), compression="snappy")
print("written:", sorted(os.listdir(out)))
