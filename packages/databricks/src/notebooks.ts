import {
  buildPlan,
  EXTRA_FIELDS,
  MAX_EXTRA_FIELDS,
  type Plan,
  SparkCompiler,
  type Statement,
  sparkNotebookContext,
  type TableSpec,
} from "@saleslake/pipeline";
import type { Star } from "@saleslake/schema";
import {
  datetimeSources,
  type Entity,
  floatPartsSql,
  floatTextSql,
  isoDatetimeTextSql,
  MANIFEST_FILE,
  quoteIdent,
  quoteString,
  schemaFingerprint,
  sourceColumnNames,
  tableDdl,
  typedDatetimeTextSql,
} from "@saleslake/schema";
import { DatabricksError } from "./errors.ts";

export interface Notebook {
  /** Workspace path: `<root>/<entity>/<stepId>`. */
  readonly path: string;
  readonly stepId: string;
  /** Databricks SOURCE format (Python, with `# COMMAND ----------` cells). */
  readonly source: string;
}

export interface NotebookOptions {
  /** Workspace folder of the notebooks. Default `/Workspace/saleslake`. */
  readonly root?: string;
  /**
   * Files of a batch of up to this many rows are read together by the bronze notebook (Parquet
   * files when their schemas agree), larger ones alone (see GROUP_ROWS). Default `100000`.
   */
  readonly groupRows?: number;
}

export const NOTEBOOK_PARAMS = [
  "run_id",
  "batch_id",
  "window_low",
  "window_high",
  "catalog",
  "lake_root",
  "full_refresh",
] as const;

/** Widgets of the maintenance notebook. */
export const MAINTENANCE_PARAMS = ["catalog", "vacuum_retain_hours"] as const;

/** Step id of the notebook that records the batch in the ledger and advances the watermark. */
export const COMMIT_STEP = "commit";
/** Step id of the OPTIMIZE / VACUUM notebook. */
export const MAINTENANCE_STEP = "maintenance";

export const DEFAULT_NOTEBOOK_ROOT = "/Workspace/saleslake";

const CELL = "\n\n# COMMAND ----------\n\n";

const py = (s: string) => JSON.stringify(s);
/**
 * SQL as a Python string: raw and triple-quoted, as it reads best, unless the SQL itself would
 * end that string (a `"""` in a literal of the schema's, a closing quote or backslash at its
 * end); then as an escaped literal (JSON's escapes are Python's).
 */
