# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · seal a landing batch
# MAGIC Writes the batch manifest after a Data Factory Copy. Generated; regenerate instead of editing.

# COMMAND ----------

import hashlib, json, re
from datetime import datetime, timezone
from pyspark.sql.functions import sha2

PARAMS = ["lake_root", "entity", "ingest_date", "batch_id", "window_column", "window_low", "window_high", "rows_copied", "source_name", "schema_fingerprint", "columns"]
for _p in PARAMS:
    dbutils.widgets.text(_p, "")
p = {k: dbutils.widgets.get(k) for k in PARAMS}
# The batch's folder is built from these: each must be what the landing contract names.
for _k, _rule in {"entity": r"[a-z][a-z0-9_]{0,63}", "ingest_date": r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "batch_id": r"[0-9]{8}T[0-9]{9}Z-[0-9a-f]{8}"}.items():
    if not re.fullmatch(_rule, p[_k]):
        raise ValueError(f"widget {_k} has a value outside {_rule}: {p[_k]!r}")
if not p["batch_id"].startswith(p["ingest_date"].replace("-", "")):
    raise ValueError(f"widget ingest_date {p['ingest_date']} is not the date of batch {p['batch_id']}")
def zone_root(zone):
    # lake_root is a template: abfss://{zone}@<account>.dfs.core.windows.net (a container per zone)
    # or abfss://<file system>@<account>.dfs.core.windows.net/{zone}; a plain folder holds the zones.
    root = p["lake_root"].rstrip("/")
    return root.replace("{zone}", zone) if "{zone}" in root else f"{root}/{zone}"

folder = f"{zone_root('landing')}/{p['entity']}/ingest_date={p['ingest_date']}/batch={p['batch_id']}"
manifest_path = f"{folder}/_manifest.json"

# COMMAND ----------

# The columns Copy selected, a JSON array: readers take them as the batch's columns, since a key
# the JSON sink leaves out of every row (a column NULL throughout the window) is still a column.
columns = json.loads(p["columns"]) if p["columns"] else None
if columns is not None and (not isinstance(columns, list) or not columns or not all(isinstance(c, str) and c for c in columns)):
    raise Exception(f"widget columns is not a JSON array of column names: {p['columns']}")

def exists(path):
    try:
        dbutils.fs.ls(path)
        return True
    except Exception:
        return False

if exists(manifest_path):
    dbutils.notebook.exit(json.dumps({"sealed": False, "reason": "already sealed", "batch_id": p["batch_id"]}))

# Spark's binaryFile reads a file whole, into one value: under 2 GiB.
BINARY_FILE_MAX_BYTES = 2**31 - 1

def sha256_streamed(path):
    # Streamed through the cluster's file system client in the JVM: Copy writes a window as one
    # part of any size, which neither the driver's memory nor Spark's binaryFile would hold.
    # The session's Hadoop configuration is the one Spark's own reads use (cluster and session
    # settings, storage credentials included).
    jvm = spark._jvm
    p = jvm.org.apache.hadoop.fs.Path(path)
    stream = p.getFileSystem(spark._jsparkSession.sessionState().newHadoopConf()).open(p)
    try:
        return jvm.org.apache.commons.codec.digest.DigestUtils.sha256Hex(stream)
    finally:
        stream.close()

def sha256_of(f):
    try:
        return sha256_streamed(f.path)
    except Exception as jvm_error:
        # Serverless and standard (shared) access mode compute give notebooks no JVM. There an
        # executor hashes the part whole, with Spark's sha2.
        if f.size >= BINARY_FILE_MAX_BYTES:
            raise Exception(
                f"cannot hash {f.path}: it is {f.size} bytes, and without JVM access (serverless or standard "
                "access mode compute) a part is read whole, which needs it under 2 GiB. Run the seal on a "
                f"dedicated (single user) cluster. JVM access failed with {type(jvm_error).__name__}: {str(jvm_error).strip()[:200]}"
            ) from None
        return spark.read.format("binaryFile").load(f.path).select(sha2("content", 256)).first()[0]

parts = sorted(f for f in dbutils.fs.ls(folder) if f.name.startswith("part-"))
if not parts:
    raise Exception(f"no part files in {folder}: nothing was landed")
files = []
for f in parts:
    sha256 = sha256_of(f)
    # A JSON Lines row is a line (a line break inside a value is escaped); Spark counts them in parallel.
    rows = spark.read.text(f.path).count()
    files.append({"path": f.name, "rows": rows, "bytes": f.size, "sha256": sha256})
row_count = sum(f["rows"] for f in files)
if p["rows_copied"] and int(p["rows_copied"]) != row_count:
    raise Exception(f"Copy reported {p['rows_copied']} rows but the part files hold {row_count}")
manifest = {
    "version": 1,
    "entity": p["entity"],
    "batchId": p["batch_id"],
    "landedAt": datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    "source": {"kind": "adf-copy", "name": p["source_name"]},
    "window": {"column": p["window_column"], "low": p["window_low"] or None, "high": p["window_high"]},
    "format": "jsonl",
    "compression": "none",
    "files": files,
    "rowCount": row_count,
    "bytes": sum(f["bytes"] for f in files),
    "contentSha256": hashlib.sha256("".join(f["sha256"] for f in files).encode()).hexdigest(),
    "schemaFingerprint": p["schema_fingerprint"],
}
if columns:
    manifest["columns"] = columns
dbutils.fs.put(manifest_path, json.dumps(manifest, indent=2), overwrite=False)
dbutils.notebook.exit(json.dumps({"sealed": True, "batch_id": p["batch_id"], "rows": row_count}))
