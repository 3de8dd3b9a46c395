import type { Sitting } from "./bench-journal.ts";
import type { Sample } from "./run-contender.ts";

/** One contender on one case: its samples and their median. */
export interface CellResult {
  /** `initial-10M` or `delta-10k-into-10M`. */
  readonly case: string;
  readonly kind: "initial" | "delta";
  /** Rows in the table before the file is merged (0 for an initial load). */
  readonly base: number;
  /** Rows the case is named for: the delta size (or the base size for an initial load). */
  readonly nominal: number;
  /** Rows in the merged file (duplicates included). */
  readonly rows: number;
  readonly contender: string;
  readonly samples: readonly Sample[];
  /** Median of the samples' work seconds; null when the contender failed. */
  readonly seconds: number | null;
  readonly wallSeconds: number | null;
  /** Largest peak RSS of the samples, MB. */
  readonly peakRssMb: number | null;
  /** `seconds / floor seconds` on the same case. */
  readonly ratioToFloor: number | null;
  readonly counts: Readonly<Record<string, number>>;
  /** Per-step seconds of the median sample, for contenders with steps. */
  readonly steps?: Readonly<Record<string, number>>;
  /** `ok`, or how the counts differ from what the generator wrote. */
  readonly check: string;
  readonly error?: string;
}

export interface IngestResult {
  readonly contender: string;
  readonly bytes: number;
  readonly rows: number;
  readonly seconds: number | null;
  readonly mbPerSecond: number | null;
  readonly peakRssMb: number | null;
  readonly error?: string;
}

export interface TargetResult {
  readonly id: string;
  readonly target: string;
  readonly status: "met" | "missed" | "not measured";
  /** Measured figure and, when missed, by how much and what the profile shows. */
  readonly detail: string;
}

/** The ten-increment comparison on local Spark (see @saleslake/databricks `compareIncrements`). */
export interface IncrementsResult {
  readonly baseRows: number;
  readonly deltaRows: number;
  readonly timings: readonly {
    readonly increment: number;
    readonly rows: number;
    readonly bronzeRows: number;
    readonly original: number;
    readonly saleslake: number;
  }[];
  readonly silverRows: { readonly original: number; readonly saleslake: number };
  readonly distinctKeys: number;
}

export interface BenchResults {
  readonly date: string;
  readonly mode: string;
  readonly commit: string;
  readonly machine: {
    readonly cores: number;
    readonly cpu: string;
    readonly memoryGb: number;
    readonly node: string;
    /** One-minute load average when the run began. */
    readonly loadAverage?: number;
  };
  readonly sizes: {
    readonly bases: readonly number[];
    readonly deltas: readonly number[];
    readonly repeats: number;
    readonly initialRepeated: readonly number[];
    readonly sparkBases: readonly number[];
    /** Absent in results written before the option existed: dlt ran on every base. */
    readonly dltBases?: readonly number[];
    /** Absent in results written before the option existed: then `sparkBases`. */
    readonly pysparkBases?: readonly number[];
    readonly landingBytes: number;
    /** Absent in results written before the option existed: every run was repeated. */
    readonly repeatLimitMinutes?: number;
  };
  /** Present when the run was interrupted and resumed: each sitting's start (the first is `date`). */
  readonly sittings?: readonly Sitting[];
  readonly workload: Readonly<Record<string, number>>;
  readonly contenders: readonly { readonly name: string; readonly does: string }[];
  readonly skipped: readonly { readonly contender: string; readonly reason: string }[];
  readonly cells: readonly CellResult[];
  readonly ingest: readonly IngestResult[];
  readonly targets: readonly TargetResult[];
  readonly notMeasured: readonly string[];
  /** Absent when the comparison did not run (Spark skipped or not asked for). */
  readonly increments?: IncrementsResult;
}

/** Median (the lower middle for an even count). */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

/** The sample whose seconds are the median, so its counts and steps go with the figure. */
export function medianSample<T extends { seconds: number }>(samples: readonly T[]): T {
  const m = median(samples.map((s) => s.seconds));
  return samples.find((s) => s.seconds === m)!;
}
