# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · car_sales · fact_sales
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
counts = {"step": "fact_sales", "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows

# COMMAND ----------

if params["full_refresh"] == "true":
    run(r"""DELETE FROM `${catalog}`.`gold`.`fact_sales`""")
run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`agg_days_car_sales` USING DELTA AS SELECT DISTINCT CAST(f.`sale_date` AS DATE) AS day FROM `${catalog}`.`gold`.`fact_sales` f LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = f.`branch_id` AND c.`dealer_id` = f.`dealer_id` AND c.`model_id` = f.`model_id` AND c.`date_id` = f.`date_id` WHERE f.`sale_date` IS NOT NULL
UNION SELECT DISTINCT CAST(s.`sale_date` AS DATE) FROM (SELECT s.* FROM `${catalog}`.`silver`.`car_sales` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = s.`branch_id` AND c.`dealer_id` = s.`dealer_id` AND c.`model_id` = s.`model_id` AND c.`date_id` = s.`date_id`) s WHERE s.`sale_date` IS NOT NULL""")
run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`fact_src_car_sales` USING DELTA AS SELECT s.`branch_id`, s.`dealer_id`, s.`model_id`, s.`revenue`, s.`units_sold`, s.`date_id`, s.`sale_date`, coalesce(d0.`dim_branch_key`, -1) AS `dim_branch_key`, coalesce(d1.`dim_dealer_key`, -1) AS `dim_dealer_key`, coalesce(d2.`dim_model_key`, -1) AS `dim_model_key`, coalesce(year(CAST(s.`sale_date` AS DATE)) * 10000 + month(CAST(s.`sale_date` AS DATE)) * 100 + day(CAST(s.`sale_date` AS DATE)), -1) AS `dim_date_key`, false AS _deleted
FROM (SELECT s.* FROM `${catalog}`.`silver`.`car_sales` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = s.`branch_id` AND c.`dealer_id` = s.`dealer_id` AND c.`model_id` = s.`model_id` AND c.`date_id` = s.`date_id`) s LEFT JOIN `${catalog}`.`gold`.`dim_branch` d0 ON d0.`branch_id` = s.`branch_id` LEFT JOIN `${catalog}`.`gold`.`dim_dealer` d1 ON d1.`dealer_id` = s.`dealer_id` LEFT JOIN `${catalog}`.`gold`.`dim_model` d2 ON d2.`model_id` = s.`model_id`""")
run(r"""MERGE INTO `${catalog}`.`gold`.`fact_sales` AS t USING `${catalog}`.`saleslake`.`fact_src_car_sales` AS s ON t.`branch_id` = s.`branch_id` AND t.`dealer_id` = s.`dealer_id` AND t.`model_id` = s.`model_id` AND t.`date_id` = s.`date_id`
WHEN MATCHED AND s._deleted THEN DELETE
WHEN MATCHED THEN UPDATE SET `branch_id` = s.`branch_id`, `dealer_id` = s.`dealer_id`, `model_id` = s.`model_id`, `revenue` = s.`revenue`, `units_sold` = s.`units_sold`, `date_id` = s.`date_id`, `sale_date` = s.`sale_date`, `dim_branch_key` = s.`dim_branch_key`, `dim_dealer_key` = s.`dim_dealer_key`, `dim_model_key` = s.`dim_model_key`, `dim_date_key` = s.`dim_date_key`, _updated_at = current_timestamp(), _run_id = '${run_id}'
WHEN NOT MATCHED AND NOT s._deleted THEN INSERT (`branch_id`, `dealer_id`, `model_id`, `revenue`, `units_sold`, `date_id`, `sale_date`, `dim_branch_key`, `dim_dealer_key`, `dim_model_key`, `dim_date_key`, _updated_at, _run_id) VALUES (s.`branch_id`, s.`dealer_id`, s.`model_id`, s.`revenue`, s.`units_sold`, s.`date_id`, s.`sale_date`, s.`dim_branch_key`, s.`dim_dealer_key`, s.`dim_model_key`, s.`dim_date_key`, current_timestamp(), '${run_id}')""")
run(r"""SELECT count(*) FILTER (WHERE NOT _deleted) AS rows_upserted, count(*) FILTER (WHERE _deleted) AS rows_deleted FROM `${catalog}`.`saleslake`.`fact_src_car_sales`""", "fact_sales")

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
