# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · sales_order_lines · dim_channel
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
counts = {"step": "dim_channel", "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows

# COMMAND ----------

run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`src_dim_channel_sales_order_lines` USING DELTA AS SELECT DISTINCT s.`channel` FROM (SELECT s.* FROM `${catalog}`.`silver`.`sales_order_lines` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = s.`order_id` AND c.`line_number` = s.`line_number`) s WHERE s.`channel` IS NOT NULL""")
run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`new_dim_channel_sales_order_lines` USING DELTA AS SELECT s.* FROM `${catalog}`.`saleslake`.`src_dim_channel_sales_order_lines` s WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_channel` t WHERE t.`channel` = s.`channel`)""")
run(r"""INSERT INTO `${catalog}`.`gold`.`dim_channel` (`dim_channel_key`, `channel`, _updated_at, _run_id)
SELECT m.mx + row_number() OVER (ORDER BY s.`channel`), s.`channel`, current_timestamp(), '${run_id}'
FROM `${catalog}`.`saleslake`.`new_dim_channel_sales_order_lines` s CROSS JOIN (SELECT coalesce(max(`dim_channel_key`), 0) AS mx FROM `${catalog}`.`gold`.`dim_channel` WHERE `dim_channel_key` > 0) m""")
run(r"""SELECT count(*) AS members_added FROM `${catalog}`.`saleslake`.`new_dim_channel_sales_order_lines`""", "dim_channel")

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
