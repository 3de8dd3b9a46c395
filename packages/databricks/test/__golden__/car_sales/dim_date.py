# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · car_sales · dim_date
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
counts = {"step": "dim_date", "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows

# COMMAND ----------

run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_date_car_sales` USING DELTA AS SELECT DISTINCT CAST(s.`sale_date` AS DATE) AS d FROM (SELECT s.* FROM `${catalog}`.`silver`.`car_sales` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = s.`branch_id` AND c.`dealer_id` = s.`dealer_id` AND c.`model_id` = s.`model_id` AND c.`date_id` = s.`date_id`) s WHERE s.`sale_date` IS NOT NULL""")
run(r"""INSERT INTO `${catalog}`.`gold`.`dim_date` (`dim_date_key`, `date`, `year`, `quarter`, `month`, `month_name`, `day`, `day_of_week`, `day_name`, `week_of_year`, `is_weekend`)
SELECT (year(x.d) * 10000 + month(x.d) * 100 + day(x.d)), x.d, year(x.d), quarter(x.d), month(x.d), date_format(x.d, 'MMMM'), day(x.d), (weekday(x.d) + 1), date_format(x.d, 'EEEE'), weekofyear(x.d), (weekday(x.d) + 1) >= 6
FROM `${catalog}`.`saleslake`.`src_dim_date_car_sales` x WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_date` t WHERE t.`dim_date_key` = (year(x.d) * 10000 + month(x.d) * 100 + day(x.d)))""")
run(r"""SELECT count(*) AS members_seen FROM `${catalog}`.`saleslake`.`src_dim_date_car_sales`""", "dim_date")

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
