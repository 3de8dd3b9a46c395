import { STAR_CONTENDER } from "../contenders/contender-registry.ts";
import { formatSize } from "../harness/bench-options.ts";
import type { BenchResults, CellResult } from "../harness/bench-results.ts";
import { LANDING_STEP } from "./performance-targets.ts";

const sec = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));

/** Runs planned for a cell: the repeats, or one for an initial load that only prepares the table. */
function plannedRuns(r: BenchResults, c: CellResult): number {
  return c.kind === "delta" || r.sizes.initialRepeated.includes(c.nominal) ? r.sizes.repeats : 1;
}

function cellText(r: BenchResults, c: CellResult | undefined): string {
  if (!c) return "–";
  if (c.seconds === null) return `failed${c.error ? `: ${c.error.split("\n")[0]!.slice(0, 80)}` : ""}`;
  const ratio = c.ratioToFloor === null ? "" : ` (${c.ratioToFloor.toFixed(2)}×)`;
  const n = c.samples.length;
  const runs = n < plannedRuns(r, c) ? ` · ${n} run${n === 1 ? "" : "s"}` : "";
  return `${sec(c.seconds)} s${ratio} · ${c.peakRssMb?.toFixed(0) ?? "–"} MB${runs}${c.check === "ok" ? "" : " ⚠"}`;
}

/** When the run was resumed, and which cells ran fewer times than planned. */
function sittingsAndLimits(r: BenchResults): string {
  const parts: string[] = [];
  if (r.sittings && r.sittings.length > 1) {
    const list = r.sittings
      .map((s) => `${s.date.slice(0, 16).replace("T", " ")} (load ${s.loadAverage.toFixed(2)})`)
      .join(", ");
    parts.push(
      ` The run was interrupted and resumed, on the same code: it ran in ${r.sittings.length} sittings, begun ${list} (the runs of one case can span two sittings; the load average of each is above).`,
    );
  }
  const short = r.cells.filter((c) => c.seconds !== null && c.samples.length < plannedRuns(r, c));
  if (short.length > 0 && r.sizes.repeatLimitMinutes !== undefined) {
    parts.push(
      ` A contender whose run took longer than ${r.sizes.repeatLimitMinutes} min was not run again on that case (its cell shows how many runs it had): ${short.map((c) => `${c.contender} on ${c.case}`).join(", ")}.`,
    );
  }
  return parts.join("");
}

const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");

/** Which tables the Spark contenders ran on, when not on all of them. */
function sparkNote(r: BenchResults): string {
  const sizes = (b: readonly number[]) => b.map(formatSize).join(", ");
  const spark = r.sizes.sparkBases;
  const py = r.sizes.pysparkBases ?? spark;
  if (sizes(py) === sizes(spark)) {
    return spark.length < r.sizes.bases.length
      ? ` The Spark contenders ran on tables of ${sizes(spark)} only.`
      : "";
  }
  return ` saleslake-spark ran on tables of ${sizes(spark)} only, pyspark-delta on tables of ${sizes(py)}.`;
}

/** Gold steps of the star contender's ledger, by the role their names give them. */
const GOLD_PARTS = [
  ["dimensions", "dim_"],
  ["fact", "fact_"],
  ["aggregate", "agg_"],
] as const;

/**
 * The run carried on to the star: where its time goes, next to the same case's landing → silver
 * run. A delta's gold steps read the rows the run changed; the daily aggregate recomputes every
 * day a changed row was or is on.
 */
function starSection(cells: readonly CellResult[], silverRun: (caseId: string) => number | null): string {
  const sum = (c: CellResult, keep: (step: string) => boolean) =>
    Object.entries(c.steps!)
      .filter(([k]) => k !== LANDING_STEP && keep(k))
      .reduce((a, [, v]) => a + v, 0);
  return `## Landing → gold

\`${STAR_CONTENDER}\`: the same run carried on to the sales star (four dimensions, the fact, the daily aggregate). Seconds of the median run per part, from the run ledger; the rest of the run (open, ledger, commit) is its total less its steps. The last column is the \`saleslake\` contender's landing → silver run on the same file.

${table(
  [
    "case",
    "bronze + silver",
    ...GOLD_PARTS.map(([name]) => name),
    "rest",
    "landing → gold",
    "peak RSS",
    "landing → silver",
  ],
  cells.map((c) => {
    const silver = sum(c, (k) => k === "bronze" || k === "silver");
    const parts = GOLD_PARTS.map(([, prefix]) => sum(c, (k) => k.startsWith(prefix)));
    const rest = c.seconds! - silver - parts.reduce((a, b) => a + b, 0);
    const alone = silverRun(c.case);
    return [
      c.case,
      sec(silver),
      ...parts.map(sec),
      sec(Math.max(rest, 0)),
      `${sec(c.seconds!)} s${c.check === "ok" ? "" : " ⚠"}`,
      `${c.peakRssMb?.toFixed(0) ?? "–"} MB`,
      alone === null ? "–" : `${sec(alone)} s`,
    ];
  }),
)}`;
}

