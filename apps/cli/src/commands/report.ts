import { writeFileSync } from "node:fs";
import type { Row, Warehouse } from "@saleslake/pipeline";
import { quoteIdent, quoteString, type Star } from "@saleslake/schema";
import { barChart, lineChart, type Point } from "./svg-charts.ts";

const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function htmlTable(rows: Row[], columns: string[], id?: string): string {
  if (rows.length === 0) return "<p class='empty'>No rows.</p>";
  const head = columns.map((c) => `<th>${esc(c)}</th>`).join("");
  const cell = (v: unknown) => {
    const text = typeof v === "object" && v !== null ? JSON.stringify(v) : v;
    const numeric = typeof v === "number" || typeof v === "bigint" || /^-?\d+(\.\d+)?$/.test(String(v ?? ""));
    return `<td${numeric ? ' class="num"' : ""}>${esc(text)}</td>`;
  };
  const body = rows.map((r) => `<tr>${columns.map((c) => cell(r[c])).join("")}</tr>`).join("");
  // Wide tables scroll on their own, not the page.
  return `<div class="scroll"><table${id ? ` id="${esc(id)}"` : ""}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

const points = (rows: Row[], label: string, value: string): Point[] =>
  rows.map((r) => ({ label: String(r[label]), value: Number(r[value] ?? 0) }));

async function has(w: Warehouse, schema: string, table: string): Promise<boolean> {
  return (
    (
      await w.query(
        `SELECT 1 FROM information_schema.tables WHERE table_schema = '${schema}' AND table_name = '${table}'`,
      )
    ).length > 0
  );
}

/** `dim_branch` → `branch`: how a dimension is named in a heading. */
const dimensionLabel = (name: string) => name.replace(/^dim_/, "").replaceAll("_", " ");

/**
 * The sales sections of each star whose gold tables exist: its headline measure (the first of
 * the fact's) by day and by month from the daily aggregate, and by each attribute dimension
 * (the top 12, labelled by the dimension's first attribute), with every measure in a table.
 */
async function starSections(w: Warehouse, star: Star, several: boolean): Promise<string[]> {
  const q = (name: string) => quoteIdent("duckdb", name);
  const measure = star.fact.measures[0];
  if (measure === undefined || !(await has(w, "gold", star.fact.name))) return [];
  const subject = several ? star.name : "Sales";
  const id = (what: string) => `${star.name}-by-${what}`.replaceAll("_", "-");
  const sections: string[] = [];
  const agg = star.dailyAggregate;
  const aggMeasure = agg?.measures.find((m) => m.agg === "sum") ?? agg?.measures[0];
  if (agg !== undefined && aggMeasure !== undefined && (await has(w, "gold", agg.name))) {
    const m = q(aggMeasure.name);
    const byDay = await w.query(
      `SELECT CAST(day AS VARCHAR) AS day, sum(${m}) AS value FROM gold.${q(agg.name)} GROUP BY day ORDER BY day`,
    );
    const byMonth = await w.query(
      `SELECT strftime(day, '%Y-%m') AS month, sum(${m}) AS value FROM gold.${q(agg.name)} GROUP BY month ORDER BY month`,
    );
    sections.push(
      `<section id="${esc(id("day"))}"><h2>${esc(subject)} by day</h2>${lineChart(`${aggMeasure.name} per day`, points(byDay, "day", "value"))}${barChart(`${aggMeasure.name} per month`, points(byMonth, "month", "value"))}</section>`,
    );
  }
  for (const d of star.dimensions) {
    if (d.kind !== "attribute" || !(await has(w, "gold", d.name))) continue;
    const label = d.attributes[0] ?? d.key[0]!;
    const sums = star.fact.measures.map((m) => `sum(f.${q(m)}) AS ${q(m)}`).join(", ");
    const key = q(`${d.name}_key`);
    const rows = await w.query(
      `SELECT coalesce(CAST(d.${q(label)} AS VARCHAR), 'Unknown') AS ${q(label)}, ${sums} FROM gold.${q(star.fact.name)} f LEFT JOIN gold.${q(d.name)} d USING (${key}) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 12`,
    );
    const what = dimensionLabel(d.name);
    sections.push(
      `<section id="${esc(id(what.replaceAll(" ", "-")))}"><h2>${esc(subject)} by ${esc(what)}</h2>${barChart(`Top ${what} by ${measure}`, points(rows, label, measure), "#3a8f5c")}${htmlTable(rows, [label, ...star.fact.measures])}</section>`,
    );
  }
  return sections;
}

/** Runs the report lists one by one, newest first, unless told otherwise (`report --runs`). */
export const REPORT_RUNS = 50;
/** Runs the rows-per-run chart draws, three bars each: the newest of those listed. */
const CHARTED_RUNS = 20;

/**
 * The runs section: every run counted per entity, then the newest `limit` runs one by one, with
 * their duration and error, saying how many are left out; and the rows of the newest of them as
 * a chart. A ledger grows by a run every few minutes for as long as a project lives, so the page
 * lists a bounded number of them, as `saleslake runs` does.
 */
async function runSections(w: Warehouse, limit: number): Promise<string[]> {
  const perEntity = await w.query(
    `SELECT entity, count(*) AS runs, count(*) FILTER (WHERE status = 'succeeded') AS succeeded,
  count(*) FILTER (WHERE status = 'failed') AS failed, CAST(min(started_at) AS VARCHAR) AS first_run,
  CAST(max(started_at) AS VARCHAR) AS last_run, sum(rows_read) AS rows_read, sum(rows_accepted) AS rows_accepted,
  sum(rows_quarantined) AS rows_quarantined, sum(rows_inserted) AS rows_inserted, sum(rows_updated) AS rows_updated,
  sum(rows_deleted) AS rows_deleted
FROM saleslake.runs GROUP BY entity ORDER BY entity`,
  );
  const total = perEntity.reduce((n, r) => n + Number(r.runs), 0);
  const latest = await w.runs(limit);
  const columns = [
    "run_id",
    "entity",
    "mode",
    "status",
    "started_at",
    "seconds",
    "rows_read",
    "rows_accepted",
    "rows_quarantined",
    "rows_inserted",
    "rows_updated",
    ...(latest.some((r) => r.error !== null && r.error !== undefined) ? ["error"] : []),
  ];
  const listed =
    latest.length < total
      ? `<p class="meta">The latest ${latest.length.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} runs, newest first; <code>saleslake runs --limit ${total}</code> lists them all.</p>`
      : "";
  const charted = latest.slice(0, CHARTED_RUNS).reverse();
  const steps: Point[] = charted.flatMap((r) => [
    { label: `${String(r.run_id).slice(-8)} read`, value: Number(r.rows_read ?? 0) },
    { label: `${String(r.run_id).slice(-8)} inserted`, value: Number(r.rows_inserted ?? 0) },
    { label: `${String(r.run_id).slice(-8)} quarantined`, value: Number(r.rows_quarantined ?? 0) },
  ]);
  const title =
    charted.length < total
      ? `Rows read, inserted and quarantined, the latest ${charted.length} runs`
      : "Rows read, inserted and quarantined per run";
  return [
    `<section id="runs"><h2>Run history</h2>${htmlTable(perEntity, ["entity", "runs", "succeeded", "failed", "first_run", "last_run", "rows_read", "rows_accepted", "rows_quarantined", "rows_inserted", "rows_updated", "rows_deleted"], "runs-per-entity")}${listed}${htmlTable(latest, columns, "runs-latest")}</section>`,
    `<section id="rows-per-step"><h2>Rows per step</h2>${barChart(title, steps, "#6b4fb3")}</section>`,
  ];
}

/**
 * Writes a self-contained HTML report of the warehouse, charts as inline SVG, no network needed:
 * the sales of each star (by day, by each dimension), run history, rows per step, quarantine.
 * `runs`: how many runs to list one by one (the newest; every run is counted per entity).
 */
export async function writeReport(
  w: Warehouse,
  out: string,
  stars: readonly Star[],
  runs = REPORT_RUNS,
): Promise<void> {
  const sections: string[] = [];
  for (const star of stars) sections.push(...(await starSections(w, star, stars.length > 1)));
  sections.push(...(await runSections(w, runs)));
  // Rows held back now, by rule, beside those a replay has since resolved and those that repeat
  // an earlier entry (the same raw values read again): neither counts as held. A quarantine
  // table from before replays or repeats lacks the column, and holds none of them.
  const quarantined: Row[] = [];
  for (const t of await w.query(
    "SELECT table_name, bool_or(column_name = 'replayed_run_id') AS replays, bool_or(column_name = 'repeat_of') AS repeats FROM information_schema.columns WHERE table_schema = 'quarantine' GROUP BY table_name ORDER BY 1",
  )) {
    const name = String(t.table_name);
    const replayed = t.replays ? "replayed_run_id IS NOT NULL" : "false";
    const repeat = t.repeats ? "repeat_of IS NOT NULL" : "false";
    quarantined.push(
      ...(await w.query(
        `SELECT ${quoteString("duckdb", name)} AS entity, rule, count(*) FILTER (WHERE NOT (${replayed}) AND NOT (${repeat})) AS held, count(*) FILTER (WHERE ${replayed}) AS replayed, count(*) FILTER (WHERE ${repeat} AND NOT (${replayed})) AS repeats FROM (SELECT unnest(rule_ids) AS rule${t.replays ? ", replayed_run_id" : ""}${t.repeats ? ", repeat_of" : ""} FROM quarantine.${quoteIdent("duckdb", name)}) GROUP BY rule ORDER BY held DESC, replayed DESC, rule`,
      )),
    );
  }
  const heldByRule = points(
    quarantined.filter((r) => Number(r.held) > 0),
    "rule",
    "held",
  );
  sections.push(
    `<section id="quarantine"><h2>Quarantine by rule</h2>${heldByRule.length ? barChart("Rows held back by rule", heldByRule, "#b33a3a") : "<p class='empty'>No rows held back.</p>"}${quarantined.length ? htmlTable(quarantined, ["entity", "rule", "held", "replayed", "repeats"]) : ""}</section>`,
  );
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>saleslake report</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px;color:#222}h1{margin-bottom:0}section{margin:2rem 0}table{border-collapse:collapse;font-size:13px;margin-top:1rem}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;white-space:nowrap}td.num{text-align:right;font-variant-numeric:tabular-nums}.scroll{overflow-x:auto;max-width:100%}code{font-size:12px}th{background:#f4f4f4}.meta{color:#666}</style>
</head><body><h1>saleslake report</h1><p class="meta">Generated ${esc(new Date().toISOString())} from the local warehouse.</p>${sections.join("\n")}</body></html>`;
  writeFileSync(out, html);
}
