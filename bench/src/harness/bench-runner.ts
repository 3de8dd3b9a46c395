import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { BENCH_ROOT, type Contender } from "../contenders/contender-registry.ts";
import { writeBaseFile, writeDeltaFile } from "../workload/order-lines-workload.ts";
import type { BenchOptions } from "./bench-options.ts";
import { formatSize } from "./bench-options.ts";
import { type CellResult, type IngestResult, median, medianSample } from "./bench-results.ts";
import { checkCounts, expectedCounts, type MergedFile } from "./expected-counts.ts";
import { runContender, type Sample } from "./run-contender.ts";
import { copyState, restoreState } from "./state-snapshot.ts";

/** Shape of every delta: what the workload knobs are set to. */
export const WORKLOAD_KNOBS = {
  updateShare: 0.5,
  lateShare: 0.01,
  duplicateShare: 0.001,
  invalidShare: 0.001,
};
/** Average bytes of one generated CSV row, to size the landing file. */
const BYTES_PER_ROW = 99;

export interface RunPlan {
  readonly options: BenchOptions;
  readonly merge: readonly Contender[];
  readonly ingest: readonly Contender[];
  /** Scratch folder, removed at the end. Default `bench/work`. */
  readonly workDir?: string;
  readonly log: (line: string) => void;
}

function cell(
  caseId: string,
  file: MergedFile,
  nominal: number,
  rows: number,
  contender: string,
  samples: Sample[],
  error: string | undefined,
): CellResult {
  const base = file.kind === "delta" ? file.base : 0;
  if (samples.length === 0) {
    return {
      case: caseId,
      kind: file.kind,
      base,
      nominal,
      rows,
      contender,
      samples,
      seconds: null,
      wallSeconds: null,
      peakRssMb: null,
      ratioToFloor: null,
      counts: {},
      check: "failed",
      error: error ?? "no sample",
    };
  }
  const m = medianSample(samples);
  return {
    case: caseId,
    kind: file.kind,
    base,
    nominal,
    rows,
    contender,
    samples,
    seconds: m.seconds,
    wallSeconds: median(samples.map((s) => s.wallSeconds)),
    peakRssMb: Math.max(...samples.map((s) => s.peakRssMb)),
    ratioToFloor: null,
    counts: m.counts,
    ...(m.steps && { steps: m.steps }),
    check: checkCounts(m.counts, expectedCounts(contender, file)),
    ...(error !== undefined && { error }),
  };
}

const clock = () => new Date().toISOString().slice(11, 19);

/**
 * Runs every selected contender on the same files. Per table size: each contender loads the
 * base (the initial-load figure), its state is kept as a snapshot, and every delta and repeat
 * starts from a copy of it. Repeats interleave the contenders, so machine noise hits all alike.
 */