/** The results as Markdown: targets first, then the figures, then what was not measured and why. */
export function markdownReport(r: BenchResults, chartFile: string, jsonFile = "latest.json"): string {
  const names = r.contenders
    .map((c) => c.name)
    .filter((n) => n !== STAR_CONTENDER && r.cells.some((c) => c.contender === n));
  const cases = [...new Set(r.cells.map((c) => c.case))];
  const find = (caseId: string, name: string) =>
    r.cells.find((c) => c.case === caseId && c.contender === name);
  const initialOnce = r.sizes.bases.filter((b) => !r.sizes.initialRepeated.includes(b));
  const out: string[] = [];
  out.push(`# saleslake benchmarks (${r.mode} run)

${r.date.slice(0, 16).replace("T", " ")} UTC, commit ${r.commit}; ${r.machine.cores} cores (${r.machine.cpu}), ${r.machine.memoryGb} GiB, Node ${r.machine.node}${r.machine.loadAverage !== undefined ? `; load average ${r.machine.loadAverage.toFixed(2)} when the run began (other work on the machine shows here)` : ""}.

**Sizes run:** tables of ${r.sizes.bases.map(formatSize).join(", ")} rows; deltas of ${r.sizes.deltas.map(formatSize).join(", ")} rows into each; landing file ${r.sizes.landingBytes > 0 ? `${(r.sizes.landingBytes / 1e6).toFixed(0)} MB` : "none"}. Median of ${r.sizes.repeats} run(s) per delta${r.sizes.repeats > 1 ? "" : " (one run: no spread measured)"}; initial loads of ${r.sizes.initialRepeated.map(formatSize).join(", ")} likewise${initialOnce.length > 0 ? `, of ${initialOnce.map(formatSize).join(", ")} once (they prepare the table for the deltas)` : ""}.${sparkNote(
    r,
  )}${
    r.sizes.dltBases && r.sizes.dltBases.length < r.sizes.bases.length
      ? ` dlt ran on tables of ${r.sizes.dltBases.map(formatSize).join(", ")} only (it normalizes row by row in Python).`
      : ""
  }${sittingsAndLimits(r)}`);

  out.push(`## Targets

${table(
  ["target", "status", "measured"],
  r.targets.map((t) => [
    t.target,
    t.status === "met" ? "met" : t.status === "missed" ? "**missed**" : "not measured",
    t.detail || "–",
  ]),
)}`);

  out.push(`## Landing → silver

Each cell: median seconds of the contender's own work (process and Spark session start excluded; wall time with start-up is in \`${jsonFile}\`), its ratio to the floor on the same file, and the peak resident memory of its whole process tree. ⚠ marks counts that differ from what the generator wrote (see below).

${table(
  ["case", ...names],
  cases.map((id) => [id, ...names.map((n) => cellText(r, find(id, n)))]),
)}`);

  out.push(`## Scaling curve

![seconds against table size, one panel per delta size](${chartFile})

${table(
  ["delta into table", ...names.map((n) => `${n} s`)],
  r.cells
    .filter((c, i, all) => c.kind === "delta" && all.findIndex((x) => x.case === c.case) === i)
    .map((c) => [
      `${formatSize(c.nominal)} into ${formatSize(c.base)}`,
      ...names.map((n) => {
        const x = find(c.case, n)?.seconds;
        return x === null || x === undefined ? "–" : sec(x);
      }),
    ]),
)}`);

  const stepped = r.cells.filter((c) => c.contender === "saleslake" && c.steps);
  if (stepped.length > 0) {
    const stepNames = [...new Set(stepped.flatMap((c) => Object.keys(c.steps!)))];
    out.push(`## Where saleslake's time goes

Seconds per step of the median run (steps as recorded in the run ledger; landing measured around \`landFiles\`), next to the floor's whole merge. The floor ratio is taken on landing → silver, the span the target names; the landing before it is ingest's work (its throughput is below), shown here with the total it makes.

${table(
  ["case", ...stepNames, "landing → silver", "with landing", "floor"],
  stepped.map((c) => [
    c.case,
    ...stepNames.map((s) => (c.steps![s] === undefined ? "–" : sec(c.steps![s]!))),
    sec(c.seconds!),
    sec(c.seconds! + (c.steps![LANDING_STEP] ?? 0)),
    (() => {
      const f = find(c.case, "floor")?.seconds;
      return f === null || f === undefined ? "–" : sec(f);
    })(),
  ]),
)}`);
  }

  const star = r.cells.filter((c) => c.contender === STAR_CONTENDER && c.steps && c.seconds !== null);
  if (star.length > 0) out.push(starSection(star, (id) => find(id, "saleslake")?.seconds ?? null));

  const mismatches = r.cells.filter((c) => c.check !== "ok" && c.seconds !== null);
  out.push(`## Counts checked

Every contender's reported counts are compared with what the generator wrote: validating loaders (saleslake, saleslake-star, saleslake-spark) must insert and update exactly the keys of the valid rows and quarantine the rule-breaking rows, and account for every accepted row (read − quarantined = inserted + updated + stale + superseded by a newer row of the same key); the others must merge every row's key; rows no newer than the stored row change nothing. ${mismatches.length === 0 ? "All measured runs match." : `Differences:\n\n${mismatches.map((c) => `- ${c.case} ${c.contender}: ${c.check}`).join("\n")}`}`);

  if (r.ingest.length > 0) {
    out.push(`## Landing throughput

${table(
  ["", "MB", "rows", "seconds", "MB/s", "peak RSS MB"],
  r.ingest.map((i) => [
    i.contender,
    (i.bytes / 1e6).toFixed(0),
    formatSize(i.rows),
    i.seconds === null ? `failed: ${i.error?.split("\n")[0] ?? ""}` : sec(i.seconds),
    i.mbPerSecond?.toFixed(0) ?? "–",
    i.peakRssMb?.toFixed(0) ?? "–",
  ]),
)}`);
  }

  if (r.increments) out.push(incrementsSection(r.increments));

  const notes = [...r.skipped.map((s) => `${s.contender}: ${s.reason}`), ...r.notMeasured];
  if (notes.length > 0) out.push(`## Not measured in this run\n\n${notes.map((n) => `- ${n}`).join("\n")}`);

  out.push(`## Contenders and workload

${table(
  ["contender", "what it does"],
  r.contenders.map((c) => [c.name, c.does]),
)}

Workload: sales order lines with the entity's source column names, seed ${r.workload.seed}; a table of N rows is a clean base file; each delta has ${r.workload.updateShare! * 100}% updates of existing keys (newer \`updated_at\`), ${r.workload.lateShare! * 100}% late rows (30 min before the table's watermark, inside the 1 h lookback), ${r.workload.duplicateShare! * 100}% rows repeated byte for byte, ${r.workload.invalidShare! * 100}% rows breaking one quality rule.

Regenerate with \`pnpm bench\` (the full sizes), \`pnpm bench --quick\`, or \`pnpm bench --bases 1M,10M --deltas 10k,1M --repeats 3\`; see bench/README.md.
`);
  return out.join("\n\n");
}

