"""PySpark + Delta Lake MERGE of one CSV into a Delta table: what a hand-written Spark job does.

Usage: python delta_merge.py <state_dir> <csv>. Reads the CSV with a declared schema, keeps the
newest row per key, MERGEs updating only when newer. Prints one JSON line: seconds (the work,
not the session start), counts, peak RSS of this process and its JVM.
"""
import json
import os
import sys
import time

from delta import configure_spark_with_delta_pip
from pyspark.sql import SparkSession

from peak_memory import peak_mb

SCHEMA = (
    "OrderID STRING, LineNo INT, order_date DATE, customer_id STRING, product_id STRING, quantity INT, "
    "unit_price DECIMAL(12,2), discount_pct DECIMAL(5,2), currency STRING, status STRING, channel STRING, "
    "updated_at TIMESTAMP, is_deleted BOOLEAN"
)

state, csv = sys.argv[1], sys.argv[2]
builder = (
    SparkSession.builder.master("local[2]")
    .appName("bench-delta-merge")
    .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
    .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    .config("spark.sql.session.timeZone", "UTC")
    .config("spark.sql.shuffle.partitions", "4")
    .config("spark.ui.enabled", "false")
    .config("spark.ui.showConsoleProgress", "false")
    .config("spark.driver.memory", os.environ.get("BENCH_SPARK_DRIVER_MEMORY", "4g"))
)
spark = configure_spark_with_delta_pip(builder).getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
path = os.path.join(state, "silver_delta")

t0 = time.perf_counter()
spark.read.option("header", True).schema(SCHEMA).csv(csv).createOrReplaceTempView("src")
latest = spark.sql(
    "SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY OrderID, LineNo ORDER BY updated_at DESC) AS rn "
    "FROM src) WHERE rn = 1"
).drop("rn")
before = 0
if not os.path.exists(path):
    latest.write.format("delta").save(path)
    inserted, updated = None, 0
else:
    before = spark.read.format("delta").load(path).count()
    latest.createOrReplaceTempView("latest")
    metrics = spark.sql(
        f"""MERGE INTO delta.`{path}` t USING latest s ON t.OrderID = s.OrderID AND t.LineNo = s.LineNo
        WHEN MATCHED AND s.updated_at > t.updated_at THEN UPDATE SET *
        WHEN NOT MATCHED THEN INSERT *"""
    ).collect()[0].asDict()
    inserted, updated = metrics.get("num_inserted_rows", 0), metrics.get("num_updated_rows", 0)
seconds = time.perf_counter() - t0
rows = spark.read.format("delta").load(path).count()
counts = {"inserted": rows - before if inserted is None else inserted, "updated": updated, "silverRows": rows}
print(json.dumps({"seconds": seconds, "counts": counts, "selfPeakMb": peak_mb()}), flush=True)
spark.stop()
