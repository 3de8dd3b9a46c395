"""PySpark + Delta Lake MERGE of one CSV into a Delta table: what a hand-written Spark job does.

Usage: python delta_merge.py <state_dir> <csv>. Prints one JSON line: seconds (the merge only,
not the session start), peak RSS of this process and its JVM.
"""
import json
import os
import sys
import time

from delta import configure_spark_with_delta_pip
from pyspark.sql import SparkSession

state, csv = sys.argv[1], sys.argv[2]
builder = (
    SparkSession.builder.master("local[2]").appName("bench-delta-merge")
    .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
    .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    .config("spark.sql.session.timeZone", "UTC").config("spark.sql.shuffle.partitions", "4")
    .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
    .config("spark.driver.memory", "4g")
)
spark = configure_spark_with_delta_pip(builder).getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
path = os.path.join(state, "silver_delta")
t0 = time.perf_counter()
src = (
    spark.read.option("header", True)
    .schema("OrderID STRING, LineNo INT, order_date DATE, customer_id STRING, product_id STRING, quantity INT, unit_price DECIMAL(12,2), discount_pct DECIMAL(5,2), currency STRING, status STRING, channel STRING, updated_at TIMESTAMP, is_deleted BOOLEAN")
    .csv(csv)
)
src.createOrReplaceTempView("src")
latest = spark.sql("SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY OrderID, LineNo ORDER BY updated_at DESC) rn FROM src) WHERE rn = 1").drop("rn")
if not os.path.exists(path):
    latest.write.format("delta").save(path)
else:
    latest.createOrReplaceTempView("latest")
    spark.sql(f"""MERGE INTO delta.`{path}` t USING latest s ON t.OrderID = s.OrderID AND t.LineNo = s.LineNo
      WHEN MATCHED AND s.updated_at > t.updated_at THEN UPDATE SET *
      WHEN NOT MATCHED THEN INSERT *""")
seconds = time.perf_counter() - t0
rows = spark.read.format("delta").load(path).count()


def hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return 0
    return 0


children = []
for task in os.listdir("/proc/self/task"):
    try:
        children += open(f"/proc/self/task/{task}/children").read().split()
    except OSError:
        pass
peak = hwm(os.getpid()) + sum(hwm(int(c)) for c in children)
print(json.dumps({"seconds": seconds, "peakRssMb": peak, "counts": {"silverRows": rows}}), flush=True)
spark.stop()
