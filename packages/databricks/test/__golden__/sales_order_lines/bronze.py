# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · sales_order_lines · bronze
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
counts = {"step": "bronze", "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows

# COMMAND ----------

run(r"""CREATE SCHEMA IF NOT EXISTS `${catalog}`.`bronze`""")
run(r"""CREATE SCHEMA IF NOT EXISTS `${catalog}`.`silver`""")
run(r"""CREATE SCHEMA IF NOT EXISTS `${catalog}`.`gold`""")
run(r"""CREATE SCHEMA IF NOT EXISTS `${catalog}`.`quarantine`""")
run(r"""CREATE SCHEMA IF NOT EXISTS `${catalog}`.`saleslake`""")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`bronze`.`sales_order_lines` (
  `order_id` STRING,
  `line_number` INT,
  `order_date` DATE,
  `customer_id` STRING,
  `product_id` STRING,
  `quantity` INT,
  `unit_price` DECIMAL(12, 2),
  `discount_pct` DECIMAL(5, 2),
  `currency` STRING,
  `status` STRING,
  `channel` STRING,
  `updated_at` TIMESTAMP,
  `is_deleted` BOOLEAN,
  `_batch_id` STRING NOT NULL,
  `_source_file` STRING NOT NULL,
  `_row_number` BIGINT NOT NULL,
  `_ingested_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL,
  `_rescued_data` STRING
) USING DELTA""")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`quarantine`.`sales_order_lines` (
  `_batch_id` STRING NOT NULL,
  `_source_file` STRING NOT NULL,
  `_row_number` BIGINT NOT NULL,
  `_run_id` STRING NOT NULL,
  `_quarantined_at` TIMESTAMP NOT NULL,
  `rule_ids` ARRAY<STRING> NOT NULL,
  `messages` ARRAY<STRING> NOT NULL,
  `raw` STRING NOT NULL,
  `replayed_run_id` STRING,
  `repeat_of` STRING
) USING DELTA""")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`silver`.`sales_order_lines` (
  `order_id` STRING NOT NULL,
  `line_number` INT NOT NULL,
  `order_date` DATE NOT NULL,
  `customer_id` STRING NOT NULL,
  `product_id` STRING NOT NULL,
  `quantity` INT NOT NULL,
  `unit_price` DECIMAL(12, 2) NOT NULL,
  `discount_pct` DECIMAL(5, 2),
  `currency` STRING NOT NULL,
  `status` STRING NOT NULL,
  `channel` STRING,
  `updated_at` TIMESTAMP NOT NULL,
  `is_deleted` BOOLEAN,
  `_batch_id` STRING NOT NULL,
  `_source_file` STRING NOT NULL,
  `_row_number` BIGINT NOT NULL,
  `_ingested_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL
) USING DELTA CLUSTER BY (`order_date`, `customer_id`) TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true', 'delta.enableDeletionVectors' = 'true')""")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_customer` (
  `dim_customer_key` BIGINT NOT NULL,
  `customer_id` STRING,
  `_updated_at` TIMESTAMP,
  `_run_id` STRING
) USING DELTA TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')""")
run(r"""INSERT INTO `${catalog}`.`gold`.`dim_customer` (`dim_customer_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_customer` WHERE `dim_customer_key` = -1)""")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_product` (
  `dim_product_key` BIGINT NOT NULL,
  `product_id` STRING,
  `_updated_at` TIMESTAMP,
  `_run_id` STRING
) USING DELTA TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')""")
run(r"""INSERT INTO `${catalog}`.`gold`.`dim_product` (`dim_product_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_product` WHERE `dim_product_key` = -1)""")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_channel` (
  `dim_channel_key` BIGINT NOT NULL,
  `channel` STRING,
  `_updated_at` TIMESTAMP,
  `_run_id` STRING
) USING DELTA TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')""")
run(r"""INSERT INTO `${catalog}`.`gold`.`dim_channel` (`dim_channel_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_channel` WHERE `dim_channel_key` = -1)""")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`dim_order_date` (
  `dim_order_date_key` BIGINT NOT NULL,
  `date` DATE,
  `year` INT,
  `quarter` INT,
  `month` INT,
  `month_name` STRING,
  `day` INT,
  `day_of_week` INT,
  `day_name` STRING,
  `week_of_year` INT,
  `is_weekend` BOOLEAN
) USING DELTA TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')""")
run(r"""INSERT INTO `${catalog}`.`gold`.`dim_order_date` (`dim_order_date_key`) SELECT -1 WHERE NOT EXISTS (SELECT 1 FROM `${catalog}`.`gold`.`dim_order_date` WHERE `dim_order_date_key` = -1)""")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`fact_order_lines` (
  `order_id` STRING NOT NULL,
  `line_number` INT NOT NULL,
  `order_date` DATE,
  `quantity` INT,
  `unit_price` DECIMAL(12, 2),
  `currency` STRING,
  `status` STRING,
  `dim_customer_key` BIGINT NOT NULL,
  `dim_product_key` BIGINT NOT NULL,
  `dim_channel_key` BIGINT NOT NULL,
  `dim_order_date_key` BIGINT NOT NULL,
  `_updated_at` TIMESTAMP NOT NULL,
  `_run_id` STRING NOT NULL
) USING DELTA TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')""")
run(r"""CREATE TABLE IF NOT EXISTS `${catalog}`.`gold`.`agg_orders_daily` (
  `day` DATE NOT NULL,
  `dim_product_key` BIGINT NOT NULL,
  `quantity` DECIMAL(38, 0),
  `line_count` BIGINT,
  `_updated_at` TIMESTAMP NOT NULL
) USING DELTA TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')""")

# COMMAND ----------

def _q(name):
    return "`" + name.replace("`", "``") + "`"


MERGE_KEY = "[\"order_id\",\"line_number\"]"
_silver = f"{_q(params['catalog'])}.{_q('silver')}.{_q('sales_order_lines')}"
_merged_by = {r["key"]: r["value"] for r in spark.sql("SHOW TBLPROPERTIES " + _silver).collect()}.get("saleslake.merge_key")
if _merged_by is not None and _merged_by != MERGE_KEY and params["full_refresh"] != "true":
    if len(spark.table(_silver).limit(1).collect()) > 0:
        _now, _was = ", ".join(json.loads(MERGE_KEY)), ", ".join(json.loads(_merged_by))
        raise Exception(f"SCHEMA_CHANGE: sales_order_lines: the definition's key is ({_now}); silver's rows were merged by ({_was}), and merging by another key would keep two rows of one key. Rebuild silver and gold by the new key with a full refresh (widget full_refresh = true), or put the key back.")
if _merged_by is None or (_merged_by != MERGE_KEY and params["full_refresh"] != "true"):
    spark.sql(f"ALTER TABLE {_silver} SET TBLPROPERTIES ('saleslake.merge_key' = '{MERGE_KEY}')")

# COMMAND ----------

TABLES = [["bronze","sales_order_lines",[["order_id","STRING",0],["line_number","INT",0],["order_date","DATE",0],["customer_id","STRING",0],["product_id","STRING",0],["quantity","INT",0],["unit_price","DECIMAL(12, 2)",0],["discount_pct","DECIMAL(5, 2)",0],["currency","STRING",0],["status","STRING",0],["channel","STRING",0],["updated_at","TIMESTAMP",0],["is_deleted","BOOLEAN",0],["_batch_id","STRING",1],["_source_file","STRING",1],["_row_number","BIGINT",1],["_ingested_at","TIMESTAMP",1],["_run_id","STRING",1],["_rescued_data","STRING",0]]],["quarantine","sales_order_lines",[["_batch_id","STRING",1],["_source_file","STRING",1],["_row_number","BIGINT",1],["_run_id","STRING",1],["_quarantined_at","TIMESTAMP",1],["rule_ids","ARRAY<STRING>",1],["messages","ARRAY<STRING>",1],["raw","STRING",1],["replayed_run_id","STRING",0],["repeat_of","STRING",0]]],["silver","sales_order_lines",[["order_id","STRING",1],["line_number","INT",1],["order_date","DATE",1],["customer_id","STRING",1],["product_id","STRING",1],["quantity","INT",1],["unit_price","DECIMAL(12, 2)",1],["discount_pct","DECIMAL(5, 2)",0],["currency","STRING",1],["status","STRING",1],["channel","STRING",0],["updated_at","TIMESTAMP",1],["is_deleted","BOOLEAN",0],["_batch_id","STRING",1],["_source_file","STRING",1],["_row_number","BIGINT",1],["_ingested_at","TIMESTAMP",1],["_run_id","STRING",1]]],["gold","dim_customer",[["dim_customer_key","BIGINT",1],["customer_id","STRING",0],["_updated_at","TIMESTAMP",0],["_run_id","STRING",0]]],["gold","dim_product",[["dim_product_key","BIGINT",1],["product_id","STRING",0],["_updated_at","TIMESTAMP",0],["_run_id","STRING",0]]],["gold","dim_channel",[["dim_channel_key","BIGINT",1],["channel","STRING",0],["_updated_at","TIMESTAMP",0],["_run_id","STRING",0]]],["gold","dim_order_date",[["dim_order_date_key","BIGINT",1],["date","DATE",0],["year","INT",0],["quarter","INT",0],["month","INT",0],["month_name","STRING",0],["day","INT",0],["day_of_week","INT",0],["day_name","STRING",0],["week_of_year","INT",0],["is_weekend","BOOLEAN",0]]],["gold","fact_order_lines",[["order_id","STRING",1],["line_number","INT",1],["order_date","DATE",0],["quantity","INT",0],["unit_price","DECIMAL(12, 2)",0],["currency","STRING",0],["status","STRING",0],["dim_customer_key","BIGINT",1],["dim_product_key","BIGINT",1],["dim_channel_key","BIGINT",1],["dim_order_date_key","BIGINT",1],["_updated_at","TIMESTAMP",1],["_run_id","STRING",1]]],["gold","agg_orders_daily",[["day","DATE",1],["dim_product_key","BIGINT",1],["quantity","DECIMAL(38, 0)",0],["line_count","BIGINT",0],["_updated_at","TIMESTAMP",1]]]]


