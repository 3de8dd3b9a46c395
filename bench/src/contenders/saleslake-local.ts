import { join } from "node:path";
import { LocalLakeStore, landFiles } from "@saleslake/ingest";
import { runPipeline } from "@saleslake/pipeline";
import { type Star, salesOrderLines, salesOrderStar } from "@saleslake/schema";
import { BenchError } from "../harness/bench-error.ts";
import { LANDING_STEP } from "../report/performance-targets.ts";
import type { ContenderOutcome } from "./contender-outcome.ts";

/**
 * saleslake on the local engine: land the file (streamed checks, hash, manifest), then the
 * landing→silver run — parse, every quality rule, quarantine, lineage, merge, ledger. `seconds`
 * is the run, the span the floor ratio is defined on (landing→silver); the landing that
 * precedes it is ingest's work and is reported apart, as `steps.landing`.
 */
export async function saleslakeLocal(
  stateDir: string,
  file: string,
  stars: readonly Star[] = [],
): Promise<ContenderOutcome> {
  const t0 = performance.now();
  await landFiles({
    store: new LocalLakeStore(join(stateDir, "lake")),
    entity: salesOrderLines,
    paths: [file],
    force: true,
  });
  const landed = performance.now();
  const { runs } = await runPipeline({ dir: stateDir, entities: [salesOrderLines], stars: [...stars] });
  const run = runs[0];
  if (run?.status !== "succeeded") {
    throw new BenchError(
      "CONTENDER_FAILED",
      "the saleslake run found no batch to process",
      "Check that landing succeeded.",
    );
  }
  const steps: Record<string, number> = { [LANDING_STEP]: (landed - t0) / 1000 };
  for (const s of run.steps) steps[s.step] = s.durationMs / 1000;
  return {
    seconds: (performance.now() - landed) / 1000,
    counts: {
      read: run.rowsRead,
      quarantined: run.rowsQuarantined,
      inserted: run.rowsInserted,
      updated: run.rowsUpdated,
      stale: run.rowsStale,
      superseded: run.rowsSuperseded,
    },
    steps,
  };
}

/**
 * The same run carried on to the sales star (four dimensions, the fact, the daily aggregate):
 * what a delta costs a user who reports on the table, each gold step in `steps`.
 */
export function saleslakeStar(stateDir: string, file: string): Promise<ContenderOutcome> {
  return saleslakeLocal(stateDir, file, [salesOrderStar]);
}
