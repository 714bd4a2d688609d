#!/usr/bin/env python3
"""Read a costwh Parquet lake with Spark (pyspark, local mode) and print, as one JSON line, what
the analysts' shapes give (after `LAKE-SPARK `): rows and cost per scope, billing period, metric and currency, and
amortized minus actual per subscription.

Usage: lake-spark.py LAKE
"""
import json
import sys

from pyspark.sql import SparkSession

lake = sys.argv[1]
spark = (
    SparkSession.builder.master("local[2]").appName("costwh-lake")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.sql.shuffle.partitions", "4")
    # Folder values stay text (a billing period is not a number).
    .config("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
spark.read.parquet(f"{lake}/cost_details").createOrReplaceTempView("cost_details")
totals = spark.sql(
    """
    SELECT Scope, BillingPeriod, Metric, BillingCurrency, COUNT(*) AS rows, SUM(CostInBillingCurrency) AS cost
    FROM cost_details GROUP BY Scope, BillingPeriod, Metric, BillingCurrency
    """
).collect()
difference = spark.sql(
    """
    SELECT SubscriptionId, BillingCurrency,
           SUM(CASE WHEN Metric = 'AmortizedCost' THEN CostInBillingCurrency ELSE 0 END)
         - SUM(CASE WHEN Metric = 'ActualCost' THEN CostInBillingCurrency ELSE 0 END) AS difference
    FROM cost_details GROUP BY SubscriptionId, BillingCurrency
    """
).collect()
print("LAKE-SPARK " + json.dumps({
    "totals": [r.asDict() for r in totals],
    "difference": [r.asDict() for r in difference],
}))
spark.stop()