def _canon(type_):
    return re.sub(r"\s+", "", type_.lower())


def _widens(have, want):
    if have == "int":
        return want == "bigint"
    h = re.fullmatch(r"decimal\((\d+),(\d+)\)", have)
    w = re.fullmatch(r"decimal\((\d+),(\d+)\)", want)
    return bool(h and w) and int(w[1]) - int(w[2]) >= int(h[1]) - int(h[2]) and int(w[2]) >= int(h[2])


changes = []
for schema, name, columns in TABLES:
    target = f"{_q(params['catalog'])}.{_q(schema)}.{_q(name)}"
    stored = {f.name: f for f in spark.table(target).schema.fields}
    holds_rows = None
    for col, type_, not_null in columns:
        f = stored.get(col)
        if f is None:
            if not_null:
                holds_rows = holds_rows if holds_rows is not None else len(spark.table(target).limit(1).collect()) > 0
                if holds_rows:
                    raise Exception(f"SCHEMA_CHANGE: {schema}.{name}: the definition adds column {col} NOT NULL, which the rows stored before have no value for")
            changes.append((target, f"ADD COLUMNS ({_q(col)} {type_})"))
            if not_null:
                changes.append((target, f"ALTER COLUMN {_q(col)} SET NOT NULL"))
            continue
        have, want = _canon(f.dataType.simpleString()), _canon(type_)
        if have != want:
            if not _widens(have, want):
                raise Exception(f"SCHEMA_CHANGE: {schema}.{name}: column {col} is stored as {have}; the definition makes it {want}, which stored values may not fit")
            changes.append((target, "SET TBLPROPERTIES ('delta.enableTypeWidening' = 'true')"))
            changes.append((target, f"ALTER COLUMN {_q(col)} TYPE {type_}"))
        if not not_null and not f.nullable:
            changes.append((target, f"ALTER COLUMN {_q(col)} DROP NOT NULL"))
    declared = {c[0] for c in columns}
    for f in stored.values():
        if f.name not in declared and not f.nullable:
            changes.append((target, f"ALTER COLUMN {_q(f.name)} DROP NOT NULL"))
# A CHECK constraint on a column whose type changes is dropped first; the next cell adds the
# entity's constraints back.
for target in {t for t, c in changes if " TYPE " in c}:
    for r in spark.sql("SHOW TBLPROPERTIES " + target).collect():
        if r["key"].startswith("delta.constraints."):
            spark.sql(f"ALTER TABLE {target} DROP CONSTRAINT {_q(r['key'][len('delta.constraints.'):])}")
for target, change in changes:
    spark.sql(f"ALTER TABLE {target} {change}")

# COMMAND ----------

SILVER = Template("`${catalog}`.`silver`.`sales_order_lines`").safe_substitute(params)
CONSTRAINTS = {"ck_order_id_max_length":"(`order_id` IS NULL OR char_length(`order_id`) <= 10)","ck_order_id_pattern":"(`order_id` IS NULL OR `order_id` RLIKE '^(SO[0-9]{8})$')","ck_line_number_min":"(`line_number` IS NULL OR `line_number` >= 1)","ck_line_number_max":"(`line_number` IS NULL OR `line_number` <= 9999)","ck_customer_id_max_length":"(`customer_id` IS NULL OR char_length(`customer_id`) <= 7)","ck_customer_id_pattern":"(`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$')","ck_product_id_max_length":"(`product_id` IS NULL OR char_length(`product_id`) <= 7)","ck_product_id_pattern":"(`product_id` IS NULL OR `product_id` RLIKE '^(P-[0-9]{5})$')","ck_quantity_min":"(`quantity` IS NULL OR `quantity` >= 1)","ck_quantity_max":"(`quantity` IS NULL OR `quantity` <= 100000)","ck_unit_price_min":"(`unit_price` IS NULL OR `unit_price` >= 0)","ck_discount_pct_min":"(`discount_pct` IS NULL OR `discount_pct` >= 0)","ck_discount_pct_max":"(`discount_pct` IS NULL OR `discount_pct` <= 100)","ck_currency_enum":"(`currency` IS NULL OR `currency` IN ('EUR', 'USD', 'GBP'))","ck_status_enum":"(`status` IS NULL OR `status` IN ('open', 'shipped', 'invoiced', 'cancelled'))","ck_channel_max_length":"(`channel` IS NULL OR char_length(`channel`) <= 32)","ck_row_net_amount_bounded":"coalesce((quantity * unit_price <= 100000000), true)"}
have = {r["key"]: r["value"] for r in spark.sql("SHOW TBLPROPERTIES " + SILVER).collect()}
for name, expr in CONSTRAINTS.items():
    stored = have.get("delta.constraints." + name.lower())
    if stored is not None and re.sub(r"\s+", "", stored) == re.sub(r"\s+", "", expr):
        continue
    if stored is not None:
        spark.sql(f"ALTER TABLE {SILVER} DROP CONSTRAINT `{name}`")
    spark.sql(f"ALTER TABLE {SILVER} ADD CONSTRAINT `{name}` CHECK ({expr})")

# COMMAND ----------

import decimal
import json
import struct
from urllib.parse import unquote

from pyspark.sql import functions as F, types as T

ENTITY = "sales_order_lines"
SOURCES = ["OrderID","LineNo","order_date","customer_id","product_id","quantity","unit_price","discount_pct","currency","status","channel","updated_at","is_deleted"]
ALIASES = {"OrderID":["OrderID","order_number"],"LineNo":["LineNo","line"],"order_date":["order_date"],"customer_id":["customer_id"],"product_id":["product_id"],"quantity":["quantity"],"unit_price":["unit_price"],"discount_pct":["discount_pct"],"currency":["currency"],"status":["status"],"channel":["channel"],"updated_at":["updated_at"],"is_deleted":["is_deleted"]}
# The sources a part must have: every one when the contract rejects missing columns, else the
# NOT NULL ones. A batch landed under another definition (its manifest's schema fingerprint)
# passed the contract of its time, and a nullable column it lacks may have been added since: it
# must have the NOT NULL ones (REQUIRED) only. UNKNOWN is what becomes of columns the entity
# does not know.
MUST_HAVE = ["OrderID","LineNo","order_date","customer_id","product_id","quantity","unit_price","discount_pct","currency","status","channel","updated_at","is_deleted"]
REQUIRED = ["OrderID","LineNo","order_date","customer_id","product_id","quantity","unit_price","currency","status","updated_at"]
FINGERPRINT = "sha256:04c163244c350c1d"
UNKNOWN = "rescue"
# A CSV row with fewer fields than its header: quarantined (row.fields_missing), or its missing
# fields NULL (the contract's shortRows: "null").
SHORT_ROWS = "quarantine"
MANIFEST = "_manifest.json"
GROUP_ROWS = 100000
# The file a row of Parquet files read together came from (see parquet_text).
PATH = "_saleslake_path"
# The column a CSV row's first field past its header's is read into (see read_csv).
EXTRA = "_saleslake_extra_fields"
MAX_EXTRA = 256
# A double or float as JavaScript writes the number (14, 12345678.5, 1.5e-7): the SQL the local
# engine runs, on the text of the value's shortest digits (__T__), whose digits (__D__) and
# exponent (__E__) are taken out first.
FLOAT_DIGITS = """(substr(regexp_replace(__T__, '^-', ''), 1, 1) || regexp_replace(regexp_extract(regexp_replace(__T__, '^-', ''), '^[0-9][.]?([0-9]*)[eE]', 1), '0+$', ''))"""
FLOAT_EXPONENT = """CAST(coalesce(nullif(regexp_extract(regexp_replace(__T__, '^-', ''), '[eE]([+-]?[0-9]+)$', 1), ''), '0') AS INT)"""
FLOAT_TEXT = """CASE
    WHEN __T__ IS NULL THEN NULL
    WHEN lower(__T__) IN ('nan', '-nan') THEN 'NaN'
    WHEN lower(__T__) IN ('inf', 'infinity') THEN 'Infinity'
    WHEN lower(__T__) IN ('-inf', '-infinity') THEN '-Infinity'
    WHEN regexp_extract(__T__, '^-?[0.]+(?:[eE][+-]?[0-9]+)?$', 0) <> '' THEN '0'
    WHEN __T__ LIKE '%e%' OR __T__ LIKE '%E%' THEN CASE WHEN __T__ LIKE '-%' THEN '-' ELSE '' END || CASE
      WHEN (__E__ + 1) BETWEEN 1 AND 21 THEN CASE
        WHEN length(__D__) <= (__E__ + 1) THEN __D__ || repeat('0', greatest((__E__ + 1) - length(__D__), 0))
        ELSE substr(__D__, 1, (__E__ + 1)) || '.' || substr(__D__, (__E__ + 1) + 1) END
      WHEN (__E__ + 1) BETWEEN -5 AND 0 THEN '0.' || repeat('0', greatest(-(__E__ + 1), 0)) || __D__
      ELSE substr(__D__, 1, 1) || CASE WHEN length(__D__) > 1 THEN '.' || substr(__D__, 2) ELSE '' END
        || 'e' || CASE WHEN __E__ >= 0 THEN '+' ELSE '-' END || CAST(abs(__E__) AS STRING) END
    ELSE regexp_replace(__T__, '[.]0$', '') END"""
