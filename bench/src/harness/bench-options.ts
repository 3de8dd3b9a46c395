import { ALL_CONTENDERS, INGEST_CONTENDERS, MERGE_CONTENDERS } from "../contenders/contender-registry.ts";
import { BenchError } from "./bench-error.ts";

export interface BenchOptions {
  readonly mode: "quick" | "full" | "custom";
  /**
   * The full preset as it stands, every contender on the sizes and workload: its
   * results are `results/latest.*`. Any other run's are kept apart, in `results/runs/`. Absent
   * in a journal begun before it was kept: a full-mode run then.
   */
  readonly latest?: boolean;
  /** Contenders to run, by name. Default: all; with `--quick`, all but the Spark ones (QUICK_CONTENDERS). */
  readonly contenders: readonly string[];
  /**
   * The contenders left out, and why: `--contenders` did not name them, or the preset left them
   * out (`byPreset`: `--quick`'s Spark contenders). Absent in a journal begun before it was kept.
   */
  readonly notRun?: {
    readonly contenders: readonly string[];
    readonly reason: string;
    readonly byPreset: boolean;
  };
  /** Table sizes (rows) of the scaling curve, in the order they run; each is also an initial load. */
  readonly bases: readonly number[];
  /** Delta sizes (rows) merged into every base. */
  readonly deltas: readonly number[];
  /** Bases the Spark contenders run on: a local Spark run costs about a minute whatever the size. */
  readonly sparkBases: readonly number[];
  /** Bases the hand-written PySpark job runs on. Default: `sparkBases`. */
  readonly pysparkBases: readonly number[];
  /** Bases dlt runs on: it normalizes row by row in Python, about 3,800 rows a second here. */
  readonly dltBases: readonly number[];
  /** Rows of the ten-increment comparison on Spark: the initial load and each increment. */
  readonly increments: { readonly baseRows: number; readonly deltaRows: number };
  /** Bases whose initial load is repeated like the deltas (others run once, as preparation). */
  readonly initialRepeated: readonly number[];
  readonly repeats: number;
  /** Size of the CSV landed for the ingest figures, in bytes (0 = none). */
  readonly landingBytes: number;
  /** Bound on one contender run. */
  readonly timeoutMinutes: number;
  /** A contender whose run of a case took longer runs that case once. */
  readonly repeatLimitMinutes: number;
  readonly seed: number;
  /** Only re-render latest.md and scaling.png from latest.json (no measuring). */
  readonly reportOnly: boolean;
  /** Continue the interrupted run in bench/work with the options it began with. */
  readonly resume: boolean;
  /** Start afresh even over an interrupted run, discarding what it measured. */
  readonly fresh: boolean;
}

export const USAGE = `usage: pnpm bench [--quick] [--contenders a,b] [--bases 1M,10M] [--deltas 10k,1M]
       [--spark-bases 100k] [--pyspark-bases 100k,10M] [--dlt-bases 1M] [--increments 100k:100k] [--repeats n] [--landing-size 2GB]
       [--timeout-minutes n] [--repeat-limit-minutes n] [--seed n]
       pnpm bench --resume        (continue an interrupted run: only what it had not measured runs)
       pnpm bench --fresh ...     (start afresh over an interrupted run, discarding its measurements)
       pnpm bench --report-only   (re-render latest.md and scaling.png from latest.json)
results: the full preset (no option but the two bounds) writes results/latest.*; any other
run writes results/runs/<date>-<commit>-<quick|full|custom>.*, never over an earlier one
contenders: ${ALL_CONTENDERS.join(", ")}`;

/**
 * The sizes of a preset; dlt runs on every base unless the preset names its own, and the
 * hand-written PySpark job where the notebooks do unless it names its own.
 */
interface Preset {
  /** Default: all. */
  readonly contenders?: readonly string[];
  readonly bases: readonly number[];
  readonly dltBases?: readonly number[];
  readonly sparkBases: readonly number[];
  readonly pysparkBases?: readonly number[];
  readonly deltas: readonly number[];
  readonly initialRepeated: readonly number[];
  readonly repeats: number;
  readonly landingBytes: number;
  readonly increments: { readonly baseRows: number; readonly deltaRows: number };
}

