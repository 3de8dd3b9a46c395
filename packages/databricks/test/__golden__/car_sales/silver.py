# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · car_sales · silver
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
counts = {"step": "silver", "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows

# COMMAND ----------

if params["full_refresh"] == "true":
    run(r"""DELETE FROM `${catalog}`.`silver`.`car_sales`""")
    run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`silver_delta_car_sales` USING DELTA AS SELECT s.*, CASE WHEN t.`branch_id` IS NULL THEN 'insert' WHEN t._run_id = '${run_id}' THEN 'applied' WHEN (s._batch_id > t._batch_id OR (s._batch_id = t._batch_id AND (s._source_file > t._source_file OR (s._source_file = t._source_file AND s._row_number > t._row_number)))) THEN 'update' ELSE 'stale' END AS _action
FROM (SELECT * FROM (SELECT d.*, row_number() OVER (PARTITION BY d.`branch_id`, d.`dealer_id`, d.`model_id`, d.`date_id` ORDER BY d._batch_id DESC, d._source_file DESC, d._row_number DESC) AS _rn, count(*) OVER (PARTITION BY d.`branch_id`, d.`dealer_id`, d.`model_id`, d.`date_id` ORDER BY d._batch_id DESC, d._source_file DESC, d._row_number DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS _versions FROM (SELECT b.* FROM `${catalog}`.`bronze`.`car_sales` b) d) x WHERE _rn = 1) s LEFT JOIN `${catalog}`.`silver`.`car_sales` t ON s.`branch_id` = t.`branch_id` AND s.`dealer_id` = t.`dealer_id` AND s.`model_id` = t.`model_id` AND s.`date_id` = t.`date_id`""")
else:
    run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`silver_delta_car_sales` USING DELTA AS SELECT s.*, CASE WHEN t.`branch_id` IS NULL THEN 'insert' WHEN t._run_id = '${run_id}' THEN 'applied' WHEN (s._batch_id > t._batch_id OR (s._batch_id = t._batch_id AND (s._source_file > t._source_file OR (s._source_file = t._source_file AND s._row_number > t._row_number)))) THEN 'update' ELSE 'stale' END AS _action
FROM (SELECT * FROM (SELECT d.*, row_number() OVER (PARTITION BY d.`branch_id`, d.`dealer_id`, d.`model_id`, d.`date_id` ORDER BY d._batch_id DESC, d._source_file DESC, d._row_number DESC) AS _rn, count(*) OVER (PARTITION BY d.`branch_id`, d.`dealer_id`, d.`model_id`, d.`date_id` ORDER BY d._batch_id DESC, d._source_file DESC, d._row_number DESC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS _versions FROM (SELECT b.* FROM `${catalog}`.`bronze`.`car_sales` b WHERE b._run_id = '${run_id}') d) x WHERE _rn = 1) s LEFT JOIN `${catalog}`.`silver`.`car_sales` t ON s.`branch_id` = t.`branch_id` AND s.`dealer_id` = t.`dealer_id` AND s.`model_id` = t.`model_id` AND s.`date_id` = t.`date_id`""")
run(r"""MERGE INTO `${catalog}`.`silver`.`car_sales` AS t
USING (SELECT * FROM `${catalog}`.`saleslake`.`silver_delta_car_sales` WHERE _action IN ('insert', 'update')) AS s
ON t.`branch_id` = s.`branch_id` AND t.`dealer_id` = s.`dealer_id` AND t.`model_id` = s.`model_id` AND t.`date_id` = s.`date_id`
WHEN MATCHED THEN UPDATE SET `branch_id` = s.`branch_id`, `dealer_id` = s.`dealer_id`, `model_id` = s.`model_id`, `revenue` = s.`revenue`, `units_sold` = s.`units_sold`, `date_id` = s.`date_id`, `day` = s.`day`, `month` = s.`month`, `year` = s.`year`, `sale_date` = s.`sale_date`, `branch_name` = s.`branch_name`, `dealer_name` = s.`dealer_name`, `product_name` = s.`product_name`, `_batch_id` = s.`_batch_id`, `_source_file` = s.`_source_file`, `_row_number` = s.`_row_number`, `_ingested_at` = s.`_ingested_at`, `_run_id` = '${run_id}'
WHEN NOT MATCHED THEN INSERT (`branch_id`, `dealer_id`, `model_id`, `revenue`, `units_sold`, `date_id`, `day`, `month`, `year`, `sale_date`, `branch_name`, `dealer_name`, `product_name`, `_batch_id`, `_source_file`, `_row_number`, `_ingested_at`, `_run_id`) VALUES (s.`branch_id`, s.`dealer_id`, s.`model_id`, s.`revenue`, s.`units_sold`, s.`date_id`, s.`day`, s.`month`, s.`year`, s.`sale_date`, s.`branch_name`, s.`dealer_name`, s.`product_name`, s.`_batch_id`, s.`_source_file`, s.`_row_number`, s.`_ingested_at`, '${run_id}')""")
run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`changed_keys_car_sales` USING DELTA AS SELECT `branch_id`, `dealer_id`, `model_id`, `date_id` FROM `${catalog}`.`saleslake`.`silver_delta_car_sales` WHERE _action <> 'stale'""")
run(r"""SELECT count(*) AS rows_in, count(*) FILTER (WHERE _action = 'insert') AS rows_inserted, count(*) FILTER (WHERE _action = 'update') AS rows_updated, count(*) FILTER (WHERE _action = 'stale') AS rows_stale, coalesce(sum(_versions - 1), 0) AS rows_superseded FROM `${catalog}`.`saleslake`.`silver_delta_car_sales`""", "silver")

# COMMAND ----------

if params["full_refresh"] == "true":
    run(r"""ALTER TABLE `${catalog}`.`silver`.`car_sales` SET TBLPROPERTIES ('saleslake.merge_key' = '["branch_id","dealer_id","model_id","date_id"]')""")

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