# The SQL writing a typed timestamp, then a date (a Parquet TIMESTAMP or DATE, as a timestamp
# __V__), in the pattern of the date or timestamp column its source feeds alone, NULL when the
# pattern cannot hold it whole: the local engine's, as parquetText uses it.
DATETIME_TEXT = {"order_date":["CASE WHEN year(__V__) BETWEEN 1 AND 9999 AND date_trunc('day', __V__) = __V__ THEN date_format(__V__, 'yyyy-MM-dd') END","CASE WHEN year(__V__) BETWEEN 1 AND 9999 THEN date_format(__V__, 'yyyy-MM-dd') END"]}
# The SQL writing a database's date or timestamp, landed by Data Factory's Copy as ISO 8601 text
# in UTC (__T__), in the pattern of the date or timestamp column its source feeds alone, NULL when
# the pattern cannot hold it whole: the local engine's, for a batch Copy landed.
ISO_TEXT = {"order_date":"CASE WHEN __T__ RLIKE '^([0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]{1,6}0{0,3})?Z?)?)$' THEN CASE WHEN year(TRY_CAST(replace(replace(__T__, 'T', ' '), 'Z', '') AS TIMESTAMP)) BETWEEN 1 AND 9999 AND date_trunc('day', TRY_CAST(replace(replace(__T__, 'T', ' '), 'Z', '') AS TIMESTAMP)) = TRY_CAST(replace(replace(__T__, 'T', ' '), 'Z', '') AS TIMESTAMP) THEN date_format(TRY_CAST(replace(replace(__T__, 'T', ' '), 'Z', '') AS TIMESTAMP), 'yyyy-MM-dd') END END"}
batch_id = params["batch_id"]


def ref(c):
    # A column name as Spark SQL reads it: in backticks, a backtick in it doubled. The names
    # are the landed file's own (a CSV header, JSON keys, Parquet columns): any text at all.
    return "`" + c.replace("`", "``") + "`"


def source_column(by_name, s):
    # Source s's column: the first of its names (ALIASES) among the part's columns, by_name keyed
    # by trimmed lower-case name; None when the part has none of them.
    return next((by_name[a.lower()] for a in ALIASES[s] if a.lower() in by_name), None)


def shortest_digits(v, reads_back, most):
    # v in scientific notation with the fewest digits, correctly rounded (ties to even), that
    # read back as it, as the local engine writes it; nan and inf as words.
    if v is None or v != v or v in (float("inf"), float("-inf")):
        return None if v is None else "nan" if v != v else "inf" if v > 0 else "-inf"
    for p in range(1, most + 1):
        s = "%.*e" % (p - 1, v)
        if reads_back(s):
            return s
    return repr(v)


@F.udf("string")
def float_digits(v):
    # A FLOAT's shortest digits; Java's Float.toString sometimes gives more.
    return shortest_digits(v, lambda s: struct.unpack("f", struct.pack("f", float(s)))[0] == v, 9)


@F.udf("string")
def double_digits(v):
    # A DOUBLE's shortest digits; Java's Double.toString before Java 19 sometimes gives more, or
    # others (2e23 as 1.9999999999999998E23, 5e-324 as 4.9E-324).
    return shortest_digits(v, lambda s: float(s) == v, 17)


def json_float(text):
    # A JSON number with a fraction or an exponent as the local engine writes it, read as a double:
    # its shortest digits laid out as JavaScript lays them out, e without +, .0 after a whole
    # number (1.50 as 1.5, 1e2 as 100.0, 1e21, 1.5e-7); one no double holds (1e400) as written.
    x = float(text)
    if x in (float("inf"), float("-inf")):
        return text
    if x == 0:
        return "-0.0" if text.startswith("-") else "0.0"
    _, digits, exponent = decimal.Decimal(repr(abs(x))).as_tuple()
    point = len(digits) + exponent
    digits = "".join(map(str, digits)).rstrip("0")
    if len(digits) <= point <= 21:
        t = digits + "0" * (point - len(digits)) + ".0"
    elif 0 < point <= 21:
        t = digits[:point] + "." + digits[point:]
    elif -6 < point <= 0:
        t = "0." + "0" * -point + digits
    else:
        t = digits[0] + ("." + digits[1:] if len(digits) > 1 else "") + "e" + str(point - 1)
    return ("-" if x < 0 else "") + t


class JsonText(str):
    # A JSON number's text, as json_text writes it.
    pass


def json_dump(v):
    # Compact JSON as the local engine's json_extract_string writes it: an object (a 1-tuple of
    # its pairs) with its keys in their order, each repeated key kept; text as written, not escaped
    # past what JSON requires.
    if isinstance(v, JsonText):
        return str(v)
    if isinstance(v, list):
        return "[" + ",".join(json_dump(x) for x in v) + "]"
    if isinstance(v, tuple):
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + json_dump(x) for k, x in v[0]) + "}"
    return json.dumps(v, ensure_ascii=False)


@F.udf("string")
def json_text(text):
    # A number, object or array, read as its text in the file, written as the local engine writes it.
    if text is None:
        return None
    try:
        v = json.loads(text, object_pairs_hook=lambda pairs: (pairs,), parse_constant=JsonText,
                       parse_int=lambda t: JsonText("0" if t == "-0" else t), parse_float=lambda t: JsonText(json_float(t)))
    except ValueError:
        return text
    return json_dump(v)


def nanos_sql(n, utc):
    # A nanosecond timestamp Spark read as its count n (see nanos): its text as the local engine
    # writes it, and the timestamp DATETIME_TEXT writes (NULL when a microsecond one would cut it).
    # DuckDB reads one adjusted to UTC as a microsecond instant, cut towards zero, as div cuts.
    if utc:
        value = f"timestamp_micros({n} div 1000)"
        return f"CAST({value} AS STRING)", value
    seconds = f"({n} div 1000000000 - CASE WHEN {n} < 0 AND pmod({n}, 1000000000) <> 0 THEN 1 ELSE 0 END)"
    fraction = f"pmod({n}, 1000000000)"
    text = (f"concat(date_format(timestamp_seconds({seconds}), 'yyyy-MM-dd HH:mm:ss'), CASE WHEN {fraction} = 0 THEN '' "
            f"ELSE concat('.', regexp_replace(lpad(CAST({fraction} AS STRING), 9, '0'), '0+$', '')) END)")
    return text, f"CASE WHEN pmod({n}, 1000) = 0 THEN timestamp_micros({n} div 1000) END"