/** Seconds of the last increment over the first (the initial load excluded). */
const growth = (xs: readonly number[]) => (xs.length >= 2 && xs[0]! > 0 ? xs.at(-1)! / xs[0]! : null);

function incrementsSection(inc: NonNullable<BenchResults["increments"]>): string {
  const steps = inc.timings.filter((t) => t.increment > 0);
  const g = (pick: (t: (typeof steps)[number]) => number) => {
    const x = growth(steps.map(pick));
    return x === null ? "–" : `${x.toFixed(2)}×`;
  };
  const bronze = growth(steps.map((t) => t.bronzeRows));
  return `## Increments on local Spark: the original project's approach against saleslake's notebooks

An initial load of ${formatSize(inc.baseRows)} order lines, then ${steps.length} increments of ${formatSize(inc.deltaRows)} rows (half updates, half new lines). **Original**: the increment appended to a bronze Parquet folder, all of bronze re-read and appended to silver, the customer dimension and the fact overwritten. **saleslake**: the generated notebooks, bronze to the daily aggregate, on the same files (landing excluded from both).

${table(
  ["increment", "rows", "original: bronze rows re-read", "original s", "saleslake s"],
  inc.timings.map((t) => [
    t.increment === 0 ? "initial" : String(t.increment),
    formatSize(t.rows),
    formatSize(t.bronzeRows),
    sec(t.original),
    sec(t.saleslake),
  ]),
)}

From the first increment to the last, what the original re-reads grew ${bronze === null ? "–" : `${bronze.toFixed(2)}×`}; its time ${g((t) => t.original)}, saleslake's ${g((t) => t.saleslake)}. Silver ends with ${formatSize(inc.silverRows.original)} rows in the original (appended copies) and ${formatSize(inc.silverRows.saleslake)} in saleslake, for ${formatSize(inc.distinctKeys)} distinct lines.`;
}
