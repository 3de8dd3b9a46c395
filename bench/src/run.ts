// pnpm bench [--quick] [--contenders a,b] [--bases 1M,10M] [--deltas 10k,1M] [--repeats n] (see USAGE)
// Runs every contender on the same generated files in one run; writes bench/results/.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { basename, dirname, join } from "node:path";
import {
  BENCH_ROOT,
  INGEST_CONTENDERS,
  MERGE_CONTENDERS,
  REPO_ROOT,
} from "./contenders/contender-registry.ts";
import { runIncrementsComparison } from "./contenders/increments-comparison.ts";
import { BenchError } from "./harness/bench-error.ts";
import { BenchJournal } from "./harness/bench-journal.ts";
import { parseBenchArgs } from "./harness/bench-options.ts";
import type { BenchResults, IncrementsResult } from "./harness/bench-results.ts";
import { journalPath, runBench, WORKLOAD_KNOBS } from "./harness/bench-runner.ts";
import { codeFingerprint } from "./harness/code-fingerprint.ts";
import { killRunningContenders } from "./harness/run-contender.ts";
import { markdownReport } from "./report/markdown-report.ts";
import { evaluateTargets } from "./report/performance-targets.ts";
import { keptRunFiles, latestFiles, type ResultFiles } from "./report/result-files.ts";
import { renderScalingChart } from "./report/scaling-chart.ts";
import { ensurePythonEnv } from "./setup/python-env.ts";

function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], {
      cwd: BENCH_ROOT,
      encoding: "utf8",
    }).trim();
  } catch {
    return "unknown";
  }
}

const RESULTS = join(BENCH_ROOT, "results");
const WORK = join(BENCH_ROOT, "work");

