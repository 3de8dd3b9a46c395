import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { LocalLakeStore, landFiles } from "@saleslake/ingest";
import { salesOrderLines } from "@saleslake/schema";
import { BenchError } from "../harness/bench-error.ts";
import type { ContenderOutcome } from "./contender-outcome.ts";

/** Landing alone: streamed checks (encoding, structure, columns), hash, durable copy, manifest. */
export async function landOnly(stateDir: string, file: string): Promise<ContenderOutcome> {
  const t0 = performance.now();
  const r = await landFiles({
    store: new LocalLakeStore(join(stateDir, "lake")),
    entity: salesOrderLines,
    paths: [file],
    force: true,
  });
  return { seconds: (performance.now() - t0) / 1000, counts: { rows: r.rows, bytes: r.bytes } };
}

/** The reference: the same bytes copied with `cp`, then flushed to disk as landing does (no checks, no hash). */
export async function plainCopy(stateDir: string, file: string): Promise<ContenderOutcome> {
  const target = join(stateDir, "copy.csv");
  const t0 = performance.now();
  const r = spawnSync("cp", ["--reflink=never", file, target], { stdio: "inherit" });
  const synced = r.status === 0 ? spawnSync("sync", [target], { stdio: "inherit" }) : r;
  if (synced.status !== 0) {
    throw new BenchError(
      "CONTENDER_FAILED",
      `cp or sync of ${file} failed with status ${synced.status}`,
      "Check free disk space.",
    );
  }
  return { seconds: (performance.now() - t0) / 1000, counts: { bytes: statSync(target).size } };
}
