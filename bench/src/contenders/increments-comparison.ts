import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareIncrements, startLocalSpark } from "@saleslake/databricks";
import type { IncrementsResult } from "../harness/bench-results.ts";
import { SPARK_DRIVER_MEMORY } from "./saleslake-spark.ts";

/** Sizes of the comparison per bench mode: ten increments, as the issue asks. */
export const INCREMENT_SIZES = {
  quick: { increments: 10, baseRows: 20_000, deltaRows: 1_000 },
  full: { increments: 10, baseRows: 200_000, deltaRows: 2_000 },
} as const;

/**
 * The comparison on one local Spark session of its own: the original project's
 * full re-read against saleslake's notebooks, increment by increment.
 */
export async function runIncrementsComparison(mode: "quick" | "full" | "custom"): Promise<IncrementsResult> {
  const sizes = mode === "full" ? INCREMENT_SIZES.full : INCREMENT_SIZES.quick;
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
