# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · sales_order_lines · silver
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
    run(r"""DELETE FROM `${catalog}`.`silver`.`sales_order_lines`""")
    run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`silver_delta_sales_order_lines` USING DELTA AS SELECT s.*, CASE WHEN t.`order_id` IS NULL THEN 'insert' WHEN t._run_id = '${run_id}' THEN 'applied' WHEN (s.`updated_at` > t.`updated_at` OR (t.`updated_at` IS NULL AND s.`updated_at` IS NOT NULL)) THEN 'update' ELSE 'stale' END AS _action
FROM (SELECT * FROM (SELECT d.*, row_number() OVER (PARTITION BY d.`order_id`, d.`line_number` ORDER BY d.`updated_at` DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC) AS _rn, count(*) OVER (PARTITION BY d.`order_id`, d.`line_number` ORDER BY d.`updated_at` DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS _versions FROM (SELECT b.* FROM `${catalog}`.`bronze`.`sales_order_lines` b) d) x WHERE _rn = 1) s LEFT JOIN `${catalog}`.`silver`.`sales_order_lines` t ON s.`order_id` = t.`order_id` AND s.`line_number` = t.`line_number`""")
else:
    run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`silver_delta_sales_order_lines` USING DELTA AS SELECT s.*, CASE WHEN t.`order_id` IS NULL THEN 'insert' WHEN t._run_id = '${run_id}' THEN 'applied' WHEN (s.`updated_at` > t.`updated_at` OR (t.`updated_at` IS NULL AND s.`updated_at` IS NOT NULL)) THEN 'update' ELSE 'stale' END AS _action
FROM (SELECT * FROM (SELECT d.*, row_number() OVER (PARTITION BY d.`order_id`, d.`line_number` ORDER BY d.`updated_at` DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC) AS _rn, count(*) OVER (PARTITION BY d.`order_id`, d.`line_number` ORDER BY d.`updated_at` DESC NULLS LAST, d._batch_id ASC, d._source_file ASC, d._row_number ASC ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS _versions FROM (SELECT b.* FROM `${catalog}`.`bronze`.`sales_order_lines` b WHERE b._run_id = '${run_id}') d) x WHERE _rn = 1) s LEFT JOIN `${catalog}`.`silver`.`sales_order_lines` t ON s.`order_id` = t.`order_id` AND s.`line_number` = t.`line_number`""")
run(r"""MERGE INTO `${catalog}`.`silver`.`sales_order_lines` AS t
USING (SELECT * FROM `${catalog}`.`saleslake`.`silver_delta_sales_order_lines` WHERE _action IN ('insert', 'update')) AS s
ON t.`order_id` = s.`order_id` AND t.`line_number` = s.`line_number`
WHEN MATCHED THEN UPDATE SET `order_id` = s.`order_id`, `line_number` = s.`line_number`, `order_date` = s.`order_date`, `customer_id` = s.`customer_id`, `product_id` = s.`product_id`, `quantity` = s.`quantity`, `unit_price` = s.`unit_price`, `discount_pct` = s.`discount_pct`, `currency` = s.`currency`, `status` = s.`status`, `channel` = s.`channel`, `updated_at` = s.`updated_at`, `is_deleted` = s.`is_deleted`, `_batch_id` = s.`_batch_id`, `_source_file` = s.`_source_file`, `_row_number` = s.`_row_number`, `_ingested_at` = s.`_ingested_at`, `_run_id` = '${run_id}'
WHEN NOT MATCHED THEN INSERT (`order_id`, `line_number`, `order_date`, `customer_id`, `product_id`, `quantity`, `unit_price`, `discount_pct`, `currency`, `status`, `channel`, `updated_at`, `is_deleted`, `_batch_id`, `_source_file`, `_row_number`, `_ingested_at`, `_run_id`) VALUES (s.`order_id`, s.`line_number`, s.`order_date`, s.`customer_id`, s.`product_id`, s.`quantity`, s.`unit_price`, s.`discount_pct`, s.`currency`, s.`status`, s.`channel`, s.`updated_at`, s.`is_deleted`, s.`_batch_id`, s.`_source_file`, s.`_row_number`, s.`_ingested_at`, '${run_id}')""")
run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` USING DELTA AS SELECT `order_id`, `line_number` FROM `${catalog}`.`saleslake`.`silver_delta_sales_order_lines` WHERE _action <> 'stale'""")
run(r"""SELECT count(*) AS rows_in, count(*) FILTER (WHERE _action = 'insert') AS rows_inserted, count(*) FILTER (WHERE _action = 'update') AS rows_updated, count(*) FILTER (WHERE _action = 'stale') AS rows_stale, coalesce(sum(_versions - 1), 0) AS rows_superseded, count(*) FILTER (WHERE _action IN ('insert', 'update') AND coalesce(`is_deleted`, false)) AS rows_deleted FROM `${catalog}`.`saleslake`.`silver_delta_sales_order_lines`""", "silver")

# COMMAND ----------

if params["full_refresh"] == "true":
    run(r"""ALTER TABLE `${catalog}`.`silver`.`sales_order_lines` SET TBLPROPERTIES ('saleslake.merge_key' = '["order_id","line_number"]')""")

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