/**
 * `--quick` is for development, a couple of minutes: a local Spark run costs a minute or more
 * whatever the size (JVM warm-up, one Spark job per statement), and with them the ten-increment
 * comparison, about 80 notebook runs, took a quick run from under two minutes to 14. `--contenders`
 * names them to run them at the quick sizes.
 */
const QUICK_CONTENDERS = [...MERGE_CONTENDERS, ...INGEST_CONTENDERS]
  .filter((c) => c.needs !== "spark")
  .map((c) => c.name);

const QUICK: Preset = {
  contenders: QUICK_CONTENDERS,
  bases: [20_000, 100_000],
  sparkBases: [100_000],
  deltas: [1_000, 10_000],
  initialRepeated: [100_000],
  repeats: 1,
  landingBytes: 100e6,
  increments: { baseRows: 20_000, deltaRows: 1_000 },
};
/** What the issue asks for: 10M initial, 10k/100k/1M deltas into 1M/10M/30M tables, 2 GB landing. */
const FULL: Preset = {
  // Tables run in this order. The 10M table, the only one all five contenders take (dlt's load
  // of it alone takes 44 min), takes about two hours; the other two about an hour each. A run
  // interrupted inside a table loads that table again on resume (its snapshots are scratch), so
  // the long table runs last: stopped once, the run resumes at its start, not in its middle.
  bases: [1_000_000, 30_000_000, 10_000_000],
  // A notebook run costs 2.5 min on the 1M table and grows with it (one Spark job per
  // statement, on 2 cores): on 30M, its ten runs would take longer than the rest of the preset
  // together. The hand-written PySpark job, at about 1.5 min a delta on 10M, takes the 30M table.
  sparkBases: [1_000_000, 10_000_000],
  pysparkBases: [1_000_000, 10_000_000, 30_000_000],
  // dlt normalizes row by row in Python, about 3,800 rows a second here (44 min for 10M rows):
  // 10M, the table of the target's case, is its largest; a 30M load would outrun the two-hour
  // bound on one run.
  dltBases: [1_000_000, 10_000_000],
  deltas: [10_000, 100_000, 1_000_000],
  initialRepeated: [10_000_000],
  repeats: 3,
  landingBytes: 2e9,
  // Each increment as large as the initial load: the total grows elevenfold over the ten, so a
  // cost that follows the total shows, and one that follows the delta stays flat.
  increments: { baseRows: 200_000, deltaRows: 200_000 },
};

const UNITS: Record<string, number> = { "": 1, k: 1e3, m: 1e6, g: 1e9, kb: 1e3, mb: 1e6, gb: 1e9 };