def parquet_text(df, with_path=False, nanos=None):
    # Every column as text, as the local engine reads it: struct, list and map columns as JSON,
    # doubles and floats as FLOAT_TEXT writes them, a date or timestamp feeding a date or timestamp
    # column in its pattern where DATETIME_TEXT can, the rest cast. nanos: the columns stored as
    # nanosecond timestamps, by name, each adjusted to UTC or not. with_path keeps each row's file
    # (PATH) for numbering the rows of files read together.
    names, first, numbers, nanos = list(df.columns), [], [], nanos or {}
    # Each source's column, as the columns are mapped later (see source_column).
    lower = {}
    for c in names:
        lower.setdefault(c.strip().lower(), c)
    typed = {}
    for s, sql in DATETIME_TEXT.items():
        hit = source_column(lower, s)
        if hit is not None:
            typed[hit] = sql
    for c in names:
        col, t = F.col(ref(c)), df.schema[c].dataType
        if c in nanos and isinstance(t, T.LongType):
            text, value = nanos_sql(ref(c), nanos[c])
            col = F.expr(text) if c not in typed else F.coalesce(F.expr(typed[c][False].replace("__V__", value)), F.expr(text))
        elif c in typed and isinstance(t, (T.DateType, T.TimestampType, T.TimestampNTZType)):
            day = isinstance(t, T.DateType)
            value = f"CAST({ref(c)} AS TIMESTAMP)" if day else ref(c)
            col = F.coalesce(F.expr(typed[c][day].replace("__V__", value)), col.cast("string"))
        elif isinstance(t, T.BinaryType):
            # Text stored as bytes (no string type: Impala, Hive, older writers): the text when it
            # is UTF-8, else each byte as DuckDB writes it, printable ASCII but quotes and
            # backslashes kept, the rest as \xHH (the local engine's, see parquetText).
            escaped = (f"array_join(transform(regexp_extract_all(hex({ref(c)}), '(..)', 1), h -> CASE WHEN "
                       f"conv(h, 16, 10) BETWEEN 32 AND 126 AND h NOT IN ('22', '27', '5C') THEN CAST(unhex(h) AS STRING) "
                       f"ELSE concat('\\\\x', h) END), '')")
            col = F.expr(f"CASE WHEN is_valid_utf8(CAST({ref(c)} AS STRING)) THEN CAST({ref(c)} AS STRING) ELSE {escaped} END")
        elif isinstance(t, (T.StructType, T.ArrayType, T.MapType)):
            col = F.to_json(col)
        elif isinstance(t, T.FloatType):
            col, numbers = float_digits(col), numbers + [c]
        elif isinstance(t, T.DoubleType):
            col, numbers = double_digits(col), numbers + [c]
        else:
            col = col.cast("string")
        first.append(col.alias(c))
    df = df.select(first + ([F.col("_metadata.file_path").alias(PATH)] if with_path else []))
    # A number's digits and exponent in columns of their own, so that FLOAT_TEXT names them once.
    texts = {}
    for i, c in enumerate(numbers):
        d, e = f"_saleslake_digits_{i}", f"_saleslake_exponent_{i}"
        df = df.withColumn(d, F.expr(FLOAT_DIGITS.replace("__T__", ref(c))))
        df = df.withColumn(e, F.expr(FLOAT_EXPONENT.replace("__T__", ref(c))))
        texts[c] = F.expr(FLOAT_TEXT.replace("__T__", ref(c)).replace("__D__", d).replace("__E__", e))
    return df.select([texts.get(c, F.col(ref(c))).alias(c) for c in names] + ([F.col(PATH)] if with_path else []))


def zone_root(zone):
    # lake_root: abfss://{zone}@<account>.dfs.core.windows.net (a container per zone),
    # abfss://<file system>@<account>.dfs.core.windows.net/{zone}, or a folder holding the zones.
    root = params["lake_root"].rstrip("/")
    return root.replace("{zone}", zone) if "{zone}" in root else root + "/" + zone


def ls_names(path):
    # dbutils.fs works on abfss:// and local paths alike; a missing folder lists nothing.
    try:
        entries = dbutils.fs.ls(path)
    except Exception as e:
        if "FileNotFound" in type(e).__name__ + str(e):
            return []
        raise
    return [f.name.rstrip("/") for f in entries]


def numbered(df):
    # Row numbers in the file's order, counted in the JVM. A file is read as consecutive ranges,
    # one per partition, in order, and monotonically_increasing_id numbers a partition's rows in
    # order from (partition index << 33). One partition (a small file, or a CSV read whole for its
    # quoted line breaks) needs nothing more; otherwise each partition's rows are counted first
    # and the ranges laid end to end. Spark Connect has no RDDs to ask for the partition count: it counts.
    df = df.withColumn("_mid", F.monotonically_increasing_id())
    part = F.shiftright(F.col("_mid"), 33)
    try:
        single = df.rdd.getNumPartitions() == 1
    except Exception:
        single = False
    start = F.lit(0).cast("long")
    if not single:
        sizes = sorted((r["p"], r["n"]) for r in df.groupBy(part.alias("p")).agg(F.count(F.lit(1)).alias("n")).collect())
        starts, total = [], 0
        for p, n in sizes:
            starts += [F.lit(p), F.lit(total).cast("long")]
            total += n
        if len(sizes) > 1:
            start = F.element_at(F.create_map(*starts), part)
    return df.withColumn("_row_number", F.col("_mid") - F.shiftleft(part, 33) + start + 1).drop("_mid")


entity_dir = zone_root("landing") + "/" + ENTITY
batch_rel = [d + "/batch=" + batch_id for d in ls_names(entity_dir) if d.startswith("ingest_date=") and "batch=" + batch_id in ls_names(entity_dir + "/" + d)]
if len(batch_rel) != 1 or MANIFEST not in ls_names(entity_dir + "/" + batch_rel[0]):
    raise Exception(f"batch {batch_id} of {ENTITY} is not landed (no manifest)")
batch_dir = entity_dir + "/" + batch_rel[0]
manifest = json.loads(dbutils.fs.head(batch_dir + "/" + MANIFEST, 64 * 1024 * 1024))


def read_csv(files):
    # The files of a CSV batch share the manifest's header (ingest refuses a batch whose headers
    # differ), so they are read in one go: each file's header line skipped, every column as text,
    # named as the manifest says. A read per file cost a Spark job for its header, and a union.
    # A row with more or fewer fields than the header (a trailing delimiter too) has its values in
    # the wrong columns (the rules row.fields_extra and row.fields_missing), as the local engine
    # reads it: Spark keeps such a row's text in the column named by columnNameOfCorruptRecord, and
    # its fields, counted outside quotes, tell which. A short row's missing fields are NULL.
    # A batch with a line break inside a quoted value (ingest records it) is read whole, file by
    # file, as only a whole read keeps such a row together; any other in splits, in parallel.
    names = manifest["csv"]["columns"]
    if len({c.strip().lower() for c in names}) != len(names):
        raise Exception(f"batch {batch_id} of {ENTITY}: a column appears more than once in {names}")
    extra = [EXTRA] if EXTRA not in names else []
    sep = manifest["csv"]["delimiter"]
    df = (spark.read.schema(T.StructType([T.StructField(c, T.StringType()) for c in names + extra]))
          .option("header", True).option("multiLine", bool(manifest["csv"].get("quotedNewlines"))).option("escape", '"').option("sep", sep)
          .option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", EXTRA if extra else "_corrupt_record")
          .csv([batch_dir + "/" + f["path"] for f in files]))
    counted = F.size(F.split(F.regexp_replace(F.col(EXTRA), r'"[^"]*(?:""[^"]*)*"', ""), r"\Q" + sep + r"\E", -1))
    # Spark's reader counts a row's fields only when every column is read: one that no later step
    # uses (ignored by the contract) would be pruned, and a row with a field more or less loaded
    # with its values in the wrong columns. A sum over every column's null test keeps them all.
    every = sum((F.col(ref(c)).isNull().cast("int") for c in names), F.lit(0)) >= 0
    fields = F.when(F.col(EXTRA).isNull() & every, 0).when(counted > len(names), 1).otherwise(-1 if SHORT_ROWS == "quarantine" else 0) if extra else F.lit(0)
    # The fields past the header of a row that has any, as the local engine keeps them for the
    # quarantine: as many as the manifest's widest record has (one for a batch landed before it
    # was recorded) up to MAX_EXTRA, an empty one as "", a quoted line break as LF.
    k = min(MAX_EXTRA, max(1, manifest["csv"].get("mostFields", 0) - len(names)))
    if any(f"{EXTRA}_{i + 1}" in names for i in range(1, k)):
        k = 1
    # The record's fields from its text, in one expression, quoted ones unquoted and their quotes
    # undoubled: from_csv's struct would be parsed again for each of its k fields taken out.
    d = r"\x{%x}" % ord(sep)
    field = '(?:^|' + d + ')("(?:[^"]|"")*"|[^' + d + '"]*)'
    cells = F.transform(F.regexp_extract_all(F.col(EXTRA), F.lit(field), 1),
                        lambda f: F.when(f.startswith('"'), F.regexp_replace(f.substr(F.lit(2), F.length(f) - 2), '""', '"')).otherwise(f))
    brk = manifest["csv"].get("lineBreak") if manifest["csv"].get("quotedNewlines") else None
    if brk:
        cells = F.transform(cells, lambda f: F.regexp_replace(f, brk, "\n"))
    past = F.when(fields == 1, F.to_json(F.struct(F.slice(cells, len(names) + 1, k).alias(EXTRA)))) if extra else F.lit(None).cast("string")
    return df.select(*[F.col(ref(c)) for c in names], fields.alias("_fields"), past.alias("_past"),
                     *([F.col("_metadata.file_path").alias(PATH)] if len(files) > 1 else []))


