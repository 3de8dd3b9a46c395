import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { generateNotebooks, type LocalSpark, startLocalSpark } from "@saleslake/databricks";
import { LocalLakeStore, landFiles } from "@saleslake/ingest";
import { salesOrderLines } from "@saleslake/schema";
import { LANDING_STEP } from "../report/performance-targets.ts";
import type { ContenderOutcome } from "./contender-outcome.ts";

/** Driver memory of the local Spark session. Default `4g`, the same for every Spark contender. */
export const SPARK_DRIVER_MEMORY = process.env.BENCH_SPARK_DRIVER_MEMORY ?? "4g";

/**
 * The local session keeps its catalog in memory, so a new session does not know the Delta
 * tables a previous one wrote; register them again, as a persistent metastore would.
 */
async function reattachTables(spark: LocalSpark, warehouseDir: string): Promise<void> {
  const ident = /^[a-z_][a-z0-9_]*$/;
  for (const db of readdirSync(warehouseDir).filter((d) => d.endsWith(".db"))) {
    const schema = db.slice(0, -3);
    if (!ident.test(schema)) continue;
    await spark.sql(`CREATE SCHEMA IF NOT EXISTS spark_catalog.\`${schema}\``);
    for (const table of readdirSync(join(warehouseDir, db))) {
      const location = join(warehouseDir, db, table);
      if (!ident.test(table) || !existsSync(join(location, "_delta_log"))) continue;
      await spark.sql(
        `CREATE TABLE IF NOT EXISTS spark_catalog.\`${schema}\`.\`${table}\` USING DELTA LOCATION '${location.replace(/'/g, "\\'")}'`,
      );
    }
  }
}

/**
 * saleslake's generated Databricks notebooks (bronze, then silver) on a local Spark + Delta
 * session, over the file landed the same way as on the local engine. The session start is
 * not counted, as a Databricks job cluster is already up when its tasks run.
 */
export async function saleslakeSpark(stateDir: string, file: string): Promise<ContenderOutcome> {
  const lakeRoot = join(stateDir, "lake");
  const warehouseDir = join(stateDir, "spark");
  mkdirSync(warehouseDir, { recursive: true });
  // The harness's session has no memory option; spark-submit reads this instead.
  process.env.PYSPARK_SUBMIT_ARGS = `--driver-memory ${SPARK_DRIVER_MEMORY} pyspark-shell`;
  const spark = await startLocalSpark({ warehouseDir });
  try {
    await reattachTables(spark, warehouseDir);
    const t0 = performance.now();
    const landed = await landFiles({
      store: new LocalLakeStore(lakeRoot),
      entity: salesOrderLines,
      paths: [file],
      force: true,
    });
    const t1 = performance.now();
    const steps: Record<string, number> = { [LANDING_STEP]: (t1 - t0) / 1000 };
    const counts: Record<string, number> = {};
    const notebooks = generateNotebooks(salesOrderLines).filter(
      (n) => n.stepId === "bronze" || n.stepId === "silver",
    );
    for (const nb of notebooks) {
      const s0 = performance.now();
      const exit = await spark.runNotebook(nb.source, {
        run_id: `bench-${landed.batchId}`,
        batch_id: landed.batchId,
        window_low: "",
        window_high: "",
        catalog: "spark_catalog",
        lake_root: lakeRoot,
        full_refresh: "false",
      });
      steps[nb.stepId] = (performance.now() - s0) / 1000;
      const c = JSON.parse(exit ?? "{}") as Record<string, unknown>;
      if (nb.stepId === "bronze") {
        counts.read = Number(c.rows_read ?? 0);
        counts.quarantined = Number(c.rows_quarantined ?? 0);
      } else {
        counts.inserted = Number(c.rows_inserted ?? 0);
        counts.updated = Number(c.rows_updated ?? 0);
        counts.stale = Number(c.rows_stale ?? 0);
        counts.superseded = Number(c.rows_superseded ?? 0);
      }
    }
    // Landing→silver, as for the local engine: the landing is in `steps.landing`.
    return { seconds: (performance.now() - t1) / 1000, counts, steps };
  } finally {
    await spark.stop();
  }
}
