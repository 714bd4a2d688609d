#!/usr/bin/env python3
"""costwh-bench: the benchmark's EA file as Parquet, the way Microsoft's exports and the FinOps
toolkit write it (#28): SNAPPY, dictionary-encoded strings, the money columns as DECIMAL(38, 18)
(Microsoft writes cost columns as DECIMAL(38, ...)), the dates as DATE, the rest as pyarrow
infers them. One row group per 1,048,576 rows (pyarrow's default), the reader's worst case for
memory. Usage: bench-parquet.py FILE.csv OUT.parquet"""
import decimal
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

source, out = sys.argv[1], sys.argv[2]
money = ["Quantity", "EffectivePrice", "Cost", "UnitPrice", "PayGPrice"]
dates = ["Date", "BillingPeriodStartDate", "BillingPeriodEndDate"]
table = pcsv.read_csv(source, convert_options=pcsv.ConvertOptions(
    strings_can_be_null=False, column_types={name: pa.string() for name in money + dates}))
for name in money:
    # Through the text, rounded half-even to 18 places as a converting tool does (Azure's CSV
    # has costs of 28 decimals and exponents such as 2e-05): the file's own exact value.
    step = decimal.Decimal(1).scaleb(-18)
    column = pa.array([decimal.Decimal(v).quantize(step, rounding=decimal.ROUND_HALF_EVEN) if v else None
                       for v in table.column(name).to_pylist()], pa.decimal128(38, 18))
    table = table.set_column(table.schema.get_field_index(name), name, column)
for name in dates:
    column = pc.strptime(table.column(name), format="%m/%d/%Y", unit="s").cast(pa.date32())
    table = table.set_column(table.schema.get_field_index(name), name, column)
pq.write_table(table, out, compression="snappy")
print(table.num_rows)