def read_json(files):
    # JSON and JSON Lines files of a batch read in one go, their keys found over all of them:
    # ingest checks each file's columns at landing, and a row's rescued values are its own.
    paths = [batch_dir + "/" + f["path"] for f in files]
    df = spark.read.option("multiLine", manifest["format"] == "json").json(paths)
    if "_corrupt_record" in df.columns:
        # Spark keeps a row it cannot parse in this column; the local engine refuses the file.
        for f in files[:-1] if len(files) > 1 else []:
            read_json([f])  # the first file that does not parse refuses itself
        raise Exception(f"{rel_root + files[-1]['path']}: not valid {'JSON' if manifest['format'] == 'json' else 'JSON Lines'}")
    # Each key's value as text, as the local engine's json_extract_string gives it: read as a
    # string, a number, object or array is its text in the file, which json_text writes as DuckDB
    # does (a number with a fraction or an exponent as a double reads back, 1.50 as 1.5; an object
    # compact, its keys in their order); Spark's own struct would sort the keys, quote the numbers
    # and leave out null fields. The types Spark found say which keys hold numbers (a key holding
    # a number in some rows and text in others is text, read as it is).
    kinds = {c: df.schema[c].dataType for c in df.columns}
    if all(isinstance(t, T.StringType) for t in kinds.values()):
        return df
    raw = (spark.read.schema(T.StructType([T.StructField(c, T.StringType()) for c in df.columns]))
           .option("multiLine", manifest["format"] == "json").json(paths))

    def text(c):
        col, t = F.col(ref(c)), kinds[c]
        if isinstance(t, (T.StructType, T.ArrayType, T.DoubleType, T.DecimalType)):
            return json_text(col)
        return F.when(col == "-0", "0").otherwise(col) if isinstance(t, T.LongType) else col

    return raw.select([text(c).alias(c) for c in df.columns])


def numbered_files(df, files, rel_root):
    # Row numbers and lineage names of several files read together. A file is read as consecutive
    # ranges in order (a CSV with quoted line breaks, read whole, as one), each range by one task,
    # a task's ranges one after another, so a range's rows have consecutive ids from its first
    # row's. One job finds each range's first id and its rows: a row's number is its id less its
    # range's first, plus the rows of the file's earlier ranges. That job reads the files once
    # more, so only files of up to GROUP_ROWS rows are read together.
    df = df.withColumn("_mid", F.monotonically_increasing_id())
    part = F.shiftright(F.col("_mid"), 33)
    ranges = {}
    for r in df.groupBy("_path", part.alias("p")).agg(F.min("_mid").alias("m"), F.count(F.lit(1)).alias("n")).collect():
        ranges.setdefault(r["_path"], []).append((r["p"], r["m"], r["n"]))
    firsts, names = [], []
    for path, found in ranges.items():
        local = unquote(path)
        hit = max((f["path"] for f in files if local.endswith("/" + f["path"])), key=len, default=None)
        if hit is None:
            raise Exception(f"batch {batch_id} of {ENTITY}: {local} is not in its manifest")
        before = 0
        for p, m, n in sorted(found):
            firsts += [F.lit(f"{p}/{path}"), F.lit(m - before).cast("long")]
            before += n
        names += [F.lit(path), F.lit(rel_root + hit)]
    if not firsts:
        return (df.withColumn("_row_number", F.lit(None).cast("long")).withColumn("_batch_id", F.lit(batch_id))
                .withColumn("_source_file", F.lit(None).cast("string")).drop("_mid", "_path"))
    path = F.col("_path")
    at = F.concat(part.cast("string"), F.lit("/"), path)
    return (df.withColumn("_row_number", F.col("_mid") - F.element_at(F.create_map(*firsts), at) + 1)
            .withColumn("_batch_id", F.lit(batch_id))
            .withColumn("_source_file", F.element_at(F.create_map(*names), path)).drop("_mid", "_path"))


# Lineage names a file as the local engine does: relative to the lake, zone first.
rel_root = "landing/" + ENTITY + "/" + batch_rel[0] + "/"
if manifest["format"] == "parquet":
    # A read of several Parquet files takes one file's schema for all, so files of up to GROUP_ROWS
    # rows are read together only when their schemas agree field for field, in order, as the local
    # engine groups them: by the schema ingest recorded for each part, else by the part's footer
    # (a schema read costs a Spark job). The others are read alone.
    def parquet(files):
        try:
            return spark.read.parquet(*[batch_dir + "/" + f["path"] for f in files])
        except Exception as e:
            if "PARQUET_TYPE_ILLEGAL" not in str(e):
                raise
            # A type Spark has no reader for (TIME, a nanosecond timestamp inside a struct): the
            # local engine reads it, the notebook cannot; say which files and what to do.
            raise Exception(
                f"{rel_root}: {', '.join(f['path'] for f in files)} has a column of a Parquet type Spark cannot read "
                f"({str(e).splitlines()[0]}). Write it as text or as a date or timestamp (microseconds), and land the file again."
            ) from e

    # Spark reads a nanosecond timestamp (pandas writes them) only as its count of nanoseconds;
    # ingest names the parts' such columns (files read together share them).
    def nanos(files):
        return {n["column"]: n["utc"] for n in files[0].get("nanosecondTimestamps", [])}

    named = [f"{f['path']} ({', '.join(n['column'] for n in f['nanosecondTimestamps'])})" for f in manifest["files"] if f.get("nanosecondTimestamps")]
    if named:
        try:
            spark.conf.set("spark.sql.legacy.parquet.nanosAsLong", "true")
        except Exception as e:
            raise Exception(
                f"{rel_root}: columns stored as nanosecond timestamps, in {'; '.join(named)}, which Spark reads only with "
                f"spark.sql.legacy.parquet.nanosAsLong, and this compute refuses to set it ({e}). Run the job on compute that "
                "allows it, or write the files with microsecond timestamps (pandas: to_parquet(..., coerce_timestamps='us', "
                "allow_truncated_timestamps=True)) and land them again."
            ) from e

    alone, alike = [], {}
    for f in manifest["files"]:
        if f["rows"] > GROUP_ROWS:
            alone.append(f)
        elif f.get("parquetSchema"):
            alike.setdefault(f["parquetSchema"], []).append(f)
        else:
            alike.setdefault(tuple((c.name, c.dataType.json()) for c in parquet([f]).schema.fields), []).append(f)
    reads = [(parquet_text(parquet(files), True, nanos(files)), files) for files in alike.values() if len(files) > 1]
    reads += [(parquet_text(parquet([f]), False, nanos([f])), [f]) for f in alone + [fs[0] for fs in alike.values() if len(fs) == 1]]
else:
    read = read_csv if manifest["format"] == "csv" else read_json
    small = [f for f in manifest["files"] if f["rows"] <= GROUP_ROWS]
    reads = ([(read(small), small)] if small else []) + [(read([f]), [f]) for f in manifest["files"] if f["rows"] > GROUP_ROWS]


def columns_of(df, files):
    # A part's columns, to which the entity's contract applies as ingest and the local engine
    # apply it: the CSV header, the columns a JSON batch's writer declared (a key left out of
    # every row is still one), else the keys of a JSON part's rows, or a Parquet file's columns.
    if manifest["format"] == "csv":
        names = manifest["csv"]["columns"]
    elif manifest["format"] in ("json", "jsonl") and manifest.get("columns"):
        names = manifest["columns"]
    else:
        names = [c for c in df.columns if c != PATH]
    where = rel_root + files[0]["path"]  # files read together share their columns: the first names them
    if not names and all(f["rows"] == 0 for f in files):
        return names  # a part with no rows lacks no value
    first, twice = {}, []
    for c in names:
        k = c.strip().lower()
        if k in first:
            twice.append(c)
        first.setdefault(k, c)
    if twice:
        raise Exception(f"{where}: column {', '.join(twice)} appears more than once")
    # Each source's column: the first of its names the part has.
    hits = {s: source_column(first, s) for s in SOURCES}
    must = MUST_HAVE if manifest.get("schemaFingerprint") == FINGERPRINT else REQUIRED
    missing = [s for s in must if hits[s] is None]
    if missing:
        raise Exception(f"{where}: missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)} for entity {ENTITY} (found: {', '.join(names)})")
    unknown = [c for c in names if c not in hits.values()]
    if unknown and UNKNOWN == "reject":
        raise Exception(f"{where}: unknown column{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} for entity {ENTITY}")
    return names


