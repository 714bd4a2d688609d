# costwh-bench: one analysts' query through DuckDB over a Parquet lake (figures D1-D4), with 2
# threads as on the build machine. Prints the seconds the query took, its answer fetched.
#   python bench-duckdb-lake.py "SELECT ... FROM read_parquet(...) ..."
import sys
import time

import duckdb

con = duckdb.connect()
con.execute("SET threads = 2")
start = time.time()
con.execute(sys.argv[1]).fetchall()
print(time.time() - start)