export async function runBench(plan: RunPlan): Promise<{ cells: CellResult[]; ingest: IngestResult[] }> {
  const { options, log } = plan;
  const work = plan.workDir ?? join(BENCH_ROOT, "work");
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const timeout = options.timeoutMinutes * 60_000;
  const cells: CellResult[] = [];
  const live = (c: Contender) => join(work, c.name, "live");
  const snapshot = (c: Contender) => join(work, c.name, "snapshot");

  const measure = async (c: Contender, caseId: string, file: string, r: number) => {
    const sample = await runContender(c.launch(live(c), file), `${c.name} on ${caseId}`, timeout);
    log(
      `[${clock()}] ${caseId} ${c.name} #${r + 1}: ${sample.seconds.toFixed(3)} s (wall ${sample.wallSeconds.toFixed(1)} s), peak ${sample.peakRssMb.toFixed(0)} MB`,
    );
    return sample;
  };

  for (const base of options.bases) {
    const baseId = `initial-${formatSize(base)}`;
    log(`[${clock()}] generating ${formatSize(base)} base rows`);
    const baseFile = await writeBaseFile({ rows: base, seed: options.seed }, join(work, `base-${base}.csv`));
    const runs = options.initialRepeated.includes(base) ? options.repeats : 1;
    const contenders = plan.merge.filter((c) =>
      c.needs === "spark"
        ? (c.name === "pyspark-delta" ? options.pysparkBases : options.sparkBases).includes(base)
        : c.needs === "python"
          ? options.dltBases.includes(base)
          : true,
    );
    const samples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
    const errors = new Map<string, string>();
    for (let r = 0; r < runs; r++) {
      for (const c of contenders) {
        if (errors.has(c.name)) continue;
        rmSync(live(c), { recursive: true, force: true });
        try {
          samples.get(c.name)!.push(await measure(c, baseId, baseFile.path, r));
        } catch (e) {
          errors.set(c.name, (e as Error).message);
          log(`[${clock()}] ${baseId} ${c.name} failed: ${(e as Error).message}`);
        }
      }
    }
    const prepared = contenders.filter((c) => !errors.has(c.name));
    for (const c of prepared) {
      rmSync(snapshot(c), { recursive: true, force: true });
      copyState(live(c), snapshot(c));
    }
    for (const c of contenders) {
      cells.push(
        cell(
          baseId,
          { kind: "initial", rows: base },
          base,
          base,
          c.name,
          samples.get(c.name)!,
          errors.get(c.name),
        ),
      );
    }

    for (const delta of options.deltas) {
      const caseId = `delta-${formatSize(delta)}-into-${formatSize(base)}`;
      const d = await writeDeltaFile(
        { base, rows: delta, seed: options.seed, ...WORKLOAD_KNOBS },
        join(work, `delta-${delta}-into-${base}.csv`),
      );
      const deltaSamples = new Map<string, Sample[]>(contenders.map((c) => [c.name, []]));
      const deltaErrors = new Map<string, string>(
        contenders
          .filter((c) => errors.has(c.name))
          .map((c) => [c.name, `no ${baseId} table: ${errors.get(c.name)}`]),
      );
      for (let r = 0; r < options.repeats; r++) {
        for (const c of prepared) {
          if (deltaErrors.has(c.name)) continue;
          restoreState(snapshot(c), live(c));
          try {
            deltaSamples.get(c.name)!.push(await measure(c, caseId, d.path, r));
          } catch (e) {
            deltaErrors.set(c.name, (e as Error).message);
            log(`[${clock()}] ${caseId} ${c.name} failed: ${(e as Error).message}`);
          }
        }
      }
      for (const c of contenders) {
        cells.push(
          cell(
            caseId,
            { kind: "delta", base, tally: d.tally },
            delta,
            d.rows,
            c.name,
            deltaSamples.get(c.name)!,
            deltaErrors.get(c.name),
          ),
        );
      }
      rmSync(d.path, { force: true });
    }
    for (const c of plan.merge) rmSync(join(work, c.name), { recursive: true, force: true });
    rmSync(baseFile.path, { force: true });
  }

  const withRatios = cells.map((c) => {
    const floor = cells.find((f) => f.case === c.case && f.contender === "floor");
    return floor?.seconds && c.seconds !== null ? { ...c, ratioToFloor: c.seconds / floor.seconds } : c;
  });

  const ingest: IngestResult[] = [];
  if (plan.ingest.length > 0 && options.landingBytes > 0) {
    const rows = Math.ceil(options.landingBytes / BYTES_PER_ROW);
    log(`[${clock()}] generating the ${formatSize(rows)}-row landing file`);
    const file = await writeBaseFile({ rows, seed: options.seed }, join(work, "landing.csv"));
    for (const c of plan.ingest) {
      const samples: Sample[] = [];
      let error: string | undefined;
      for (let r = 0; r < options.repeats && error === undefined; r++) {
        rmSync(live(c), { recursive: true, force: true });
        try {
          samples.push(await measure(c, `landing-${Math.round(file.bytes / 1e6)}MB`, file.path, r));
        } catch (e) {
          error = (e as Error).message;
        }
      }
      rmSync(join(work, c.name), { recursive: true, force: true });
      const m = samples.length > 0 ? medianSample(samples) : undefined;
      ingest.push({
        contender: c.name,
        bytes: file.bytes,
        rows: file.rows,
        seconds: m?.seconds ?? null,
        mbPerSecond: m ? file.bytes / 1e6 / m.seconds : null,
        peakRssMb: samples.length > 0 ? Math.max(...samples.map((s) => s.peakRssMb)) : null,
        ...(error !== undefined && { error }),
      });
    }
  }
  rmSync(work, { recursive: true, force: true });
  return { cells: withRatios, ingest };
}
