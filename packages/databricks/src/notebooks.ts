import { buildPlan, type Plan, SparkCompiler, sparkNotebookContext } from "@saleslake/pipeline";
import type { Star } from "@saleslake/schema";
import { type Entity, MANIFEST_FILE, mapSourceColumns } from "@saleslake/schema";

export interface Notebook {
  /** Workspace path: `<root>/<entity>/<stepId>`. */
  readonly path: string;
  readonly stepId: string;
  /** Databricks SOURCE format (Python, with `# COMMAND ----------` cells). */
  readonly source: string;
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

const CELL = "\n\n# COMMAND ----------\n\n";

const py = (s: string) => JSON.stringify(s);

function header(entity: string, step: string): string {
  return `# Databricks notebook source
# MAGIC %md
# MAGIC ## saleslake · ${entity} · ${step}
# MAGIC Generated from the saleslake schema; regenerate instead of editing. Parameters arrive as widgets.${CELL}import json
from string import Template

PARAMS = ${JSON.stringify(NOTEBOOK_PARAMS)}
for _p in PARAMS:
    dbutils.widgets.text(_p, "")
params = {p: dbutils.widgets.get(p) for p in PARAMS}
params["catalog"] = params["catalog"] or "main"
counts = {"step": ${py(step)}, "rows_read": 0, "rows_accepted": 0, "rows_quarantined": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0}


def run(sql, label=None):
    rows = spark.sql(Template(sql).safe_substitute(params)).collect()
    if label and rows:
        for k, v in rows[0].asDict().items():
            counts[k] = v if isinstance(v, (int, float, str)) or v is None else str(v)`;
}

/**
 * Reads the landed batch (manifest last, so a half-landed batch is never seen) into the
 * temporary view \`landing_raw\`: every value as text, source names as the schema maps them,
 * with lineage. A batch already in bronze or quarantine is not applied again (retry safety).
 */
function landingCell(entity: Entity): string {
  const sources = [...new Set(entity.columns.flatMap((c) => c.composedFrom?.sources ?? [c.source]))];
  const aliases: Record<string, string[]> = {};
  for (const c of entity.columns) {
    if (c.composedFrom) for (const s of c.composedFrom.sources) aliases[s] = [s];
    else aliases[c.source] = [c.source, ...c.aliases];
  }
  void mapSourceColumns;
  return `import glob, os
from pyspark.sql import functions as F, types as T

ENTITY = ${py(entity.name)}
SOURCES = ${JSON.stringify(sources)}
ALIASES = ${JSON.stringify(aliases)}
UNKNOWN = ${py(entity.contract.unknownColumns)}
batch_id = params["batch_id"]
batch_dirs = glob.glob(os.path.join(params["lake_root"], "landing", ENTITY, "ingest_date=*", "batch=" + batch_id))
if len(batch_dirs) != 1 or not os.path.exists(os.path.join(batch_dirs[0], ${py(MANIFEST_FILE)})):
    raise Exception(f"batch {batch_id} of {ENTITY} is not landed (no manifest)")
manifest = json.load(open(os.path.join(batch_dirs[0], ${py(MANIFEST_FILE)})))
already = spark.sql(Template("SELECT count(*) AS n FROM (SELECT _batch_id FROM \`\${catalog}\`.\`bronze\`.\`" + ENTITY + "\` WHERE _batch_id = '" + batch_id + "' UNION ALL SELECT _batch_id FROM \`\${catalog}\`.\`quarantine\`.\`" + ENTITY + "\` WHERE _batch_id = '" + batch_id + "')").safe_substitute(params)).collect()[0]["n"]
frames = []
for f in manifest["files"]:
    path = os.path.join(batch_dirs[0], f["path"])
    rel = os.path.relpath(path, params["lake_root"])
    if manifest["format"] == "csv":
        df = (spark.read.option("header", True).option("inferSchema", False).option("multiLine", True).option("escape", '"')
              .option("sep", manifest["csv"]["delimiter"]).csv(path))
    elif manifest["format"] == "parquet":
        df = spark.read.parquet(path)
        df = df.select([F.col(c).cast("string").alias(c) for c in df.columns])
    else:
        df = spark.read.option("primitivesAsString", True).option("multiLine", manifest["format"] == "json").json(path)
        df = df.select([(F.to_json(F.col(c)) if isinstance(df.schema[c].dataType, (T.StructType, T.ArrayType)) else F.col(c)).alias(c) for c in df.columns])
    found = {c.strip().lower(): c for c in df.columns}
    cols = []
    used = set()
    for s in SOURCES:
        hit = next((found[a.lower()] for a in ALIASES[s] if a.lower() in found), None)
        if hit is None:
            cols.append(F.lit(None).cast("string").alias(s))
        else:
            used.add(hit)
            cols.append(F.col("\`" + hit + "\`").alias(s))
    unknown = [c for c in df.columns if c not in used]
    rescued = F.to_json(F.struct(*[F.col("\`" + c + "\`") for c in unknown])) if unknown and UNKNOWN == "rescue" else F.lit(None).cast("string")
    # Row numbers follow the file's order: one partition per file read, indexed in order.
    rdd = df.select(*cols, rescued.alias("_rescued_data")).rdd.zipWithIndex().map(lambda p: (*p[0], p[1] + 1))
    schema = T.StructType([T.StructField(s, T.StringType()) for s in SOURCES] + [T.StructField("_rescued_data", T.StringType()), T.StructField("_row_number", T.LongType())])
    frames.append(spark.createDataFrame(rdd, schema).withColumn("_batch_id", F.lit(batch_id)).withColumn("_source_file", F.lit(rel)))
landing = frames[0]
for extra in frames[1:]:
    landing = landing.unionByName(extra)
# A staging view cached over an earlier landing_raw would be re-resolved against the new one.
spark.sql("UNCACHE TABLE IF EXISTS bronze_stage")
spark.sql("DROP VIEW IF EXISTS bronze_stage")
landing.createOrReplaceTempView("landing_raw")
if already:
    dbutils.notebook.exit(json.dumps({**counts, "skipped": "batch already applied"}))`;
}

/** One notebook per plan step; SQL from the pipeline's Spark compiler, DDL in the bronze notebook. */
export function generateNotebooks(entity: Entity, star?: Star, options: { root?: string } = {}): Notebook[] {
  const plan: Plan = buildPlan(entity, star);
  const compiler = new SparkCompiler();
  const ctx = sparkNotebookContext();
  const root = options.root ?? "/Workspace/saleslake";
  const ddl = [
    ...["bronze", "silver", "gold", "quarantine", "saleslake"].map(
      (s) => `CREATE SCHEMA IF NOT EXISTS \`\${catalog}\`.\`${s}\``,
    ),
    ...compiler.ddl(plan, ctx).map((s) => s.sql),
  ];
  return compiler.compile(plan, ctx).map((step) => {
    const cells = [header(entity.name, step.id)];
    if (step.kind === "bronze") {
      cells.push(ddl.map((sql) => `run(r"""${sql}""")`).join("\n"));
      cells.push(landingCell(entity));
    }
    cells.push(
      step.statements.map((s) => `run(r"""${s.sql}"""${s.label ? `, ${py(s.label)}` : ""})`).join("\n"),
    );
    cells.push("dbutils.notebook.exit(json.dumps(counts))");
    return { path: `${root}/${entity.name}/${step.id}`, stepId: step.id, source: `${cells.join(CELL)}\n` };
  });
}