frames = []
copied = manifest["source"]["kind"] == "adf-copy"
for df, files in reads:
    declared = {c.strip().lower() for c in columns_of(df, files)}
    # A declared column no row has a key for reads as NULL; a key no column declares is not read.
    found = {c.strip().lower(): c for c in df.columns if c.strip().lower() in declared}
    cols = []
    used = set()
    for s in SOURCES:
        hit = source_column(found, s)
        if hit is None:
            cols.append(F.lit(None).cast("string").alias(s))
        else:
            used.add(hit)
            col = F.col(ref(hit))
            if copied and s in ISO_TEXT:
                col = F.coalesce(F.expr(ISO_TEXT[s].replace("__T__", ref(hit))), col)
            cols.append(col.alias(s))
    unknown = [c for c in df.columns if c not in used and c.strip().lower() in declared]
    # The row's values of the unknown columns it has, as JSON (null values left out), or null.
    extra = [F.col(ref(c)) for c in unknown]
    rescued = F.when(F.coalesce(*extra).isNotNull(), F.to_json(F.struct(*extra), {"ignoreNullFields": "true"})) if unknown and UNKNOWN == "rescue" else None
    if "_past" in df.columns:
        # A CSV row's fields past its header join the rescued values as one more key (see read_csv).
        past = F.col("_past")
        rescued = past if rescued is None else (
            F.when(past.isNull(), rescued).when(rescued.isNull(), past)
            .otherwise(F.concat(rescued.substr(F.lit(1), F.length(rescued) - 1), F.lit(","), past.substr(F.lit(2), F.length(past)))))
    if rescued is None:
        rescued = F.lit(None).cast("string")
    # A CSV row's shape against its header (see read_csv); a JSON or Parquet row has no other.
    shape = (F.col("_fields") if manifest["format"] == "csv" else F.lit(0)).alias("_fields")
    if len(files) == 1:
        frames.append(numbered(df.select(*cols, rescued.alias("_rescued_data"), shape))
                      .withColumn("_batch_id", F.lit(batch_id)).withColumn("_source_file", F.lit(rel_root + files[0]["path"])))
    else:
        path = F.col(PATH) if PATH in df.columns else F.col("_metadata.file_path")
        frames.append(numbered_files(df.select(*cols, rescued.alias("_rescued_data"), shape, path.alias("_path")), files, rel_root))
landing = frames[0]
for extra in frames[1:]:
    landing = landing.unionByName(extra)
# A staging view cached over an earlier landing_raw would be re-resolved against the new one.
spark.sql("UNCACHE TABLE IF EXISTS bronze_stage")
spark.sql("DROP VIEW IF EXISTS bronze_stage")
landing.createOrReplaceTempView("landing_raw")


def write_once(sql):
    # A Delta idempotent write: the commit carries (txnAppId, txnVersion) and Delta skips a commit
    # whose pair the table has already recorded. Each write is guarded on its own, so a retry
    # after a crash between the quarantine and the bronze write applies only the missing one.
    spark.conf.set("spark.databricks.delta.write.txnAppId", "saleslake/" + ENTITY + "/" + batch_id)
    spark.conf.set("spark.databricks.delta.write.txnVersion", "0")
    try:
        return run(sql)
    finally:
        spark.conf.unset("spark.databricks.delta.write.txnAppId")
        spark.conf.unset("spark.databricks.delta.write.txnVersion")

# COMMAND ----------