const pySql = (sql: string) => {
  const text = templateText(sql);
  return text.includes('"""') || /["\\]$/.test(text) ? py(text) : `r"""${text}"""`;
};

/** The widgets' placeholders in the SQL a notebook runs: `${catalog}`, `${batch_id}`, … */
const PLACEHOLDER = new RegExp(`^\\{(?:${[...NOTEBOOK_PARAMS, ...MAINTENANCE_PARAMS].join("|")})\\}`);

/**
 * SQL as `run()` takes it: `run()` fills the widgets' placeholders in with Python's
 * `Template.safe_substitute`, which also reads `$$` as `$` and `$name` as a placeholder. Any
 * other `$` that it would read so (one before `$`, `{` or a name: in a literal of the schema's,
 * an enum value such as `US$$`) is written `$$`, so that it reaches Spark as written.
 */
function templateText(sql: string): string {
  return sql.replace(/\$(?=[${A-Za-z_])/g, (_, at: number) =>
    PLACEHOLDER.test(sql.slice(at + 1)) ? "$" : "$$",
  );
}
const q = (name: string) => quoteIdent("spark", name);
const table = (schema: string, name: string) => `${q("${catalog}")}.${q(schema)}.${q(name)}`;

/**
 * Widget values are substituted into SQL: each is checked against what it may hold first, so a
 * value can never end a string literal or an identifier.
 */
const WIDGET_RULES: Record<string, string> = {
  run_id: "^[A-Za-z0-9_.:-]*$",
  batch_id: "^[A-Za-z0-9_.:-]*$",
  window_low: "^[A-Za-z0-9_.:+ -]*$",
  window_high: "^[A-Za-z0-9_.:+ -]*$",
  catalog: "^[A-Za-z_][A-Za-z0-9_]*$",
  full_refresh: "^(true|false|)$",
  vacuum_retain_hours: "^[0-9]*$",
};

function header(entity: string, step: string, names: readonly string[] = NOTEBOOK_PARAMS): string {
  const rules = Object.fromEntries(names.filter((n) => WIDGET_RULES[n]).map((n) => [n, WIDGET_RULES[n]]));
  return `# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · ${entity} · ${step}
# MAGIC Generated from the saleslake schema; regenerate instead of editing. Parameters arrive as widgets.${CELL}import json
import re
from string import Template

# A timestamp without an offset (Azure SQL's datetime2, say) is UTC, as on the local engine,
# whatever time zone the cluster's sessions start in.
spark.conf.set("spark.sql.session.timeZone", "UTC")
# ANSI SQL mode, as the notebooks are tested (Spark 4.0's default; a runtime before Databricks
# Runtime 17 starts sessions without it): an overflow or a failed cast stops the step instead of
# writing NULL, as on the local engine.
spark.conf.set("spark.sql.ansi.enabled", "true")

PARAMS = ${JSON.stringify(names)}
for _p in PARAMS:
    dbutils.widgets.text(_p, "")
params = {p: dbutils.widgets.get(p) for p in PARAMS}
params["catalog"] = params["catalog"] or "main"
for _p, _rule in ${JSON.stringify(rules)}.items():
    if not re.fullmatch(_rule, params[_p]):
        raise ValueError(f"widget {_p} has a value outside {_rule}")
counts = {"step": ${py(step)}, "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)
    return rows`;
}

/**
 * Files of a batch of up to this many rows are read together by the bronze notebook (Parquet files
 * when their schemas agree); larger ones alone. Numbering the rows of files read together takes a job that reads them once
 * more, which costs little against the Spark job and union a file read alone costs, but doubles
 * the read of large files (100 CSV files of 100 rows: 32.6 s read one by one, 6.7 s together).
 */
const GROUP_ROWS = 100_000;

/**
 * Reads the landed batch (manifest last, so a half-landed batch is never seen) into the
 * temporary view \`landing_raw\`: every value as text, source names as the schema maps them,
 * with lineage, each part's columns held to the entity's contract. Retry safety is not decided
 * here but by each write (see \`write_once\`).
 */

function landingCell(entity: Entity, groupRows: number): string {
  // The schema's one mapping of found columns to source names, as ingest and the local engine use it.
  const columns = sourceColumnNames(entity);
  const sources = columns.map((c) => c.source);
  const aliases = Object.fromEntries(columns.map((c) => [c.source, c.names]));
  // Per source: the SQL for a timestamp, then for a date (a whole day, see typedDatetimeTextSql).
  const datetimeText = Object.fromEntries(
    [...datetimeSources(entity)].flatMap(([source, column]) => {
      const [timestamp, date] = [false, true].map((day) =>
        typedDatetimeTextSql("spark", column, "__V__", day),
      );
      return timestamp === undefined ? [] : [[source, [timestamp, date]]];
    }),
  );
  const isoText = Object.fromEntries(
    [...datetimeSources(entity)].flatMap(([source, column]) => {
      const sql = isoDatetimeTextSql("spark", column, "__T__");
      return sql === undefined ? [] : [[source, sql]];
    }),
  );
  return `import decimal
import json
import struct
from urllib.parse import unquote

from pyspark.sql import functions as F, types as T

ENTITY = ${py(entity.name)}
SOURCES = ${JSON.stringify(sources)}
ALIASES = ${JSON.stringify(aliases)}
# The sources a part must have: every one when the contract rejects missing columns, else the
# NOT NULL ones. A batch landed under another definition (its manifest's schema fingerprint)
# passed the contract of its time, and a nullable column it lacks may have been added since: it
# must have the NOT NULL ones (REQUIRED) only. UNKNOWN is what becomes of columns the entity
# does not know.
MUST_HAVE = ${JSON.stringify(columns.filter((c) => c.required || entity.contract.missingColumns === "reject").map((c) => c.source))}
REQUIRED = ${JSON.stringify(columns.filter((c) => c.required).map((c) => c.source))}
FINGERPRINT = ${py(schemaFingerprint(entity))}
UNKNOWN = ${py(entity.contract.unknownColumns)}
# A CSV row with fewer fields than its header: quarantined (row.fields_missing), or its missing
# fields NULL (the contract's shortRows: "null").
SHORT_ROWS = ${py(entity.contract.shortRows)}
MANIFEST = ${py(MANIFEST_FILE)}
GROUP_ROWS = ${groupRows}
# The file a row of Parquet files read together came from (see parquet_text).
PATH = "_saleslake_path"
# The column a CSV row's first field past its header's is read into (see read_csv).
EXTRA = ${py(EXTRA_FIELDS)}
MAX_EXTRA = ${MAX_EXTRA_FIELDS}
# A double or float as JavaScript writes the number (14, 12345678.5, 1.5e-7): the SQL the local
# engine runs, on the text of the value's shortest digits (__T__), whose digits (__D__) and
# exponent (__E__) are taken out first.
FLOAT_DIGITS = """${floatPartsSql("__T__").digits}"""
FLOAT_EXPONENT = """${floatPartsSql("__T__").exponent}"""
FLOAT_TEXT = """${floatTextSql("__T__", { digits: "__D__", exponent: "__E__" })}"""
# The SQL writing a typed timestamp, then a date (a Parquet TIMESTAMP or DATE, as a timestamp
# __V__), in the pattern of the date or timestamp column its source feeds alone, NULL when the
# pattern cannot hold it whole: the local engine's, as parquetText uses it.
DATETIME_TEXT = ${JSON.stringify(datetimeText)}
# The SQL writing a database's date or timestamp, landed by Data Factory's Copy as ISO 8601 text
# in UTC (__T__), in the pattern of the date or timestamp column its source feeds alone, NULL when
# the pattern cannot hold it whole: the local engine's, for a batch Copy landed.
ISO_TEXT = ${JSON.stringify(isoText)}
batch_id = params["batch_id"]


def ref(c):
    # A column name as Spark SQL reads it: in backticks, a backtick in it doubled. The names
    # are the landed file's own (a CSV header, JSON keys, Parquet columns): any text at all.
    return "\`" + c.replace("\`", "\`\`") + "\`"


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
            # backslashes kept, the rest as \\xHH (the local engine's, see parquetText).
            escaped = (f"array_join(transform(regexp_extract_all(hex({ref(c)}), '(..)', 1), h -> CASE WHEN "
                       f"conv(h, 16, 10) BETWEEN 32 AND 126 AND h NOT IN ('22', '27', '5C') THEN CAST(unhex(h) AS STRING) "
                       f"ELSE concat('\\\\\\\\x', h) END), '')")
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
    counted = F.size(F.split(F.regexp_replace(F.col(EXTRA), r'"[^"]*(?:""[^"]*)*"', ""), r"\\Q" + sep + r"\\E", -1))
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
    d = r"\\x{%x}" % ord(sep)
    field = '(?:^|' + d + ')("(?:[^"]|"")*"|[^' + d + '"]*)'
    cells = F.transform(F.regexp_extract_all(F.col(EXTRA), F.lit(field), 1),
                        lambda f: F.when(f.startswith('"'), F.regexp_replace(f.substr(F.lit(2), F.length(f) - 2), '""', '"')).otherwise(f))
    brk = manifest["csv"].get("lineBreak") if manifest["csv"].get("quotedNewlines") else None
    if brk:
        cells = F.transform(cells, lambda f: F.regexp_replace(f, brk, "\\n"))
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
        spark.conf.unset("spark.databricks.delta.write.txnVersion")`;
}

/** Replaces text that must be there: a compiler change shows up here, not as a silently unguarded write. */
function replaceOnce(
  statements: string[],
  find: (sql: string) => boolean,
  edit: (sql: string) => string,
  what: string,
) {
  const i = statements.findIndex(find);
  if (i < 0) throw new Error(`notebooks: the Spark compiler no longer emits ${what}`);
  statements[i] = edit(statements[i]!);
}

/**
 * The silver table's physical layout from the schema: partitioning, or liquid clustering
 * (Delta cannot combine both; partitioned tables are Z-ordered by \`clusterBy\` in maintenance),
 * the change data feed for downstream readers, and deletion vectors: a MERGE then marks the rows
 * it replaces instead of rewriting every file they sit in, and a small delta's updates touch files
 * across the whole table. Gold tables keep neither deletion vectors nor any other reader feature:
 * Synapse serverless SQL reads them, and it reads Delta 1.0 tables only.
 */
function silverLayout(entity: Entity): string {
  const cols = (names: readonly string[]) => names.map(q).join(", ");
  const layout =
    entity.partitionBy.length > 0
      ? ` PARTITIONED BY (${cols(entity.partitionBy)})`
      : entity.clusterBy.length > 0
        ? ` CLUSTER BY (${cols(entity.clusterBy)})`
        : "";
  return `${layout} TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true', 'delta.enableDeletionVectors' = 'true')`;
}

/** CHECK constraints of the silver table, as the schema's Delta DDL declares them: name and expression. */
function silverConstraints(entity: Entity): [string, string][] {
  const ddl = tableDdl(entity, "spark", { schema: "${catalog}.silver", unityCatalog: false });
  return [...ddl.matchAll(/^ALTER TABLE .* ADD CONSTRAINT `([^`]+)` CHECK \((.*)\);$/gm)].map((m) => [
    m[1]!,
    m[2]!,
  ]);
}

/** Python that adds missing constraints and replaces changed ones; an unchanged one costs no scan. */
function constraintsCell(entity: Entity): string {
  return `SILVER = Template(${py(table("silver", entity.name))}).safe_substitute(params)
CONSTRAINTS = ${JSON.stringify(Object.fromEntries(silverConstraints(entity)))}
have = {r["key"]: r["value"] for r in spark.sql("SHOW TBLPROPERTIES " + SILVER).collect()}
for name, expr in CONSTRAINTS.items():
    stored = have.get("delta.constraints." + name.lower())
    if stored is not None and re.sub(r"\\s+", "", stored) == re.sub(r"\\s+", "", expr):
        continue
    if stored is not None:
        spark.sql(f"ALTER TABLE {SILVER} DROP CONSTRAINT \`{name}\`")
    spark.sql(f"ALTER TABLE {SILVER} ADD CONSTRAINT \`{name}\` CHECK ({expr})")`;
}

/**
 * Brings tables an earlier definition of the entity or star made to this one, by the local
 * engine's rules (pipeline's evolve-tables.ts): a new column is added (refused when declared
 * NOT NULL and the table holds rows), int → bigint and a decimal with more digits on each side
 * are widened in place (Delta's type widening), a column no longer declared, or now nullable,
 * may be NULL. Any other change is refused, naming table and column, before any table changes.
 */
function evolveCell(tables: readonly TableSpec[]): string {
  const specs = tables.map((t) => [
    t.schema,
    t.name,
    t.columns.map((c) => [c.name, c.type, c.notNull ? 1 : 0]),
  ]);
  return `TABLES = ${JSON.stringify(specs)}


def _canon(type_):
    return re.sub(r"\\s+", "", type_.lower())


def _widens(have, want):
    if have == "int":
        return want == "bigint"
    h = re.fullmatch(r"decimal\\((\\d+),(\\d+)\\)", have)
    w = re.fullmatch(r"decimal\\((\\d+),(\\d+)\\)", want)
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
    spark.sql(f"ALTER TABLE {target} {change}")`;
}

/** The table property naming the key silver's rows were merged by (a JSON list of columns). */
const MERGE_KEY_PROPERTY = "saleslake.merge_key";

/**
 * Silver's rows are merged by the entity's key; under another key a run would merge new rows
 * beside stored rows of the same new key. As the local engine does (saleslake.merge_keys), the
 * bronze notebook refuses an incremental run while silver holds rows merged by another key, and
 * records the key where none is (a first run) or silver is empty; a full refresh rebuilds silver
 * by the new key, and its silver notebook records it (see recordMergeKeyCell). Runs before the
 * evolve cell (which uses its _q), so that a refused run changes no table.
 */
function mergeKeyCell(entity: Entity): string {
  const key = JSON.stringify(entity.key);
  return `def _q(name):
    return "\`" + name.replace("\`", "\`\`") + "\`"


MERGE_KEY = ${py(key)}
_silver = f"{_q(params['catalog'])}.{_q('silver')}.{_q('${entity.name}')}"
_merged_by = {r["key"]: r["value"] for r in spark.sql("SHOW TBLPROPERTIES " + _silver).collect()}.get(${py(MERGE_KEY_PROPERTY)})
if _merged_by is not None and _merged_by != MERGE_KEY and params["full_refresh"] != "true":
    if len(spark.table(_silver).limit(1).collect()) > 0:
        _now, _was = ", ".join(json.loads(MERGE_KEY)), ", ".join(json.loads(_merged_by))
        raise Exception(f"SCHEMA_CHANGE: ${entity.name}: the definition's key is ({_now}); silver's rows were merged by ({_was}), and merging by another key would keep two rows of one key. Rebuild silver and gold by the new key with a full refresh (widget full_refresh = true), or put the key back.")
if _merged_by is None or (_merged_by != MERGE_KEY and params["full_refresh"] != "true"):
    spark.sql(f"ALTER TABLE {_silver} SET TBLPROPERTIES ('${MERGE_KEY_PROPERTY}' = '{MERGE_KEY}')")`;
}

/** After a full refresh rebuilt silver by the definition's key: the key it is merged by now. */
function recordMergeKeyCell(entity: Entity): string {
  const sql = `ALTER TABLE ${table("silver", entity.name)} SET TBLPROPERTIES ('${MERGE_KEY_PROPERTY}' = '${JSON.stringify(entity.key)}')`;
  return `if params["full_refresh"] == "true":
    run(${pySql(sql)})`;
}

/** One notebook per plan step; SQL from the pipeline's Spark compiler, DDL in the bronze notebook. */
export function generateNotebooks(entity: Entity, star?: Star, options: NotebookOptions = {}): Notebook[] {
  const plan: Plan = buildPlan(entity, star);
  const compiler = new SparkCompiler();
  const ctx = sparkNotebookContext();
  const root = options.root ?? DEFAULT_NOTEBOOK_ROOT;
  const groupRows = options.groupRows ?? GROUP_ROWS;
  if (!Number.isSafeInteger(groupRows) || groupRows < 0)
    throw new DatabricksError(
      "INVALID_OPTIONS",
      `groupRows must be a whole number of rows, not ${groupRows}`,
      "Pass a non-negative integer, e.g. 100000; 0 reads every file alone.",
    );
  const ddl = [
    ...["bronze", "silver", "gold", "quarantine", "saleslake"].map(
      (s) => `CREATE SCHEMA IF NOT EXISTS \`\${catalog}\`.\`${s}\``,
    ),
    ...compiler.ddl(plan, ctx).map((s) => s.sql),
  ];
  replaceOnce(
    ddl,
    (sql) =>
      sql.startsWith(`CREATE TABLE IF NOT EXISTS ${table("silver", entity.name)} (`) &&
      sql.endsWith(" USING DELTA"),
    (sql) => `${sql}${silverLayout(entity)}`,
    "the silver table's CREATE TABLE … USING DELTA",
  );
  for (const [i, sql] of ddl.entries()) {
    if (
      sql.startsWith(`CREATE TABLE IF NOT EXISTS ${q("${catalog}")}.${q("gold")}.`) &&
      sql.endsWith(" USING DELTA")
    )
      ddl[i] = `${sql} TBLPROPERTIES ('delta.enableChangeDataFeed' = 'true')`;
  }
  const refresh = sparkNotebookContext("full_refresh");
  const refreshSteps = compiler.compile(plan, refresh);
  return compiler.compile(plan, ctx).map((step, i) => {
    const cells = [header(entity.name, step.id)];
    let statements = step.statements.map(runLine);
    if (step.kind === "bronze") {
      cells.push(ddl.map((sql) => `run(${pySql(sql)})`).join("\n"));
      cells.push(mergeKeyCell(entity));
      cells.push(evolveCell(compiler.tables(plan)));
      cells.push(constraintsCell(entity));
      cells.push(landingCell(entity, groupRows));
      statements = [...statements];
      for (const target of ["quarantine", "bronze"])
        replaceOnce(
          statements,
          (s) =>
            [`run(r"""`, `run("`].some((open) =>
              s.startsWith(`${open}INSERT INTO ${table(target, entity.name)} `),
            ),
          (s) => s.replace(/^run\(/, "write_once("),
          `the ${target} INSERT`,
        );
      skipEmptyWrites(statements, entity);
    }
    const reset = compiler.fullRefreshReset(plan, refresh, step.kind).map(runLine);
    const refreshed = (refreshSteps[i]?.statements ?? []).map(runLine);
    const differs =
      refreshed.length !== step.statements.length ||
      refreshed.some((l, j) => l !== runLine(step.statements[j]!));
    // Bronze loads the run's batch in either mode; its writes are the retry-safe ones above.
    if (differs && step.kind === "bronze") throw new Error("the bronze step of a full refresh differs");
    cells.push(fullRefreshBranch(statements, reset, differs ? refreshed : undefined));
    if (step.kind === "silver") cells.push(recordMergeKeyCell(entity));
    cells.push("dbutils.notebook.exit(json.dumps(counts))");
    return { path: `${root}/${entity.name}/${step.id}`, stepId: step.id, source: `${cells.join(CELL)}\n` };
  });
}

