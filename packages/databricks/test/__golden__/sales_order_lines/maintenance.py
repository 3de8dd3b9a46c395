# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · sales_order_lines · maintenance
# MAGIC Generated from the saleslake schema; regenerate instead of editing. Parameters arrive as widgets.

# COMMAND ----------

import json
import re
from string import Template

# A timestamp without an offset (Azure SQL's datetime2, say) is UTC, as on the local engine,
# whatever time zone the cluster's sessions start in.
spark.conf.set("spark.sql.session.timeZone", "UTC")
# ANSI SQL mode, as the notebooks are tested (Spark 4.0's default; a runtime before Databricks
# Runtime 17 starts sessions without it): an overflow or a failed cast stops the step instead of
# writing NULL, as on the local engine.
spark.conf.set("spark.sql.ansi.enabled", "true")

PARAMS = ["catalog","vacuum_retain_hours"]
for _p in PARAMS:
    dbutils.widgets.text(_p, "")
params = {p: dbutils.widgets.get(p) for p in PARAMS}
params["catalog"] = params["catalog"] or "main"
for _p, _rule in {"catalog":"^[A-Za-z_][A-Za-z0-9_]*$","vacuum_retain_hours":"^[0-9]*$"}.items():
    if not re.fullmatch(_rule, params[_p]):
        raise ValueError(f"widget {_p} has a value outside {_rule}")
counts = {"step": "maintenance", "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows

# COMMAND ----------

retain = int(params["vacuum_retain_hours"] or "168")
counts = {"step": "maintenance", "tables_optimized": 0, "files_added": 0, "files_removed": 0, "tables_vacuumed": 0}
TABLES = [["`${catalog}`.`bronze`.`sales_order_lines`",""],["`${catalog}`.`quarantine`.`sales_order_lines`",""],["`${catalog}`.`silver`.`sales_order_lines`",""],["`${catalog}`.`gold`.`dim_customer`",""],["`${catalog}`.`gold`.`dim_product`",""],["`${catalog}`.`gold`.`dim_channel`",""],["`${catalog}`.`gold`.`dim_order_date`",""],["`${catalog}`.`gold`.`fact_order_lines`",""],["`${catalog}`.`gold`.`agg_orders_daily`",""]]
for name, zorder in TABLES:
    target = Template(name).safe_substitute(params)
    if not spark.catalog.tableExists(target.replace("`", "")):
        continue
    metrics = spark.sql(f"OPTIMIZE {target}{zorder}").collect()[0]["metrics"]
    counts["tables_optimized"] += 1
    counts["files_added"] += int(metrics["numFilesAdded"])
    counts["files_removed"] += int(metrics["numFilesRemoved"])
    spark.sql(f"VACUUM {target} RETAIN {retain} HOURS")
    counts["tables_vacuumed"] += 1

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
