# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · car_sales · dim_dealer
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
counts = {"step": "dim_dealer", "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows

# COMMAND ----------

run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_dealer_car_sales` USING DELTA AS SELECT `dealer_id`, `dealer_name` FROM (SELECT r.*, row_number() OVER (PARTITION BY r.`dealer_id` ORDER BY r._batch_id DESC, r._source_file DESC, r._row_number DESC) AS _rn FROM `${catalog}`.`silver`.`car_sales` r JOIN (SELECT DISTINCT s.`dealer_id` FROM (SELECT s.* FROM `${catalog}`.`silver`.`car_sales` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_car_sales` c ON c.`branch_id` = s.`branch_id` AND c.`dealer_id` = s.`dealer_id` AND c.`model_id` = s.`model_id` AND c.`date_id` = s.`date_id`) s WHERE s.`dealer_id` IS NOT NULL) m ON m.`dealer_id` = r.`dealer_id`) x WHERE _rn = 1""")
run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`new_dim_dealer_car_sales` USING DELTA AS SELECT s.* FROM `${catalog}`.`saleslake`.`src_dim_dealer_car_sales` s WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_dealer` t WHERE t.`dealer_id` = s.`dealer_id`)""")
run(r"""INSERT INTO `${catalog}`.`gold`.`dim_dealer` (`dim_dealer_key`, `dealer_id`, `dealer_name`, _updated_at, _run_id)
SELECT m.mx + row_number() OVER (ORDER BY s.`dealer_id`), s.`dealer_id`, s.`dealer_name`, current_timestamp(), '${run_id}'
FROM `${catalog}`.`saleslake`.`new_dim_dealer_car_sales` s CROSS JOIN (SELECT coalesce(max(`dim_dealer_key`), 0) AS mx FROM `${catalog}`.`gold`.`dim_dealer` WHERE `dim_dealer_key` > 0) m""")
run(r"""MERGE INTO `${catalog}`.`gold`.`dim_dealer` AS t USING `${catalog}`.`saleslake`.`src_dim_dealer_car_sales` AS s ON t.`dealer_id` = s.`dealer_id`
WHEN MATCHED AND (t.`dealer_name` IS DISTINCT FROM s.`dealer_name`) THEN UPDATE SET `dealer_name` = s.`dealer_name`, _updated_at = current_timestamp(), _run_id = '${run_id}'""")
run(r"""SELECT count(*) AS members_added FROM `${catalog}`.`saleslake`.`new_dim_dealer_car_sales`""", "dim_dealer")

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