/**
 * The bronze step's counts read before its writes, and each write made only when it has rows:
 * an idempotent write (`write_once`) of no rows is still a Delta commit, one a run on the
 * quarantine table when no row breaks a rule.
 */
function skipEmptyWrites(statements: string[], entity: Entity): void {
  const counts = statements.findIndex((s) => s.endsWith(', "bronze")'));
  const first = statements.findIndex((s) => s.startsWith("write_once("));
  if (counts < 0 || first < 0 || counts < first)
    throw new Error("notebooks: the Spark compiler no longer counts the bronze stage after its writes");
  statements.splice(first, 0, ...statements.splice(counts, 1));
  for (const [target, count] of [
    ["quarantine", "rows_quarantined"],
    ["bronze", "rows_accepted"],
  ] as const)
    replaceOnce(
      statements,
      (s) =>
        [`write_once(r"""`, `write_once("`].some((open) =>
          s.startsWith(`${open}INSERT INTO ${table(target, entity.name)} `),
        ),
      (s) => `if counts["${count}"]:\n    ${s}`,
      `the ${target} write`,
    );
}

const runLine = (s: Statement) => `run(${pySql(s.sql)}${s.label ? `, ${py(s.label)}` : ""})`;

/**
 * A step's statements, and what a full refresh (the widget \`full_refresh\`) runs first (`reset`)
 * and instead of the statements that differ (`instead`, statement by statement): silver emptied
 * and rebuilt from all of bronze, the fact and the daily aggregate emptied before their merge, as
 * the local engine's full refresh does. Bronze and the dimensions run alike in both modes (the
 * batch a full refresh lands loads as any other).
 */
