import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_ROOT, type Contender } from "../contenders/contender-registry.ts";
import { writeBaseFile, writeDeltaFile } from "../workload/order-lines-workload.ts";
import { BenchError } from "./bench-error.ts";
import type { BenchJournal } from "./bench-journal.ts";
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
  /** Scratch folder: generated files, contenders' state, snapshots. Default `bench/work`. */
  readonly workDir?: string;
  readonly log: (line: string) => void;
  /** Where every finished measurement goes, and where a resumed run finds the earlier ones. */
  readonly journal: BenchJournal;
  /** Stops the run before its next measurement (and a measurement it cut short is not kept). */
  readonly signal?: AbortSignal;
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

/** The table a case belongs to: the loaded rows of an initial load, the base of a delta. */
const tableOf = (c: CellResult) => (c.kind === "delta" ? c.base : c.rows);

const clock = () => new Date().toISOString().slice(11, 19);

/** Marks a snapshot whose copy finished: a run interrupted mid-copy leaves none. */
const SNAPSHOT_DONE = ".bench-snapshot-complete";

/** The journal of the run in `workDir`, where `pnpm bench --resume` finds it. */
export const journalPath = (workDir: string) => join(workDir, "journal.jsonl");

/**
 * Whether a contender runs a case again: it has had fewer runs than planned, and none of them
 * took longer than the repeat limit. A run that long varies by a few percent at
 * most, and three of dlt's 44-minute loads would cost two hours of the same figure.
 */
function needsMore(samples: readonly Sample[], planned: number, limitSeconds: number): boolean {
  return samples.length < planned && !samples.some((s) => s.wallSeconds > limitSeconds);
}

/** The failures the journal holds for a case, by contender. */
function journalErrors(
  journal: BenchJournal,
  caseId: string,
  contenders: readonly Contender[],
): Map<string, string> {
  const errors = new Map<string, string>();
  for (const c of contenders) {
    const e = journal.error(caseId, c.name);
    if (e !== undefined) errors.set(c.name, e);
  }
  return errors;
}

/**
 * Runs every selected contender on the same files. Per table size: each contender loads the
 * base (the initial-load figure), its state is kept as a snapshot, and every delta and repeat
 * starts from a copy of it. Repeats interleave the contenders, so machine noise hits all alike.
 * Every finished measurement goes to the journal at once; a resumed run takes what the journal
 * holds and measures the rest (snapshots stay in the work folder until their table is done).
 */