/** The JSON, then the chart and the Markdown drawn from it; targets are evaluated afresh. */
function writeReports(measured: BenchResults, files: ResultFiles): void {
  const results = { ...measured, targets: evaluateTargets(measured.cells) };
  mkdirSync(dirname(files.json), { recursive: true });
  writeFileSync(files.json, `${JSON.stringify(results, null, 2)}\n`);
  const merge = results.contenders
    .map((c) => c.name)
    .filter((n) => results.cells.some((c) => c.contender === n));
  writeFileSync(files.png, renderScalingChart(results.cells, results.sizes.deltas, merge));
  writeFileSync(files.md, markdownReport(results, files.chart, basename(files.json)));
  console.error(`bench: wrote ${files.md}, with ${basename(files.json)} and ${basename(files.png)}`);
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (args.reportOnly) {
    const latest = latestFiles(RESULTS);
    writeReports(JSON.parse(readFileSync(latest.json, "utf8")) as BenchResults, latest);
    return;
  }
  let journal: BenchJournal;
  if (args.resume) {
    journal = BenchJournal.resume(journalPath(WORK), codeFingerprint(REPO_ROOT));
    console.error(
      `bench: resuming the run begun ${journal.sittings[0]?.date ?? "earlier"}; only what it had not measured runs`,
    );
  } else {
    if (!args.fresh) BenchJournal.refuseToReplace(journalPath(WORK));
    rmSync(WORK, { recursive: true, force: true });
    journal = BenchJournal.create(journalPath(WORK), codeFingerprint(REPO_ROOT), args);
  }
  const options = journal.options;
  const skipped: { contender: string; reason: string }[] = [];
  const skip = (needs: string) =>
    process.env.SALESLAKE_SKIP_PYTHON === "1"
      ? needs !== "node" && "SALESLAKE_SKIP_PYTHON=1"
      : process.env.SALESLAKE_SKIP_SPARK === "1" && needs === "spark" && "SALESLAKE_SKIP_SPARK=1";
  const pick = (list: typeof MERGE_CONTENDERS) =>
    list.filter((c) => {
      if (!options.contenders.includes(c.name)) return false;
      const why = skip(c.needs);
      if (why) skipped.push({ contender: c.name, reason: `skipped: ${why} is set` });
      return !why;
    });
  const merge = pick(MERGE_CONTENDERS);
  const ingest = pick(INGEST_CONTENDERS);
  for (const s of skipped) console.error(`bench: ${s.contender} ${s.reason}`);
  const notRun = options.notRun?.contenders.length ? options.notRun : undefined;
  if (notRun?.byPreset) console.error(`bench: not run: ${notRun.contenders.join(", ")}: ${notRun.reason}`);
  if (merge.some((c) => c.needs !== "node"))
    ensurePythonEnv({ spark: merge.some((c) => c.needs === "spark") });

  journal.beginSitting({ date: new Date().toISOString(), loadAverage: loadavg()[0] ?? 0 });
  const { cells, ingest: ingestResults } = await runBench({
    options,
    merge,
    ingest,
    workDir: WORK,
    journal,
    signal: interruption.signal,
    log: (line) => console.error(line),
  });
  // The ten-increment comparison runs with the Spark contenders, on a session of its own.
  const notMeasured: string[] = notRun ? [`${notRun.contenders.join(", ")}: ${notRun.reason}`] : [];
  let increments: IncrementsResult | undefined;
  if (merge.some((c) => c.name === "saleslake-spark")) {
    console.error(
      "bench: ten increments, the original approach against saleslake's notebooks, on local Spark",
    );
    let outcome = journal.increments();
    if (outcome === undefined) {
      try {
        outcome = await runIncrementsComparison(options.increments);
      } catch (e) {
        if (interruption.signal.aborted) throw e;
        outcome = { error: (e as Error).message.split("\n")[0]! };
      }
      journal.recordIncrements(outcome);
    }
    if ("error" in outcome) notMeasured.push(`the ten-increment comparison failed: ${outcome.error}`);
    else increments = outcome;
  } else {
    notMeasured.push(
      "the ten-increment comparison: it runs with the saleslake-spark contender, which was not run",
    );
  }
  const sittings = journal.sittings;
  const results: BenchResults = {
    date: sittings[0]!.date,
    mode: options.mode,
    commit: commit(),
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model.trim() ?? "unknown",
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      loadAverage: sittings[0]!.loadAverage,
    },
    sizes: {
      bases: [...options.bases].sort((a, b) => a - b),
      deltas: options.deltas,
      repeats: options.repeats,
      initialRepeated: options.initialRepeated.filter((b) => options.bases.includes(b)),
      sparkBases: options.sparkBases,
      dltBases: options.dltBases,
      pysparkBases: options.pysparkBases,
      landingBytes: ingest.length > 0 ? options.landingBytes : 0,
      repeatLimitMinutes: options.repeatLimitMinutes,
    },
    ...(sittings.length > 1 && { sittings }),
    workload: { seed: options.seed, ...WORKLOAD_KNOBS },
    contenders: [...merge, ...ingest].map((c) => ({ name: c.name, does: c.does })),
    skipped,
    cells,
    ingest: ingestResults,
    targets: [],
    notMeasured,
    ...(increments && { increments }),
  };
  // Only the full preset, every contender run, replaces the published figures.
  const latest = (options.latest ?? options.mode === "full") && skipped.length === 0;
  writeReports(
    results,
    latest
      ? latestFiles(RESULTS)
      : keptRunFiles(RESULTS, { date: results.date, commit: results.commit, mode: options.mode }),
  );
  rmSync(WORK, { recursive: true, force: true });
}

const interruption = new AbortController();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    // Every finished measurement is already in the journal; the one running is dropped.
    interruption.abort();
    killRunningContenders();
    console.error(`bench: interrupted by ${signal}; \`pnpm bench --resume\` continues the run`);
    process.exit(130);
  });
}

try {
  await main();
} catch (e) {
  if (e instanceof BenchError) {
    console.error(`error ${e.code}: ${e.message}\nhint: ${e.hint}`);
    process.exit(e.code === "USAGE" ? 2 : 1);
  }
  throw e;
}