function fullRefreshBranch(
  incremental: readonly string[],
  reset: readonly string[],
  instead: readonly string[] | undefined,
): string {
  const indent = (lines: readonly string[]) => lines.map((l) => `    ${l}`);
  const branch = 'if params["full_refresh"] == "true":';
  if (instead && instead.length !== incremental.length)
    return [branch, ...indent([...reset, ...instead]), "else:", ...indent(incremental)].join("\n");
  const out: string[] = [];
  let pending = [...reset];
  for (let i = 0; i < incremental.length; ) {
    let j = i;
    while (j < incremental.length && instead && instead[j] !== incremental[j]) j++;
    if (j > i) {
      out.push(
        branch,
        ...indent([...pending, ...(instead ?? []).slice(i, j)]),
        "else:",
        ...indent(incremental.slice(i, j)),
      );
    } else {
      if (pending.length > 0) out.push(branch, ...indent(pending));
      out.push(incremental[j++]!);
    }
    pending = [];
    i = j;
  }
  if (pending.length > 0) out.push(branch, ...indent(pending));
  return out.join("\n");
}

/** Unity Catalog names of the state tables (Delta) the commit notebook keeps. */
export const STATE_TABLES = { ledger: "run_ledger", watermarks: "watermarks" } as const;

/**
 * The job's last data step: records the batch in the run ledger (counts reconcile: read =
 * accepted + quarantined) and then advances the watermark, both as MERGEs keyed so that a
 * retry changes nothing. It runs only after every notebook of the batch has succeeded.
 */
