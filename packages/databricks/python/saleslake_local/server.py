"""Runs Databricks SOURCE-format notebooks on one local SparkSession with Delta Lake.

Protocol: one JSON request per line on stdin, one JSON answer per line on stdout.
  {"op": "notebook", "source": "...", "params": {...}}  -> {"ok": true, "exit": "<exit value>"}
      with "jvm": false, the notebook's session refuses JVM access, as on serverless compute;
      with "refusedConfs": [...], it refuses to set those Spark confs
  {"op": "sql", "query": "..."}                           -> {"ok": true, "rows": [...]}
  {"op": "stop"}
Errors answer {"ok": false, "error": "..."}; the process keeps serving.
"""
import datetime
import decimal
import json
import os
import sys
import traceback

from delta import configure_spark_with_delta_pip
from pyspark.sql import SparkSession


class RestrictedSession:
    """The session as restricted compute gives it: with jvm False, no JVM handles, as Spark Connect
    (serverless, standard access mode); refused_confs, Spark confs it will not set."""

    def __init__(self, spark, jvm, refused_confs):
        self._spark = spark
        self._jvm_allowed = jvm
        self._refused = set(refused_confs)

    def __getattr__(self, name):
        if not self._jvm_allowed and name in ("_jvm", "_jsc", "_jsparkSession", "sparkContext"):
            raise AttributeError(f"[JVM_ATTRIBUTE_NOT_SUPPORTED] Attribute `{name}` is not supported in Spark Connect")
        if name == "conf":
            return RestrictedConf(self._spark.conf, self._refused)
        return getattr(self._spark, name)


class RestrictedConf:
    def __init__(self, conf, refused):
        self._conf = conf
        self._refused = refused

    def set(self, key, value):
        if key in self._refused:
            raise Exception(f"[CONFIG_NOT_AVAILABLE] Configuration {key} is not available.")
        return self._conf.set(key, value)

    def __getattr__(self, name):
        return getattr(self._conf, name)


class NotebookExit(Exception):
    def __init__(self, value):
        super().__init__("notebook exit")
        self.value = value


class Widgets:
    def __init__(self, params):
        self.params = dict(params)

    def text(self, name, default="", label=None):
        self.params.setdefault(name, default)

    def dropdown(self, name, default, choices, label=None):
        self.params.setdefault(name, default)

    def get(self, name):
        return self.params[name]

    def getArgument(self, name, default=None):
        return self.params.get(name, default)


class Notebook:
    def exit(self, value):
        raise NotebookExit(value)


class FileInfo:
    def __init__(self, path, name, size):
        self.path = path
        self.name = name
        self.size = size


class Fs:
    """dbutils.fs on local paths: ls names folders with a trailing slash, as Databricks does."""

    @staticmethod
    def _local(path):
        return path[len("file:"):] if path.startswith("file:") else path

    def ls(self, path):
        p = self._local(path)
        if os.path.isfile(p):
            # Databricks lists a file as itself; a path that does not exist raises.
            return [FileInfo(p, os.path.basename(p), os.path.getsize(p))]
        out = []
        for n in sorted(os.listdir(p)):
            full = os.path.join(p, n)
            if os.path.isdir(full):
                out.append(FileInfo(full + "/", n + "/", 0))
            else:
                out.append(FileInfo(full, n, os.path.getsize(full)))
        return out

    def head(self, path, max_bytes=65536):
        with open(self._local(path), "rb") as f:
            return f.read(max_bytes).decode("utf-8", errors="replace")

    def put(self, path, contents, overwrite=False):
        # As on Databricks: refuses to replace a file unless asked to, creates missing folders.
        p = self._local(path)
        if os.path.exists(p) and not overwrite:
            raise FileExistsError(f"{path} already exists")
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(contents)
        return True


class DbUtils:
    def __init__(self, params):
        self.widgets = Widgets(params)
        self.notebook = Notebook()
        self.fs = Fs()


def cells(source):
    body = source.split("\n", 1)[1] if source.startswith("# Databricks notebook source") else source
    for cell in body.split("# COMMAND ----------"):
        lines = [l for l in cell.splitlines() if not l.startswith("# MAGIC")]
        code = "\n".join(lines).strip()
        if code:
            yield code


def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def main():
    # The protocol gets its own copy of stdout; fd 1 then points at stderr, so nothing else that
    # writes there (the JVM, which Delta's VACUUM prints to, or notebook code) can corrupt it.
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    warehouse = os.environ.get("SALESLAKE_SPARK_WAREHOUSE", "spark-warehouse")
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("saleslake-local")
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        # Delta reads its log state with 50 partitions by default: far too many for tiny local tables.
        .config("spark.databricks.delta.snapshotPartitions", "2")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    spark = configure_spark_with_delta_pip(builder).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    sys.stdout = sys.stderr  # notebook prints must not corrupt the protocol
    out.write(json.dumps({"ok": True, "ready": spark.version}) + "\n")
    out.flush()
    for line in sys.stdin:
        req = json.loads(line)
        try:
            if req["op"] == "stop":
                break
            if req["op"] == "sql":
                rows = [{k: plain(v) for k, v in r.asDict().items()} for r in spark.sql(req["query"]).collect()]
                answer = {"ok": True, "rows": rows}
            else:
                jvm, refused = req.get("jvm", True), req.get("refusedConfs", [])
                session = spark if jvm and not refused else RestrictedSession(spark, jvm, refused)
                ns = {"spark": session, "dbutils": DbUtils(req.get("params", {}))}
                exit_value = None
                try:
                    for code in cells(req["source"]):
                        exec(compile(code, "<notebook>", "exec"), ns)
                except NotebookExit as e:
                    exit_value = e.value
                answer = {"ok": True, "exit": exit_value}
        except Exception as e:  # report and keep serving
            answer = {"ok": False, "error": f"{type(e).__name__}: {e}", "trace": traceback.format_exc()[-4000:]}
        out.write(json.dumps(answer, default=str) + "\n")
        out.flush()
    spark.stop()


if __name__ == "__main__":
    main()
