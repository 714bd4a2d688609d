# costwh-bench: DuckDB's typed read_csv of a cost file with 2 threads, the raw load with no
# transform, for the "load / DuckDB" ratio. Prints the seconds the load took.
#   python bench-duckdb-load.py SCRATCH-PREFIX FILE.csv
# EA dates are MM/DD/YYYY: left to its sample, DuckDB may guess DD/MM and fail on day 13.
import os
import sys
import time

import duckdb

path = sys.argv[1] + ".duckdb"
if os.path.exists(path):
    os.remove(path)
con = duckdb.connect(path)
con.execute("SET threads = 2")
start = time.time()
con.execute(
    "CREATE TABLE cost AS SELECT * FROM read_csv(?, header = true, auto_detect = true, dateformat = '%m/%d/%Y')",
    [sys.argv[2]],
)
con.execute("CHECKPOINT")
print(time.time() - start)
con.close()
os.remove(path)
