// pnpm bench [--quick] [--contenders floor,saleslake]
// Runs every contender on the same generated files, in one run, and writes bench/results/.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { generateWorkload } from "./workload.ts";

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const only = args.includes("--contenders")
  ? args[args.indexOf("--contenders") + 1]!.split(",")
  : ["floor", "saleslake", "pyspark-delta"];
if (only.includes("pyspark-delta")) {
  execFileSync("bash", [new URL("../../scripts/python-env.sh", import.meta.url).pathname], {
    stdio: "inherit",
  });
}
const root = new URL("..", import.meta.url).pathname;
const work = join(root, "work");
const repeats = quick ? 1 : 3;

interface Sample {
  name: string;
  phase: string;
  seconds: number;
  peakRssMb: number | null;
  counts: Record<string, number>;
}

/** (base rows, delta rows) cases: the initial load, a large delta, a small delta. */
const cases = quick
  ? [
      { id: "initial-200k", base: 0, delta: 200_000 },
      { id: "delta-20k-into-200k", base: 200_000, delta: 20_000 },
      { id: "delta-1k-into-200k", base: 200_000, delta: 1_000 },
    ]
  : [
      { id: "initial-2M", base: 0, delta: 2_000_000 },
      { id: "delta-200k-into-2M", base: 2_000_000, delta: 200_000 },
      { id: "delta-10k-into-2M", base: 2_000_000, delta: 10_000 },
    ];

function contender(name: string, state: string, csv: string, phase: string): Sample {
  const out = execFileSync(process.execPath, [join(root, "src/contender.ts"), name, state, csv, phase], {
    encoding: "utf8",
    maxBuffer: 1 << 20,
  });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Sample;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results: {
  case: string;
  contender: string;
  seconds: number;
  peakRssMb: number | null;
  counts: Record<string, number>;
  ratioToFloor?: number;
}[] = [];

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
for (const c of cases) {
  const basePath = join(work, `${c.id}-base.csv`);
  const deltaPath = join(work, `${c.id}-delta.csv`);
  await generateWorkload({ base: c.base, delta: c.delta, seed: 7 }, basePath, deltaPath);
  for (const name of only) {
    const samples: Sample[] = [];
    for (let i = 0; i < repeats; i++) {
      const state = join(work, `${c.id}-${name}-${i}`);
      if (c.base > 0) contender(name, state, basePath, "prepare");
      samples.push(contender(name, state, deltaPath, "measured"));
      rmSync(state, { recursive: true, force: true });
    }
    const s = samples[Math.floor(samples.length / 2)]!;
    results.push({
      case: c.id,
      contender: name,
      seconds: median(samples.map((x) => x.seconds)),
      peakRssMb: s.peakRssMb,
      counts: s.counts,
    });
    console.log(
      `${c.id.padEnd(24)} ${name.padEnd(10)} ${median(samples.map((x) => x.seconds)).toFixed(3)} s  peak ${s.peakRssMb?.toFixed(0)} MB`,
    );
  }
}
for (const r of results) {
  const f = results.find((x) => x.case === r.case && x.contender === "floor");
  if (f) r.ratioToFloor = r.seconds / f.seconds;
}

const machine = { cores: cpus().length, memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version };
const mode = quick ? "quick" : "full";
mkdirSync(join(root, "results"), { recursive: true });
writeFileSync(
  join(root, "results", "latest.json"),
  `${JSON.stringify({ date: new Date().toISOString(), mode, machine, repeats, results }, null, 2)}\n`,
);
const rows = results.map(
  (r) =>
    `| ${r.case} | ${r.contender} | ${r.seconds.toFixed(3)} | ${r.ratioToFloor?.toFixed(2) ?? "–"}× | ${r.peakRssMb?.toFixed(0) ?? "–"} | ${Object.entries(
      r.counts,
    )
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} |`,
);
writeFileSync(
  join(root, "results", "latest.md"),
  `# Benchmark results (${mode} mode)

Machine: ${machine.cores} cores, ${machine.memoryGb} GiB, Node ${machine.node}. Median of ${repeats} run(s) per cell; each
contender runs in its own process on the same generated files (sales order lines, seed 7, half
updates in a delta, 1% late rows, 0.1% duplicates). "saleslake" is the whole step — landing
with checks and manifest, parse, every quality rule, quarantine, lineage, merge, ledger — and
"floor" is plain DuckDB \`read_csv\` + \`MERGE\` of the same rows; "pyspark-delta" is a
hand-written PySpark job on local Spark (2 cores) doing the same dedupe + Delta \`MERGE\` (its
session start is not counted).

Not measured in this run: dlt (needs its own Python packages, not installed by the project yet),
saleslake's generated notebooks on local Spark (their correctness is proven by the parity
suite in packages/databricks; their speed is not yet measured), the 2 GB landing throughput.

| case | contender | seconds | ratio to floor | peak RSS (MB) | counts |
|---|---|---|---|---|---|
${rows.join("\n")}

Regenerate with \`pnpm bench\` (or \`pnpm bench --quick\`).
`,
);
console.log(`wrote ${join(root, "results", "latest.md")}`);
rmSync(work, { recursive: true, force: true });
