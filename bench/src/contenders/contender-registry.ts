import { join } from "node:path";
import type { LaunchCommand } from "../harness/run-contender.ts";

/** The bench package's folder and the repository root. */
export const BENCH_ROOT = new URL("../../", import.meta.url).pathname;
export const REPO_ROOT = join(BENCH_ROOT, "..");
export const VENV_PYTHON = join(REPO_ROOT, ".venv", "bin", "python");

export interface Contender {
  readonly name: string;
  /** One line for the results table legend. */
  readonly does: string;
  /** Needs the project's Python environment (and Java, for Spark). */
  readonly needs: "node" | "python" | "spark";
  readonly launch: (stateDir: string, file: string) => LaunchCommand;
}

const node = (name: string) => (stateDir: string, file: string) => ({
  command: process.execPath,
  args: [join(BENCH_ROOT, "src/contenders/contender-main.ts"), name, stateDir, file],
});

const python = (script: string) => (stateDir: string, file: string) => ({
  command: VENV_PYTHON,
  args: [join(BENCH_ROOT, "python", script), stateDir, file],
  env: { PYTHONPATH: join(BENCH_ROOT, "python") },
});

/**
 * The contender that carries the run on to gold: more work than the floor's merge, so the report
 * shows it in a section of its own, not beside the others.
 */
export const STAR_CONTENDER = "saleslake-star";

/** Merge contenders, in table order; `floor` first, as everything is a ratio to it. */
export const MERGE_CONTENDERS: readonly Contender[] = [
  {
    name: "floor",
    does: "plain DuckDB: `read_csv`, newest row per key (`QUALIFY row_number()`), `MERGE` updating only when newer",
    needs: "node",
    launch: node("floor"),
  },
  {
    name: "saleslake",
    does: "landing → silver on the local engine, from the landed file: parse, every quality rule, quarantine, lineage, merge, ledger. The landing before it (checks, hash, manifest) is timed apart: the landing column below",
    needs: "node",
    launch: node("saleslake"),
  },
  {
    name: STAR_CONTENDER,
    does: "the saleslake run carried on to the sales star: landing → gold (four dimensions, the fact, the daily aggregate) after the same landing → silver; more work than the floor's merge, its gold steps are listed apart",
    needs: "node",
    launch: node("saleslake-star"),
  },
  {
    name: "dlt",
    does: 'dlt 1.31 filesystem source + `read_csv_duckdb`, `write_disposition="merge"`, same primary key, `dedup_sort` on updated_at, into DuckDB',
    needs: "python",
    launch: python("dlt_merge.py"),
  },
  {
    name: "pyspark-delta",
    does: "hand-written PySpark job on local Spark (2 cores, 4 GB driver): newest row per key, Delta `MERGE` updating only when newer",
    needs: "spark",
    launch: python("delta_merge.py"),
  },
  {
    name: "saleslake-spark",
    does: "saleslake's generated Databricks notebooks (bronze, silver) on the same local Spark + Delta, from the landed file (landing timed apart, as for saleslake)",
    needs: "spark",
    launch: node("saleslake-spark"),
  },
];

/** Landing throughput: saleslake's landing next to a plain copy of the same bytes. */
export const INGEST_CONTENDERS: readonly Contender[] = [
  {
    name: "copy",
    does: "`cp` of the file, then `sync` of the copy (no checks, no hash)",
    needs: "node",
    launch: node("copy"),
  },
  {
    name: "landing",
    does: "saleslake `landFiles`: streamed encoding/structure/column checks, SHA-256, fsync'd copy, manifest",
    needs: "node",
    launch: node("landing"),
  },
];

export const ALL_CONTENDERS = [...MERGE_CONTENDERS, ...INGEST_CONTENDERS].map((c) => c.name);