export async function runBench(plan: RunPlan): Promise<{ cells: CellResult[]; ingest: IngestResult[] }> {
  const { options, log, journal } = plan;
  const work = plan.workDir ?? join(BENCH_ROOT, "work");
  mkdirSync(work, { recursive: true });
  const timeout = options.timeoutMinutes * 60_000;
  const limitSeconds = options.repeatLimitMinutes * 60;
  const cells: CellResult[] = [];
  const live = (c: Contender) => join(work, c.name, "live");
  const snapshot = (c: Contender, base: number) => join(work, c.name, `snapshot-${base}`);
  const interrupted = () =>
    new BenchError(
      "INTERRUPTED",
      "the run was interrupted",
      "Resume it with pnpm bench --resume: what it measured is kept, only the rest runs.",
    );

  const measure = async (c: Contender, caseId: string, file: string, r: number) => {
    if (plan.signal?.aborted) throw interrupted();
    let sample: Sample;
    try {
      sample = await runContender(c.launch(live(c), file), `${c.name} on ${caseId}`, timeout);
    } catch (e) {
      // A contender killed by the interruption has not failed.
      throw plan.signal?.aborted ? interrupted() : e;
    }
    journal.recordSample(caseId, c.name, sample);
    log(
      `[${clock()}] ${caseId} ${c.name} #${r + 1}: ${sample.seconds.toFixed(3)} s (wall ${sample.wallSeconds.toFixed(1)} s), peak ${sample.peakRssMb.toFixed(0)} MB`,
    );
    return sample;
  };
  /** A contender's failure on a case, kept in the journal (a resumed run does not retry it). */
  const failed = (errors: Map<string, string>, caseId: string, c: Contender, e: unknown) => {
    if (e instanceof BenchError && e.code === "INTERRUPTED") throw e;
    const message = (e as Error).message;
    errors.set(c.name, message);
    journal.recordError(caseId, c.name, message);
    log(`[${clock()}] ${caseId} ${c.name} failed: ${message}`);
  };
  const keep = (c: Contender, base: number) => {
    const dir = snapshot(c, base);
    rmSync(dir, { recursive: true, force: true });
    copyState(live(c), dir);
    writeFileSync(join(dir, SNAPSHOT_DONE), "");
  };

  for (const base of options.bases) {
    const baseId = `initial-${formatSize(base)}`;
    const deltaIds = options.deltas.map((d) => `delta-${formatSize(d)}-into-${formatSize(base)}`);
    const runs = options.initialRepeated.includes(base) ? options.repeats : 1;
    const contenders = plan.merge.filter((c) =>
      c.needs === "spark"
        ? (c.name === "pyspark-delta" ? options.pysparkBases : options.sparkBases).includes(base)
        : c.needs === "python"
          ? options.dltBases.includes(base)
          : true,
    );
    const samples = new Map(contenders.map((c) => [c.name, journal.samples(baseId, c.name)]));
    const errors = journalErrors(journal, baseId, contenders);
    const initialPending = (c: Contender) =>
      !errors.has(c.name) && needsMore(samples.get(c.name)!, runs, limitSeconds);
    // The journal's delta samples do not change until the deltas run: read them once.
    const withDeltasToRun = new Set(
      contenders
        .filter((c) =>
          deltaIds.some(
            (id) =>
              journal.error(id, c.name) === undefined &&
              needsMore(journal.samples(id, c.name), options.repeats, limitSeconds),
          ),
        )
        .map((c) => c.name),
    );
    const deltasPending = (c: Contender) => !errors.has(c.name) && withDeltasToRun.has(c.name);
    const unprepared = (c: Contender) =>
      deltasPending(c) && !existsSync(join(snapshot(c, base), SNAPSHOT_DONE));

    let baseFile: string | undefined;
    if (contenders.some((c) => initialPending(c) || unprepared(c))) {
      log(`[${clock()}] generating ${formatSize(base)} base rows`);
      baseFile = (await writeBaseFile({ rows: base, seed: options.seed }, join(work, `base-${base}.csv`)))
        .path;
    }
    for (let r = 0; r < runs; r++) {
      for (const c of contenders) {
        const s = samples.get(c.name)!;
        if (errors.has(c.name) || s.length > r || !initialPending(c)) continue;
        rmSync(live(c), { recursive: true, force: true });
        try {
          s.push(await measure(c, baseId, baseFile!, r));
        } catch (e) {
          failed(errors, baseId, c, e);
          continue;
        }
        if (!initialPending(c) && deltaIds.length > 0) keep(c, base);
      }
    }
    // A resumed run whose snapshot was lost (interrupted while it was copied) loads the table again.
    for (const c of contenders.filter(unprepared)) {
      log(
        `[${clock()}] ${baseId} ${c.name}: loading the table again for the deltas (its snapshot was not kept)`,
      );
      rmSync(live(c), { recursive: true, force: true });
      try {
        if (plan.signal?.aborted) throw interrupted();
        await runContender(c.launch(live(c), baseFile!), `${c.name} on ${baseId}`, timeout);
        keep(c, base);
      } catch (e) {
        failed(errors, baseId, c, plan.signal?.aborted ? interrupted() : e);
      }
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

    for (const [i, delta] of options.deltas.entries()) {
      const caseId = deltaIds[i]!;
      const deltaSamples = new Map(contenders.map((c) => [c.name, journal.samples(caseId, c.name)]));
      const deltaErrors = journalErrors(journal, caseId, contenders);
      for (const [name, e] of errors) deltaErrors.set(name, `no ${baseId} table: ${e}`);
      const pending = (c: Contender) =>
        !deltaErrors.has(c.name) && needsMore(deltaSamples.get(c.name)!, options.repeats, limitSeconds);
      let file = journal.deltaFile(caseId);
      let path: string | undefined;
      if (file === undefined || contenders.some(pending)) {
        const d = await writeDeltaFile(
          { base, rows: delta, seed: options.seed, ...WORKLOAD_KNOBS },
          join(work, `delta-${delta}-into-${base}.csv`),
        );
        if (file === undefined) journal.recordDeltaFile(caseId, d.rows, d.tally);
        file = { rows: d.rows, tally: d.tally };
        path = d.path;
      }
      for (let r = 0; r < options.repeats; r++) {
        for (const c of contenders) {
          const s = deltaSamples.get(c.name)!;
          if (s.length > r || !pending(c)) continue;
          restoreState(snapshot(c, base), live(c));
          try {
            s.push(await measure(c, caseId, path!, r));
          } catch (e) {
            failed(deltaErrors, caseId, c, e);
          }
        }
      }
      for (const c of contenders) {
        cells.push(
          cell(
            caseId,
            { kind: "delta", base, tally: file.tally },
            delta,
            file.rows,
            c.name,
            deltaSamples.get(c.name)!,
            deltaErrors.get(c.name),
          ),
        );
      }
      if (path) rmSync(path, { force: true });
    }
    // Only this table's: a resumed run walks the finished tables again, and a larger table's
    // snapshots must outlive that.
    for (const c of plan.merge) {
      rmSync(live(c), { recursive: true, force: true });
      rmSync(snapshot(c, base), { recursive: true, force: true });
    }
    if (baseFile) rmSync(baseFile, { force: true });
  }

  // Smallest table first in the results, whatever order the tables ran in (a stable sort keeps
  // each table's initial load ahead of its deltas).
  cells.sort((a, b) => tableOf(a) - tableOf(b));
  const withRatios = cells.map((c) => {
    const floor = cells.find((f) => f.case === c.case && f.contender === "floor");
    return floor?.seconds && c.seconds !== null ? { ...c, ratioToFloor: c.seconds / floor.seconds } : c;
  });

  const ingest: IngestResult[] = [];
  if (plan.ingest.length > 0 && options.landingBytes > 0) {
    const rows = Math.ceil(options.landingBytes / BYTES_PER_ROW);
    let file: { path: string; bytes: number; rows: number } | undefined;
    for (const c of plan.ingest) {
      const done = journal.ingest(c.name);
      if (done) {
        ingest.push(done);
        continue;
      }
      if (!file) {
        log(`[${clock()}] generating the ${formatSize(rows)}-row landing file`);
        file = await writeBaseFile({ rows, seed: options.seed }, join(work, "landing.csv"));
      }
      const samples: Sample[] = [];
      let error: string | undefined;
      for (let r = 0; r < options.repeats && error === undefined; r++) {
        rmSync(live(c), { recursive: true, force: true });
        try {
          samples.push(await measure(c, `landing-${Math.round(file.bytes / 1e6)}MB`, file.path, r));
        } catch (e) {
          if (e instanceof BenchError && e.code === "INTERRUPTED") throw e;
          error = (e as Error).message;
        }
      }
      rmSync(join(work, c.name), { recursive: true, force: true });
      const m = samples.length > 0 ? medianSample(samples) : undefined;
      const result: IngestResult = {
        contender: c.name,
        bytes: file.bytes,
        rows: file.rows,
        seconds: m?.seconds ?? null,
        mbPerSecond: m ? file.bytes / 1e6 / m.seconds : null,
        peakRssMb: samples.length > 0 ? Math.max(...samples.map((s) => s.peakRssMb)) : null,
        ...(error !== undefined && { error }),
      };
      journal.recordIngest(result);
      ingest.push(result);
    }
    if (file) rmSync(file.path, { force: true });
  }
  return { cells: withRatios, ingest };
}