run(r"""CREATE OR REPLACE TABLE `${catalog}`.`saleslake`.`bronze_stage_sales_order_lines` USING DELTA AS SELECT `order_id`, `line_number`, `order_date`, `customer_id`, `product_id`, `quantity`, `unit_price`, `discount_pct`, `currency`, `status`, `channel`, `updated_at`, `is_deleted`, _batch_id, _source_file, _row_number, _rescued_data, _ok,
  CASE WHEN NOT _ok THEN filter(array(CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'row.fields_extra' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'row.fields_missing' END, CASE WHEN NOT coalesce(`_raw_order_id` IS NOT NULL, false) THEN 'order_id.not_null' END, CASE WHEN NOT coalesce((`order_id` IS NULL OR char_length(`order_id`) <= 10), false) THEN 'order_id.max_length' END, CASE WHEN NOT coalesce((`order_id` IS NULL OR `order_id` RLIKE '^(SO[0-9]{8})$'), false) THEN 'order_id.pattern' END, CASE WHEN NOT coalesce(`_raw_line_number` IS NOT NULL, false) THEN 'line_number.not_null' END, CASE WHEN NOT coalesce((`_raw_line_number` IS NULL OR `line_number` IS NOT NULL), false) THEN 'line_number.parse' END, CASE WHEN NOT coalesce((`line_number` IS NULL OR `line_number` >= 1), false) THEN 'line_number.min' END, CASE WHEN NOT coalesce((`line_number` IS NULL OR `line_number` <= 9999), false) THEN 'line_number.max' END, CASE WHEN NOT coalesce(`_raw_order_date` IS NOT NULL, false) THEN 'order_date.not_null' END, CASE WHEN NOT coalesce((`_raw_order_date` IS NULL OR `order_date` IS NOT NULL), false) THEN 'order_date.parse' END, CASE WHEN NOT coalesce(`_raw_customer_id` IS NOT NULL, false) THEN 'customer_id.not_null' END, CASE WHEN NOT coalesce((`customer_id` IS NULL OR char_length(`customer_id`) <= 7), false) THEN 'customer_id.max_length' END, CASE WHEN NOT coalesce((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'), false) THEN 'customer_id.pattern' END, CASE WHEN NOT coalesce(`_raw_product_id` IS NOT NULL, false) THEN 'product_id.not_null' END, CASE WHEN NOT coalesce((`product_id` IS NULL OR char_length(`product_id`) <= 7), false) THEN 'product_id.max_length' END, CASE WHEN NOT coalesce((`product_id` IS NULL OR `product_id` RLIKE '^(P-[0-9]{5})$'), false) THEN 'product_id.pattern' END, CASE WHEN NOT coalesce(`_raw_quantity` IS NOT NULL, false) THEN 'quantity.not_null' END, CASE WHEN NOT coalesce((`_raw_quantity` IS NULL OR `quantity` IS NOT NULL), false) THEN 'quantity.parse' END, CASE WHEN NOT coalesce((`quantity` IS NULL OR `quantity` >= 1), false) THEN 'quantity.min' END, CASE WHEN NOT coalesce((`quantity` IS NULL OR `quantity` <= 100000), false) THEN 'quantity.max' END, CASE WHEN NOT coalesce(`_raw_unit_price` IS NOT NULL, false) THEN 'unit_price.not_null' END, CASE WHEN NOT coalesce((`_raw_unit_price` IS NULL OR `unit_price` IS NOT NULL), false) THEN 'unit_price.parse' END, CASE WHEN NOT coalesce((`unit_price` IS NULL OR `unit_price` >= 0), false) THEN 'unit_price.min' END, CASE WHEN NOT coalesce((`_raw_discount_pct` IS NULL OR `discount_pct` IS NOT NULL), false) THEN 'discount_pct.parse' END, CASE WHEN NOT coalesce((`discount_pct` IS NULL OR `discount_pct` >= 0), false) THEN 'discount_pct.min' END, CASE WHEN NOT coalesce((`discount_pct` IS NULL OR `discount_pct` <= 100), false) THEN 'discount_pct.max' END, CASE WHEN NOT coalesce(`_raw_currency` IS NOT NULL, false) THEN 'currency.not_null' END, CASE WHEN NOT coalesce((`currency` IS NULL OR `currency` IN ('EUR', 'USD', 'GBP')), false) THEN 'currency.enum' END, CASE WHEN NOT coalesce(`_raw_status` IS NOT NULL, false) THEN 'status.not_null' END, CASE WHEN NOT coalesce((`status` IS NULL OR `status` IN ('open', 'shipped', 'invoiced', 'cancelled')), false) THEN 'status.enum' END, CASE WHEN NOT coalesce((`channel` IS NULL OR char_length(`channel`) <= 32), false) THEN 'channel.max_length' END, CASE WHEN NOT coalesce(`_raw_updated_at` IS NOT NULL, false) THEN 'updated_at.not_null' END, CASE WHEN NOT coalesce((`_raw_updated_at` IS NULL OR `updated_at` IS NOT NULL), false) THEN 'updated_at.parse' END, CASE WHEN NOT coalesce((`updated_at` IS NULL OR `updated_at` <= current_timestamp), false) THEN 'updated_at.max' END, CASE WHEN NOT coalesce((`_raw_is_deleted` IS NULL OR `is_deleted` IS NOT NULL), false) THEN 'is_deleted.parse' END, CASE WHEN NOT coalesce(coalesce((quantity * unit_price <= 100000000), true), false) THEN 'row.net_amount_bounded' END), x -> x IS NOT NULL) END AS _rule_ids,
  CASE WHEN NOT _ok THEN filter(array(CASE WHEN NOT coalesce(_fields <= 0, false) THEN 'more fields than the file\'s header: a delimiter at the end of the row, or in a value that is not quoted?' END, CASE WHEN NOT coalesce(_fields >= 0, false) THEN 'fewer fields than the file\'s header: a row cut short, or a line break in a value that is not quoted?' END, CASE WHEN NOT coalesce(`_raw_order_id` IS NOT NULL, false) THEN 'order_id: a value is required' END, CASE WHEN NOT coalesce((`order_id` IS NULL OR char_length(`order_id`) <= 10), false) THEN 'order_id: longer than 10 characters' END, CASE WHEN NOT coalesce((`order_id` IS NULL OR `order_id` RLIKE '^(SO[0-9]{8})$'), false) THEN 'order_id: does not match the pattern SO[0-9]{8}' END, CASE WHEN NOT coalesce(`_raw_line_number` IS NOT NULL, false) THEN 'line_number: a value is required' END, CASE WHEN NOT coalesce((`_raw_line_number` IS NULL OR `line_number` IS NOT NULL), false) THEN 'line_number: not a valid int' END, CASE WHEN NOT coalesce((`line_number` IS NULL OR `line_number` >= 1), false) THEN 'line_number: below the minimum 1' END, CASE WHEN NOT coalesce((`line_number` IS NULL OR `line_number` <= 9999), false) THEN 'line_number: above the maximum 9999' END, CASE WHEN NOT coalesce(`_raw_order_date` IS NOT NULL, false) THEN 'order_date: a value is required' END, CASE WHEN NOT coalesce((`_raw_order_date` IS NULL OR `order_date` IS NOT NULL), false) THEN 'order_date: not a valid date' END, CASE WHEN NOT coalesce(`_raw_customer_id` IS NOT NULL, false) THEN 'customer_id: a value is required' END, CASE WHEN NOT coalesce((`customer_id` IS NULL OR char_length(`customer_id`) <= 7), false) THEN 'customer_id: longer than 7 characters' END, CASE WHEN NOT coalesce((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'), false) THEN 'customer_id: does not match the pattern C[0-9]{6}' END, CASE WHEN NOT coalesce(`_raw_product_id` IS NOT NULL, false) THEN 'product_id: a value is required' END, CASE WHEN NOT coalesce((`product_id` IS NULL OR char_length(`product_id`) <= 7), false) THEN 'product_id: longer than 7 characters' END, CASE WHEN NOT coalesce((`product_id` IS NULL OR `product_id` RLIKE '^(P-[0-9]{5})$'), false) THEN 'product_id: does not match the pattern P-[0-9]{5}' END, CASE WHEN NOT coalesce(`_raw_quantity` IS NOT NULL, false) THEN 'quantity: a value is required' END, CASE WHEN NOT coalesce((`_raw_quantity` IS NULL OR `quantity` IS NOT NULL), false) THEN 'quantity: not a valid int' END, CASE WHEN NOT coalesce((`quantity` IS NULL OR `quantity` >= 1), false) THEN 'quantity: below the minimum 1' END, CASE WHEN NOT coalesce((`quantity` IS NULL OR `quantity` <= 100000), false) THEN 'quantity: above the maximum 100000' END, CASE WHEN NOT coalesce(`_raw_unit_price` IS NOT NULL, false) THEN 'unit_price: a value is required' END, CASE WHEN NOT coalesce((`_raw_unit_price` IS NULL OR `unit_price` IS NOT NULL), false) THEN 'unit_price: not a valid decimal(12,2)' END, CASE WHEN NOT coalesce((`unit_price` IS NULL OR `unit_price` >= 0), false) THEN 'unit_price: below the minimum 0' END, CASE WHEN NOT coalesce((`_raw_discount_pct` IS NULL OR `discount_pct` IS NOT NULL), false) THEN 'discount_pct: not a valid decimal(5,2)' END, CASE WHEN NOT coalesce((`discount_pct` IS NULL OR `discount_pct` >= 0), false) THEN 'discount_pct: below the minimum 0' END, CASE WHEN NOT coalesce((`discount_pct` IS NULL OR `discount_pct` <= 100), false) THEN 'discount_pct: above the maximum 100' END, CASE WHEN NOT coalesce(`_raw_currency` IS NOT NULL, false) THEN 'currency: a value is required' END, CASE WHEN NOT coalesce((`currency` IS NULL OR `currency` IN ('EUR', 'USD', 'GBP')), false) THEN 'currency: not one of EUR, USD, GBP' END, CASE WHEN NOT coalesce(`_raw_status` IS NOT NULL, false) THEN 'status: a value is required' END, CASE WHEN NOT coalesce((`status` IS NULL OR `status` IN ('open', 'shipped', 'invoiced', 'cancelled')), false) THEN 'status: not one of open, shipped, invoiced, cancelled' END, CASE WHEN NOT coalesce((`channel` IS NULL OR char_length(`channel`) <= 32), false) THEN 'channel: longer than 32 characters' END, CASE WHEN NOT coalesce(`_raw_updated_at` IS NOT NULL, false) THEN 'updated_at: a value is required' END, CASE WHEN NOT coalesce((`_raw_updated_at` IS NULL OR `updated_at` IS NOT NULL), false) THEN 'updated_at: not a valid timestamp' END, CASE WHEN NOT coalesce((`updated_at` IS NULL OR `updated_at` <= current_timestamp), false) THEN 'updated_at: in the future' END, CASE WHEN NOT coalesce((`_raw_is_deleted` IS NULL OR `is_deleted` IS NOT NULL), false) THEN 'is_deleted: not a valid boolean' END, CASE WHEN NOT coalesce(coalesce((quantity * unit_price <= 100000000), true), false) THEN 'line amount exceeds 100,000,000' END), x -> x IS NOT NULL) END AS _messages,
  CASE WHEN NOT _ok THEN CASE WHEN _rescued_data IS NULL THEN to_json(named_struct('OrderID', `_src_0`, 'LineNo', `_src_1`, 'order_date', `_src_2`, 'customer_id', `_src_3`, 'product_id', `_src_4`, 'quantity', `_src_5`, 'unit_price', `_src_6`, 'discount_pct', `_src_7`, 'currency', `_src_8`, 'status', `_src_9`, 'channel', `_src_10`, 'updated_at', `_src_11`, 'is_deleted', `_src_12`), map('ignoreNullFields', 'false')) ELSE substr(to_json(named_struct('OrderID', `_src_0`, 'LineNo', `_src_1`, 'order_date', `_src_2`, 'customer_id', `_src_3`, 'product_id', `_src_4`, 'quantity', `_src_5`, 'unit_price', `_src_6`, 'discount_pct', `_src_7`, 'currency', `_src_8`, 'status', `_src_9`, 'channel', `_src_10`, 'updated_at', `_src_11`, 'is_deleted', `_src_12`), map('ignoreNullFields', 'false')), 1, length(to_json(named_struct('OrderID', `_src_0`, 'LineNo', `_src_1`, 'order_date', `_src_2`, 'customer_id', `_src_3`, 'product_id', `_src_4`, 'quantity', `_src_5`, 'unit_price', `_src_6`, 'discount_pct', `_src_7`, 'currency', `_src_8`, 'status', `_src_9`, 'channel', `_src_10`, 'updated_at', `_src_11`, 'is_deleted', `_src_12`), map('ignoreNullFields', 'false'))) - 1) || ',' || substr(_rescued_data, 2) END END AS _raw
FROM (SELECT t.*, coalesce(_fields <= 0, false) AND coalesce(_fields >= 0, false) AND coalesce(`_raw_order_id` IS NOT NULL, false) AND coalesce((`order_id` IS NULL OR char_length(`order_id`) <= 10), false) AND coalesce((`order_id` IS NULL OR `order_id` RLIKE '^(SO[0-9]{8})$'), false) AND coalesce(`_raw_line_number` IS NOT NULL, false) AND coalesce((`_raw_line_number` IS NULL OR `line_number` IS NOT NULL), false) AND coalesce((`line_number` IS NULL OR `line_number` >= 1), false) AND coalesce((`line_number` IS NULL OR `line_number` <= 9999), false) AND coalesce(`_raw_order_date` IS NOT NULL, false) AND coalesce((`_raw_order_date` IS NULL OR `order_date` IS NOT NULL), false) AND coalesce(`_raw_customer_id` IS NOT NULL, false) AND coalesce((`customer_id` IS NULL OR char_length(`customer_id`) <= 7), false) AND coalesce((`customer_id` IS NULL OR `customer_id` RLIKE '^(C[0-9]{6})$'), false) AND coalesce(`_raw_product_id` IS NOT NULL, false) AND coalesce((`product_id` IS NULL OR char_length(`product_id`) <= 7), false) AND coalesce((`product_id` IS NULL OR `product_id` RLIKE '^(P-[0-9]{5})$'), false) AND coalesce(`_raw_quantity` IS NOT NULL, false) AND coalesce((`_raw_quantity` IS NULL OR `quantity` IS NOT NULL), false) AND coalesce((`quantity` IS NULL OR `quantity` >= 1), false) AND coalesce((`quantity` IS NULL OR `quantity` <= 100000), false) AND coalesce(`_raw_unit_price` IS NOT NULL, false) AND coalesce((`_raw_unit_price` IS NULL OR `unit_price` IS NOT NULL), false) AND coalesce((`unit_price` IS NULL OR `unit_price` >= 0), false) AND coalesce((`_raw_discount_pct` IS NULL OR `discount_pct` IS NOT NULL), false) AND coalesce((`discount_pct` IS NULL OR `discount_pct` >= 0), false) AND coalesce((`discount_pct` IS NULL OR `discount_pct` <= 100), false) AND coalesce(`_raw_currency` IS NOT NULL, false) AND coalesce((`currency` IS NULL OR `currency` IN ('EUR', 'USD', 'GBP')), false) AND coalesce(`_raw_status` IS NOT NULL, false) AND coalesce((`status` IS NULL OR `status` IN ('open', 'shipped', 'invoiced', 'cancelled')), false) AND coalesce((`channel` IS NULL OR char_length(`channel`) <= 32), false) AND coalesce(`_raw_updated_at` IS NOT NULL, false) AND coalesce((`_raw_updated_at` IS NULL OR `updated_at` IS NOT NULL), false) AND coalesce((`updated_at` IS NULL OR `updated_at` <= current_timestamp), false) AND coalesce((`_raw_is_deleted` IS NULL OR `is_deleted` IS NOT NULL), false) AND coalesce(coalesce((quantity * unit_price <= 100000000), true), false) AS _ok FROM (SELECT n.*, `_raw_order_id` AS `order_id`,
  CASE WHEN `_raw_line_number` RLIKE '^([+-]?[0-9]{1,10})$' THEN try_cast(`_raw_line_number` AS INT) END AS `line_number`,
  CASE WHEN `_raw_order_date` RLIKE '^((?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01]))$' THEN to_date(try_to_timestamp(`_raw_order_date`, 'yyyy-MM-dd')) END AS `order_date`,
  `_raw_customer_id` AS `customer_id`,
  `_raw_product_id` AS `product_id`,
  CASE WHEN `_raw_quantity` RLIKE '^([+-]?[0-9]{1,10})$' THEN try_cast(`_raw_quantity` AS INT) END AS `quantity`,
  CASE WHEN `_raw_unit_price` RLIKE '^([+-]?(?:0*[0-9]{1,10}(?:[.][0-9]{0,2}0*)?|[.][0-9]{1,2}0*))$' THEN try_cast(`_raw_unit_price` AS DECIMAL(12, 2)) END AS `unit_price`,
  CASE WHEN `_raw_discount_pct` RLIKE '^([+-]?(?:0*[0-9]{1,3}(?:[.][0-9]{0,2}0*)?|[.][0-9]{1,2}0*))$' THEN try_cast(`_raw_discount_pct` AS DECIMAL(5, 2)) END AS `discount_pct`,
  `_raw_currency` AS `currency`,
  `_raw_status` AS `status`,
  `_raw_channel` AS `channel`,
  CASE WHEN `_raw_updated_at` RLIKE '^((?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])(?:[T ](?:[01][0-9]|2[0-3]):(?:[0-5][0-9])(?::(?:[0-5][0-9])(?:[.][0-9]{1,9})?)?|[T ](?:[01][0-9]|2[0-3]):(?:[0-5][0-9]):(?:[0-5][0-9])(?:[.][0-9]{1,9})?(?:Z|[+-](?:(?:0[0-9]|1[0-7]):[0-5][0-9]|18:00)))?)$' THEN CASE WHEN try_cast(`_raw_updated_at` AS TIMESTAMP) BETWEEN TIMESTAMP '0001-01-01 00:00:00+00:00' AND TIMESTAMP '9999-12-31 23:59:59.999999+00:00' THEN try_cast(`_raw_updated_at` AS TIMESTAMP) END END AS `updated_at`,
  CASE WHEN lower(`_raw_is_deleted`) IN ('true', 't', 'yes', 'y', '1') THEN true WHEN lower(`_raw_is_deleted`) IN ('false', 'f', 'no', 'n', '0') THEN false END AS `is_deleted` FROM (SELECT l._batch_id, l._source_file, l._row_number, l._rescued_data, l._fields, l.`OrderID` AS `_src_0`, l.`LineNo` AS `_src_1`, l.`order_date` AS `_src_2`, l.`customer_id` AS `_src_3`, l.`product_id` AS `_src_4`, l.`quantity` AS `_src_5`, l.`unit_price` AS `_src_6`, l.`discount_pct` AS `_src_7`, l.`currency` AS `_src_8`, l.`status` AS `_src_9`, l.`channel` AS `_src_10`, l.`updated_at` AS `_src_11`, l.`is_deleted` AS `_src_12`, NULLIF(`OrderID`, '') AS `_raw_order_id`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `LineNo`), '') AS `_raw_line_number`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `order_date`), '') AS `_raw_order_date`,
  NULLIF(`customer_id`, '') AS `_raw_customer_id`,
  NULLIF(`product_id`, '') AS `_raw_product_id`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `quantity`), '') AS `_raw_quantity`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `unit_price`), '') AS `_raw_unit_price`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `discount_pct`), '') AS `_raw_discount_pct`,
  NULLIF(`currency`, '') AS `_raw_currency`,
  NULLIF(`status`, '') AS `_raw_status`,
  NULLIF(`channel`, '') AS `_raw_channel`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `updated_at`), '') AS `_raw_updated_at`,
  NULLIF(trim(BOTH ' \u00A0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000' FROM `is_deleted`), '') AS `_raw_is_deleted` FROM landing_raw l) n) t) c""")
