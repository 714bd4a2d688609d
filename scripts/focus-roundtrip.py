#!/usr/bin/env python3
"""Compares a FOCUS file with what costwh's focus_costs gives back for it, column by column.

    focus-roundtrip.py INPUT.csv FOCUS-PARQUET-FOLDER KEY

KEY names a column of INPUT that is not a FOCUS column (the FOCUS sample data's `Id`): costwh
keeps it in x_ExtraColumns, and the rows are matched by it. Every other column of INPUT must come
back in the column of the same name with the same value: numbers equal to 1e-9 relative, date-
times as the same instant (a date-time without a zone is UTC), JSON as the same object, text
exactly; a bare NULL or an empty field is null. Prints a JSON object with the counts and the
first mismatches, and exits 1 when there is any.
"""
import csv
import datetime
import glob
import json
import math
import sys

import pyarrow.dataset as ds

DATETIMES = {"BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd"}


def blank(value):
    return value is None or value == "" or value == "NULL"


def instant(value):
    if isinstance(value, datetime.datetime):
        return value if value.tzinfo else value.replace(tzinfo=datetime.timezone.utc)
    text = value.strip().replace("Z", "+00:00")
    parsed = datetime.datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def same(column, given, got):
    if blank(given):
        return got is None
    if got is None:
        return False
    if column in DATETIMES:
        return instant(given) == instant(got)
    if isinstance(got, float):
        try:
            number = float(given)
        except ValueError:
            return False
        return math.isclose(number, got, rel_tol=1e-9, abs_tol=1e-15)
    if given.lstrip().startswith("{"):
        try:
            return json.loads(given) == json.loads(got)
        except ValueError:
            return False
    return given == str(got)


def main():
    path, lake, key = sys.argv[1:4]
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    files = sorted(glob.glob(lake + "/**/*.parquet", recursive=True))
    out = ds.dataset(files, format="parquet").to_table().to_pylist()
    by_key = {}
    for row in out:
        extras = json.loads(row.get("x_ExtraColumns") or "{}")
        by_key.setdefault(extras.get(key), []).append(row)
    mismatches = []
    missing = 0
    compared = 0
    for row in rows:
        found = by_key.get(row[key], [])
        if len(found) != 1:
            missing += 1
            mismatches.append({key: row[key], "found": len(found)})
            continue
        for column, given in row.items():
            if column == key:
                continue
            compared += 1
            got = found[0].get(column, "<no such column>")
            if got == "<no such column>" or not same(column, given, got):
                mismatches.append({key: row[key], "column": column, "given": given, "got": str(got)})
    print(json.dumps({
        "rows": len(rows), "returned": len(out), "valuesCompared": compared, "missing": missing,
        "mismatchCount": len(mismatches), "mismatches": mismatches[:20],
    }, indent=1))
    return 0 if not mismatches and len(out) == len(rows) else 1


if __name__ == "__main__":
    sys.exit(main())
