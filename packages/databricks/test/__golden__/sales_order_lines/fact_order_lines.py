# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · sales_order_lines · fact_order_lines
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
counts = {"step": "fact_order_lines", "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows

# COMMAND ----------

if params["full_refresh"] == "true":
    run(r"""DELETE FROM `${catalog}`.`gold`.`fact_order_lines`""")
run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`agg_days_sales_order_lines` USING DELTA AS SELECT DISTINCT CAST(f.`order_date` AS DATE) AS day FROM `${catalog}`.`gold`.`fact_order_lines` f LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = f.`order_id` AND c.`line_number` = f.`line_number` WHERE f.`order_date` IS NOT NULL
UNION SELECT DISTINCT CAST(s.`order_date` AS DATE) FROM (SELECT s.* FROM `${catalog}`.`silver`.`sales_order_lines` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = s.`order_id` AND c.`line_number` = s.`line_number`) s WHERE s.`order_date` IS NOT NULL""")
run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`fact_src_sales_order_lines` USING DELTA AS SELECT s.`order_id`, s.`line_number`, s.`order_date`, s.`quantity`, s.`unit_price`, s.`currency`, s.`status`, coalesce(d0.`dim_customer_key`, -1) AS `dim_customer_key`, coalesce(d1.`dim_product_key`, -1) AS `dim_product_key`, coalesce(d2.`dim_channel_key`, -1) AS `dim_channel_key`, coalesce(year(CAST(s.`order_date` AS DATE)) * 10000 + month(CAST(s.`order_date` AS DATE)) * 100 + day(CAST(s.`order_date` AS DATE)), -1) AS `dim_order_date_key`, coalesce(s.`is_deleted`, false) AS _deleted
FROM (SELECT s.* FROM `${catalog}`.`silver`.`sales_order_lines` s LEFT SEMI JOIN `${catalog}`.`saleslake`.`changed_keys_sales_order_lines` c ON c.`order_id` = s.`order_id` AND c.`line_number` = s.`line_number`) s LEFT JOIN `${catalog}`.`gold`.`dim_customer` d0 ON d0.`customer_id` = s.`customer_id` LEFT JOIN `${catalog}`.`gold`.`dim_product` d1 ON d1.`product_id` = s.`product_id` LEFT JOIN `${catalog}`.`gold`.`dim_channel` d2 ON d2.`channel` = s.`channel`""")
run(r"""MERGE INTO `${catalog}`.`gold`.`fact_order_lines` AS t USING `${catalog}`.`saleslake`.`fact_src_sales_order_lines` AS s ON t.`order_id` = s.`order_id` AND t.`line_number` = s.`line_number`
WHEN MATCHED AND s._deleted THEN DELETE
WHEN MATCHED THEN UPDATE SET `order_id` = s.`order_id`, `line_number` = s.`line_number`, `order_date` = s.`order_date`, `quantity` = s.`quantity`, `unit_price` = s.`unit_price`, `currency` = s.`currency`, `status` = s.`status`, `dim_customer_key` = s.`dim_customer_key`, `dim_product_key` = s.`dim_product_key`, `dim_channel_key` = s.`dim_channel_key`, `dim_order_date_key` = s.`dim_order_date_key`, _updated_at = current_timestamp(), _run_id = '${run_id}'
WHEN NOT MATCHED AND NOT s._deleted THEN INSERT (`order_id`, `line_number`, `order_date`, `quantity`, `unit_price`, `currency`, `status`, `dim_customer_key`, `dim_product_key`, `dim_channel_key`, `dim_order_date_key`, _updated_at, _run_id) VALUES (s.`order_id`, s.`line_number`, s.`order_date`, s.`quantity`, s.`unit_price`, s.`currency`, s.`status`, s.`dim_customer_key`, s.`dim_product_key`, s.`dim_channel_key`, s.`dim_order_date_key`, current_timestamp(), '${run_id}')""")
run(r"""SELECT count(*) FILTER (WHERE NOT _deleted) AS rows_upserted, count(*) FILTER (WHERE _deleted) AS rows_deleted FROM `${catalog}`.`saleslake`.`fact_src_sales_order_lines`""", "fact_order_lines")

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