run(r"""SELECT count(*) AS rows_read, count(*) FILTER (WHERE _ok) AS rows_accepted, count(*) FILTER (WHERE NOT _ok) AS rows_quarantined FROM `${catalog}`.`saleslake`.`bronze_stage_sales_order_lines`""", "bronze")
if counts["rows_quarantined"]:
    write_once(r"""INSERT INTO `${catalog}`.`quarantine`.`sales_order_lines` (`_batch_id`, `_source_file`, `_row_number`, `_run_id`, `_quarantined_at`, `rule_ids`, `messages`, `raw`, `repeat_of`)
SELECT s._batch_id, s._source_file, s._row_number, '${run_id}', current_timestamp(), s._rule_ids, s._messages, s._raw, p.first_batch
FROM `${catalog}`.`saleslake`.`bronze_stage_sales_order_lines` s LEFT JOIN (SELECT raw, min(_batch_id) AS first_batch FROM `${catalog}`.`quarantine`.`sales_order_lines`
  WHERE raw IN (SELECT _raw FROM `${catalog}`.`saleslake`.`bronze_stage_sales_order_lines` WHERE NOT _ok) GROUP BY raw) p ON p.raw = s._raw
WHERE NOT s._ok""")
if counts["rows_accepted"]:
    write_once(r"""INSERT INTO `${catalog}`.`bronze`.`sales_order_lines` (`order_id`, `line_number`, `order_date`, `customer_id`, `product_id`, `quantity`, `unit_price`, `discount_pct`, `currency`, `status`, `channel`, `updated_at`, `is_deleted`, `_batch_id`, `_source_file`, `_row_number`, `_ingested_at`, `_run_id`, `_rescued_data`)
SELECT `order_id`, `line_number`, `order_date`, `customer_id`, `product_id`, `quantity`, `unit_price`, `discount_pct`, `currency`, `status`, `channel`, `updated_at`, `is_deleted`, _batch_id, _source_file, _row_number, current_timestamp(), '${run_id}', _rescued_data FROM `${catalog}`.`saleslake`.`bronze_stage_sales_order_lines` WHERE _ok""")

# COMMAND ----------

dbutils.notebook.exit(json.dumps(counts))