export function commitNotebook(entity: Entity, options: NotebookOptions = {}): Notebook {
  const root = options.root ?? DEFAULT_NOTEBOOK_ROOT;
  const ledger = table("saleslake", STATE_TABLES.ledger);
  const marks = table("saleslake", STATE_TABLES.watermarks);
  const name = quoteString("spark", entity.name);
  const sql = [
    `CREATE TABLE IF NOT EXISTS ${ledger} (
  \`entity\` STRING NOT NULL,
  \`batch_id\` STRING NOT NULL,
  \`run_id\` STRING NOT NULL,
  \`rows_read\` BIGINT NOT NULL,
  \`rows_accepted\` BIGINT NOT NULL,
  \`rows_quarantined\` BIGINT NOT NULL,
  \`window_low\` STRING,
  \`window_high\` STRING,
  \`committed_at\` TIMESTAMP NOT NULL
) USING DELTA`,
    `CREATE TABLE IF NOT EXISTS ${marks} (
  \`entity\` STRING NOT NULL,
  \`watermark\` STRING NOT NULL,
  \`batch_id\` STRING NOT NULL,
  \`run_id\` STRING NOT NULL,
  \`updated_at\` TIMESTAMP NOT NULL
) USING DELTA`,
    `MERGE INTO ${ledger} AS t
USING (SELECT ${name} AS entity, '\${batch_id}' AS batch_id, '\${run_id}' AS run_id, a.n + r.n AS rows_read, a.n AS rows_accepted, r.n AS rows_quarantined, nullif('\${window_low}', '') AS window_low, nullif('\${window_high}', '') AS window_high, current_timestamp() AS committed_at
  FROM (SELECT count(*) AS n FROM ${table("bronze", entity.name)} WHERE _batch_id = '\${batch_id}') a
  CROSS JOIN (SELECT count(*) AS n FROM ${table("quarantine", entity.name)} WHERE _batch_id = '\${batch_id}') r) AS s
ON t.entity = s.entity AND t.batch_id = s.batch_id
WHEN NOT MATCHED THEN INSERT *`,
    // The watermark only moves forward: the window's high end, or the batch id for file drops.
    `MERGE INTO ${marks} AS t
USING (SELECT ${name} AS entity, coalesce(nullif('\${window_high}', ''), '\${batch_id}') AS watermark, '\${batch_id}' AS batch_id, '\${run_id}' AS run_id, current_timestamp() AS updated_at) AS s
ON t.entity = s.entity
WHEN MATCHED AND s.watermark > t.watermark THEN UPDATE SET *
WHEN NOT MATCHED THEN INSERT *`,
  ];
  const cells = [
    header(entity.name, COMMIT_STEP),
    `if not params["batch_id"] or not params["run_id"]:
    raise ValueError("commit needs the widgets batch_id and run_id")
${sql.map((s) => `run(${pySql(s)})`).join("\n")}
run(r"""SELECT rows_read, rows_accepted, rows_quarantined FROM ${ledger} WHERE entity = ${name} AND batch_id = '\${batch_id}'""", "commit")
run(r"""SELECT watermark FROM ${marks} WHERE entity = ${name}""", "commit")`,
    "dbutils.notebook.exit(json.dumps(counts))",
  ];
  return {
    path: `${root}/${entity.name}/${COMMIT_STEP}`,
    stepId: COMMIT_STEP,
    source: `${cells.join(CELL)}\n`,
  };
}

