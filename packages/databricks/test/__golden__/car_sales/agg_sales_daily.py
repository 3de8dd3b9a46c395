# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · car_sales · agg_sales_daily
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

PARAMS = ["run_id","batch_id","window_low","window_high","catalog","lake_root","full_refresh"]
for _p in PARAMS:
    dbutils.widgets.text(_p, "")
params = {p: dbutils.widgets.get(p) for p in PARAMS}
params["catalog"] = params["catalog"] or "main"
for _p, _rule in {"run_id":"^[A-Za-z0-9_.:-]*$","batch_id":"^[A-Za-z0-9_.:-]*$","window_low":"^[A-Za-z0-9_.:+ -]*$","window_high":"^[A-Za-z0-9_.:+ -]*$","catalog":"^[A-Za-z_][A-Za-z0-9_]*$","full_refresh":"^(true|false|)$"}.items():
    if not re.fullmatch(_rule, params[_p]):
        raise ValueError(f"widget {_p} has a value outside {_rule}")
counts = {"step": "agg_sales_daily", "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows

# COMMAND ----------

if params["full_refresh"] == "true":
    run(r"""DELETE FROM `${catalog}`.`gold`.`agg_sales_daily`""")
run(r"""MERGE INTO `${catalog}`.`gold`.`agg_sales_daily` AS t USING `${catalog}`.`saleslake`.`agg_days_car_sales` AS d ON t.day = d.day WHEN MATCHED THEN DELETE""")
run(r"""INSERT INTO `${catalog}`.`gold`.`agg_sales_daily` (day, `dim_branch_key`, `dim_model_key`, `revenue`, `units_sold`, `sales_count`, _updated_at)
SELECT CAST(f.`sale_date` AS DATE) AS day, f.`dim_branch_key`, f.`dim_model_key`, sum(f.`revenue`) AS `revenue`, sum(f.`units_sold`) AS `units_sold`, count(f.`revenue`) AS `sales_count`, current_timestamp()
FROM `${catalog}`.`gold`.`fact_sales` f WHERE CAST(f.`sale_date` AS DATE) IN (SELECT day FROM `${catalog}`.`saleslake`.`agg_days_car_sales`)
GROUP BY CAST(f.`sale_date` AS DATE), f.`dim_branch_key`, f.`dim_model_key`""")
run(r"""SELECT count(*) AS days_recomputed FROM `${catalog}`.`saleslake`.`agg_days_car_sales`""", "agg_sales_daily")

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
