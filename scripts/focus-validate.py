#!/usr/bin/env python3
"""Runs the FinOps Foundation's FOCUS validator (focus-validator 2.2.1) over FOCUS data, offline.

    focus-validate.py [--known FILE] INPUT...

INPUT is a Parquet file, a CSV file, or a folder of Parquet files (a costwh lake's
`focus_costs/`, Hive folders included). All inputs are validated together as one dataset, with
FOCUS 1.2's rules and the applicability criteria an Azure provider meets (APPLICABILITY below).

Prints one JSON object: the rules that passed and failed, and `unexplained`: the failed rules that
are neither listed in the known file nor composites failing only because of listed rules. Exits
0 when `unexplained` is empty.

As installed from PyPI the validator needs a working directory holding its
`focus_validator/rules/currency_codes.csv`, and must be kept from downloading rule models
(there is no network in CI): it runs in a temporary folder with `--block-download` and the
FOCUS 1.2 model it ships.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.parquet as pq

# Azure supports every criterion of FOCUS 1.2 but virtual currencies (it prices in real ones).
APPLICABILITY = [
    "ACCOUNT_NAMING_SUPPORTED", "AVAILABILITY_ZONE_SUPPORTED", "CAPACITY_RESERVATION_SUPPORTED",
    "COMMITMENT_DISCOUNT_SUPPORTED", "MULTIPLE_PRICING_CATEGORIES_SUPPORTED",
    "MULTIPLE_BILLING_ACCOUNT_TYPES_SUPPORTED", "NEGOTIATED_PRICING_SUPPORTED",
    "PUBLIC_PRICE_LIST_SUPPORTED", "USAGE_MEASUREMENT_SUPPORTED", "UNIT_PRICING_SUPPORTED",
    "SUB_ACCOUNT_SUPPORTED", "BILLING_BASED_ON_PROVISIONED_RESOURCES_SUPPORTED",
    "RESOURCE_TYPE_ASSIGNMENT_SUPPORTED", "PRICING_BILLING_CURRENCY_DIFFERENCES_SUPPORTED",
    "REGION_SUPPORTED", "TAGGING_SUPPORTED",
]


def table(path):
    if os.path.isdir(path):
        files = sorted(glob.glob(os.path.join(path, "**", "*.parquet"), recursive=True))
        # The lake's Hive folders repeat columns the files hold; read the files as they are.
        return ds.dataset(files, format="parquet").to_table()
    if path.endswith(".parquet"):
        return pq.read_table(path)
    # FOCUS files written from SQL spell null as a bare NULL (the FOCUS sample data); read it as
    # null, as costwh does, so that the file and costwh's view of it are judged alike.
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        null_values=["", "NULL"], strings_can_be_null=True))


def known_rules(path):
    known = {}
    if path:
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if line and not line.startswith("#"):
                rule, _, reason = line.partition(" ")
                known[rule] = reason.strip()
    return known


def main():
    args = sys.argv[1:]
    known_path = None
    if args[:1] == ["--known"]:
        known_path, args = args[1], args[2:]
    known = known_rules(known_path)
    tables = [table(p) for p in args]
    data = pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]

    import focus_validator
    package = os.path.dirname(focus_validator.__file__)
    work = tempfile.mkdtemp(prefix="costwh-focus-")
    try:
        rules = os.path.join(work, "focus_validator", "rules")
        os.makedirs(rules)
        shutil.copy(os.path.join(package, "rules", "currency_codes.csv"), rules)
        pq.write_table(data, os.path.join(work, "focus.parquet"))
        command = [
            os.path.join(os.path.dirname(sys.executable), "focus-validator"),
            "--data-file", "focus.parquet", "--validate-version", "1.2", "--block-download",
            "--rule-set-path", os.path.join(package, "rules"),
            "--applicability-criteria", ",".join(APPLICABILITY),
            "--output-type", "console", "--show-violations",
        ]
        done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=600)
        output = done.stdout
        if done.returncode != 0 and "Validation Results" not in output:
            print(json.dumps({"error": (done.stderr or output)[-2000:]}))
            return 2
    finally:
        shutil.rmtree(work, ignore_errors=True)

    status = {}
    for match in re.finditer(r"^\S+\s+([A-Za-z]+-[A-Z]-\d{3}-[A-Z]): (PASS|FAIL|SKIPPED)", output, re.M):
        status[match.group(1)] = match.group(2)
    children = {}
    details = {}
    for match in re.finditer(r"^- ([A-Za-z]+-[A-Z]-\d{3}-[A-Z]): violations=(\d+); (.*)$", output, re.M):
        rule, text = match.group(1), match.group(3)
        details[rule] = f"violations={match.group(2)}; {text[:300]}"
        failed = re.search(r"failed child rules: \[([^\]]*)\]", text)
        if failed:
            children[rule] = [c.strip() for c in failed.group(1).split(",") if c.strip()]
    failed = sorted(r for r, s in status.items() if s == "FAIL")

    def explained(rule, seen=()):
        if rule in known:
            return True
        kids = children.get(rule)
        return bool(kids) and rule not in seen and all(explained(k, seen + (rule,)) for k in kids)

    unexplained = [r for r in failed if not explained(r)]
    print(json.dumps({
        "rows": data.num_rows,
        "passed": sorted(r for r, s in status.items() if s == "PASS"),
        "failed": failed,
        "knownFailed": sorted(r for r in failed if r in known),
        "knownPassed": sorted(r for r in known if status.get(r) == "PASS"),
        "unexplained": unexplained,
        "details": {r: details.get(r, "") for r in unexplained},
    }, indent=1))
    return 0 if not unexplained else 1


if __name__ == "__main__":
    sys.exit(main())
