import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareIncrements, startLocalSpark } from "@saleslake/databricks";
import type { IncrementsResult } from "../harness/bench-results.ts";
import { SPARK_DRIVER_MEMORY } from "./saleslake-spark.ts";

/**
 * The comparison on one local Spark session of its own: the original project's
 * full re-read against saleslake's notebooks, increment by increment.
 */
export async function runIncrementsComparison(rows: {
  readonly baseRows: number;
  readonly deltaRows: number;
}): Promise<IncrementsResult> {
  // Ten increments, as the issue asks.
  const sizes = { increments: 10, ...rows };
  const work = mkdtempSync(join(tmpdir(), "saleslake-bench-increments-"));
  mkdirSync(join(work, "spark"), { recursive: true });
  process.env.PYSPARK_SUBMIT_ARGS = `--driver-memory ${SPARK_DRIVER_MEMORY} pyspark-shell`;
  const spark = await startLocalSpark({ warehouseDir: join(work, "spark") });
  try {
    const r = await compareIncrements({ spark, workDir: work, ...sizes });
    return { baseRows: sizes.baseRows, deltaRows: sizes.deltaRows, ...r };
  } finally {
    await spark.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
