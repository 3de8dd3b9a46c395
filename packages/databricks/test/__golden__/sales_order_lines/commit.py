# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · sales_order_lines · commit
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
counts = {"step": "commit", "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows

# COMMAND ----------

if not params["batch_id"] or not params["run_id"]:
    raise ValueError("commit needs the widgets batch_id and run_id")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`saleslake`.`run_ledger` (
  `entity` STRING NOT NULL,
  `batch_id` STRING NOT NULL,
  `run_id` STRING NOT NULL,
  `rows_read` BIGINT NOT NULL,
  `rows_accepted` BIGINT NOT NULL,
  `rows_quarantined` BIGINT NOT NULL,
  `window_low` STRING,
  `window_high` STRING,
  `committed_at` TIMESTAMP NOT NULL
) USING DELTA""")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`saleslake`.`watermarks` (
  `entity` STRING NOT NULL,
  `watermark` STRING NOT NULL,
  `batch_id` STRING NOT NULL,
  `run_id` STRING NOT NULL,
  `updated_at` TIMESTAMP NOT NULL
) USING DELTA""")
run(r"""MERGE INTO `${catalog}`.`saleslake`.`run_ledger` AS t
USING (SELECT 'sales_order_lines' AS entity, '${batch_id}' AS batch_id, '${run_id}' AS run_id, a.n + r.n AS rows_read, a.n AS rows_accepted, r.n AS rows_quarantined, nullif('${window_low}', '') AS window_low, nullif('${window_high}', '') AS window_high, current_timestamp() AS committed_at
  FROM (SELECT count(*) AS n FROM `${catalog}`.`bronze`.`sales_order_lines` WHERE _batch_id = '${batch_id}') a
  CROSS JOIN (SELECT count(*) AS n FROM `${catalog}`.`quarantine`.`sales_order_lines` WHERE _batch_id = '${batch_id}') r) AS s
ON t.entity = s.entity AND t.batch_id = s.batch_id
WHEN NOT MATCHED THEN INSERT *""")
run(r"""MERGE INTO `${catalog}`.`saleslake`.`watermarks` AS t
USING (SELECT 'sales_order_lines' AS entity, coalesce(nullif('${window_high}', ''), '${batch_id}') AS watermark, '${batch_id}' AS batch_id, '${run_id}' AS run_id, current_timestamp() AS updated_at) AS s
ON t.entity = s.entity
WHEN MATCHED AND s.watermark > t.watermark THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT *""")
run(r"""SELECT rows_read, rows_accepted, rows_quarantined FROM `${catalog}`.`saleslake`.`run_ledger` WHERE entity = 'sales_order_lines' AND batch_id = '${batch_id}'""", "commit")
run(r"""SELECT watermark FROM `${catalog}`.`saleslake`.`watermarks` WHERE entity = 'sales_order_lines'""", "commit")

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