/**
 * OPTIMIZE and VACUUM of the entity's tables: liquid-clustered tables are clustered by OPTIMIZE
 * itself, partitioned ones Z-ordered by \`clusterBy\`. VACUUM keeps \`vacuum_retain_hours\`
 * (default 168, Delta's own minimum for safe time travel).
 */
export function maintenanceNotebook(entity: Entity, star?: Star, options: NotebookOptions = {}): Notebook {
  const root = options.root ?? DEFAULT_NOTEBOOK_ROOT;
  const zorder =
    entity.partitionBy.length > 0 && entity.clusterBy.length > 0
      ? ` ZORDER BY (${entity.clusterBy.map(q).join(", ")})`
      : "";
  const tables: [string, string][] = [
    [table("bronze", entity.name), ""],
    [table("quarantine", entity.name), ""],
    [table("silver", entity.name), zorder],
  ];
  if (star) {
    for (const d of star.dimensions) tables.push([table("gold", d.name), ""]);
    tables.push([table("gold", star.fact.name), ""]);
    if (star.dailyAggregate) tables.push([table("gold", star.dailyAggregate.name), ""]);
  }
  const cells = [
    header(entity.name, MAINTENANCE_STEP, MAINTENANCE_PARAMS),
    `retain = int(params["vacuum_retain_hours"] or "168")
counts = {"step": ${py(MAINTENANCE_STEP)}, "tables_optimized": 0, "files_added": 0, "files_removed": 0, "tables_vacuumed": 0}
TABLES = ${JSON.stringify(tables)}
for name, zorder in TABLES:
    target = Template(name).safe_substitute(params)
    if not spark.catalog.tableExists(target.replace("\`", "")):
        continue
    metrics = spark.sql(f"OPTIMIZE {target}{zorder}").collect()[0]["metrics"]
    counts["tables_optimized"] += 1
    counts["files_added"] += int(metrics["numFilesAdded"])
    counts["files_removed"] += int(metrics["numFilesRemoved"])
    spark.sql(f"VACUUM {target} RETAIN {retain} HOURS")
    counts["tables_vacuumed"] += 1`,
    "dbutils.notebook.exit(json.dumps(counts))",
  ];
  return {
    path: `${root}/${entity.name}/${MAINTENANCE_STEP}`,
    stepId: MAINTENANCE_STEP,
    source: `${cells.join(CELL)}\n`,
  };
}