/** `10k` → 10000, `1M` → 1000000, `2GB` → 2000000000. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([a-z]*)$/i.exec(text.trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new BenchError(
      "USAGE",
      `not a size: ${JSON.stringify(text)}`,
      "Write sizes like 10k, 1M, 30M or 2GB.",
    );
  }
  return Math.round(Number(m[1]) * unit);
}

/** `10000` → `10k`, `30000000` → `30M`. */
export function formatSize(n: number): string {
  if (n >= 1e6 && n % 1e5 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 100 === 0) return `${n / 1e3}k`;
  return String(n);
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick" || a === "--full" || a === "--report-only" || a === "--resume" || a === "--fresh")
      flags.add(a);
    else if (a.startsWith("--") && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith("--")) {
      values.set(a, argv[++i]!);
    } else {
      throw new BenchError("USAGE", `unknown or incomplete option ${a}`, USAGE);
    }
  }
  const known = [
    "--contenders",
    "--bases",
    "--deltas",
    "--repeats",
    "--landing-size",
    "--spark-bases",
    "--dlt-bases",
    "--pyspark-bases",
    "--increments",
    "--timeout-minutes",
    "--repeat-limit-minutes",
    "--seed",
  ];
  for (const k of values.keys()) {
    if (!known.includes(k)) throw new BenchError("USAGE", `unknown option ${k}`, USAGE);
  }
  if (flags.has("--resume") && (values.size > 0 || flags.size > 1)) {
    throw new BenchError(
      "USAGE",
      "--resume takes no other option: the run continues with the options it began with",
      USAGE,
    );
  }
  const base = flags.has("--quick") ? QUICK : FULL;
  const list = (k: string) => values.get(k)?.split(",").map(parseSize);
  const contenders = values.get("--contenders")?.split(",") ?? base.contenders ?? ALL_CONTENDERS;
  const unknown = contenders.filter((c) => !ALL_CONTENDERS.includes(c));
  if (unknown.length > 0) throw new BenchError("USAGE", `unknown contender ${unknown.join(", ")}`, USAGE);
  const bases = list("--bases") ?? base.bases;
  const deltas = list("--deltas") ?? base.deltas;
  const int = (k: string, fallback: number) => {
    const v = values.get(k);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < 1)
      throw new BenchError("USAGE", `${k} needs a whole number ≥ 1`, USAGE);
    return Number(v);
  };
  const sparkBases = [...(list("--spark-bases") ?? (values.has("--bases") ? bases : base.sparkBases))].sort(
    (a, b) => a - b,
  );
  // The PySpark job follows the notebooks when the sizes are given, the preset's own otherwise.
  const pysparkDefault =
    values.has("--bases") || values.has("--spark-bases") ? sparkBases : (base.pysparkBases ?? sparkBases);
  const custom = values.has("--bases") || values.has("--deltas") || values.has("--repeats");
  const named = values.has("--contenders");
  // Bounds on a run's time change no figure; every other option changes what is measured.
  const bounds = new Set(["--timeout-minutes", "--repeat-limit-minutes"]);
  return {
    mode: custom ? "custom" : flags.has("--quick") ? "quick" : "full",
    latest: !flags.has("--quick") && [...values.keys()].every((k) => bounds.has(k)),
    contenders,
    notRun: {
      contenders: ALL_CONTENDERS.filter((c) => !contenders.includes(c)),
      reason: named
        ? "not named by --contenders"
        : `--quick leaves the Spark contenders out (a local Spark run costs a minute or more whatever the size); name them with --contenders to run them, e.g. \`pnpm bench --quick --contenders ${MERGE_CONTENDERS.map((c) => c.name).join(",")}\``,
      byPreset: !named,
    },
    // The preset's order is its run order (above); sizes given on the command line run smallest first.
    bases: values.has("--bases") ? [...bases].sort((a, b) => a - b) : [...base.bases],
    dltBases: [...(list("--dlt-bases") ?? (values.has("--bases") ? bases : (base.dltBases ?? bases)))].sort(
      (a, b) => a - b,
    ),
    sparkBases,
    pysparkBases: [...(list("--pyspark-bases") ?? pysparkDefault)].sort((a, b) => a - b),
    deltas: [...deltas].sort((a, b) => a - b),
    initialRepeated: values.has("--bases") ? [Math.max(...bases)] : base.initialRepeated,
    repeats: int("--repeats", base.repeats),
    landingBytes: values.has("--landing-size") ? parseSize(values.get("--landing-size")!) : base.landingBytes,
    timeoutMinutes: int("--timeout-minutes", 120),
    repeatLimitMinutes: int("--repeat-limit-minutes", 10),
    seed: int("--seed", 7),
    reportOnly: flags.has("--report-only"),
    resume: flags.has("--resume"),
    fresh: flags.has("--fresh"),
    increments: values.has("--increments") ? parseIncrements(values.get("--increments")!) : base.increments,
  };
}

/** `100k:10k` → an initial load of 100k rows, then increments of 10k. */
function parseIncrements(text: string): { baseRows: number; deltaRows: number } {
  const [b, d, ...rest] = text.split(":");
  if (b === undefined || d === undefined || rest.length > 0) {
    throw new BenchError("USAGE", `--increments needs BASE:DELTA, got ${JSON.stringify(text)}`, USAGE);
  }
  return { baseRows: parseSize(b), deltaRows: parseSize(d) };
}
