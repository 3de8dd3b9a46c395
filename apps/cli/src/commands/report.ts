import { writeFileSync } from "node:fs";
import type { Row, Warehouse } from "@saleslake/pipeline";
import { barChart, lineChart, type Point } from "./svg-charts.ts";

const esc = (s: unknown) => String(s ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function htmlTable(rows: Row[], columns: string[]): string {
  if (rows.length === 0) return "<p class='empty'>No rows.</p>";
  const head = columns.map((c) => `<th>${esc(c)}</th>`).join("");
  const body = rows
    .map(
      (r) =>
        `<tr>${columns.map((c) => `<td>${esc(typeof r[c] === "object" && r[c] !== null ? JSON.stringify(r[c]) : r[c])}</td>`).join("")}</tr>`,
    )
    .join("");
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
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

/** Writes a self-contained HTML report of the warehouse: charts as inline SVG, no network needed. */
export async function writeReport(w: Warehouse, out: string): Promise<void> {
  const sections: string[] = [];
  if (await has(w, "gold", "agg_sales_daily")) {
    const byDay = await w.query(
      "SELECT CAST(day AS VARCHAR) AS day, sum(revenue) AS revenue FROM gold.agg_sales_daily GROUP BY day ORDER BY day",
    );
    const byMonth = await w.query(
      "SELECT strftime(day, '%Y-%m') AS month, sum(revenue) AS revenue, sum(units_sold) AS units FROM gold.agg_sales_daily GROUP BY month ORDER BY month",
    );
    sections.push(
      `<section id="sales-by-day"><h2>Sales by day</h2>${lineChart("Revenue per day", points(byDay, "day", "revenue"))}${barChart("Revenue per month", points(byMonth, "month", "revenue"))}</section>`,
    );
  }
  if (await has(w, "gold", "fact_sales")) {
    const byBranch = await w.query(
      "SELECT coalesce(b.branch_name, 'Unknown') AS branch, sum(f.revenue) AS revenue FROM gold.fact_sales f LEFT JOIN gold.dim_branch b USING (dim_branch_key) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 12",
    );
    const byProduct = await w.query(
      "SELECT coalesce(m.product_name, 'Unknown') AS product, sum(f.revenue) AS revenue, sum(f.units_sold) AS units FROM gold.fact_sales f LEFT JOIN gold.dim_model m USING (dim_model_key) GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 15",
    );
    sections.push(
      `<section id="sales-by-region"><h2>Sales by region (branch)</h2>${barChart("Top branches by revenue", points(byBranch, "branch", "revenue"), "#3a8f5c")}</section>`,
    );
    sections.push(
      `<section id="sales-by-product"><h2>Sales by product</h2>${barChart("Revenue by make", points(byProduct, "product", "revenue"), "#b36b2f")}${htmlTable(byProduct, ["product", "revenue", "units"])}</section>`,
    );
  }
  const runs = await w.query(
    "SELECT run_id, entity, mode, status, CAST(started_at AS VARCHAR) AS started_at, rows_read, rows_accepted, rows_quarantined, rows_inserted, rows_updated FROM saleslake.runs ORDER BY started_at, run_id",
  );
  const steps: Point[] = runs.flatMap((r) => [
    { label: `${String(r.run_id).slice(-8)} read`, value: Number(r.rows_read ?? 0) },
    { label: `${String(r.run_id).slice(-8)} inserted`, value: Number(r.rows_inserted ?? 0) },
    { label: `${String(r.run_id).slice(-8)} quarantined`, value: Number(r.rows_quarantined ?? 0) },
  ]);
  sections.push(
    `<section id="runs"><h2>Run history</h2>${htmlTable(runs, ["run_id", "entity", "mode", "status", "started_at", "rows_read", "rows_accepted", "rows_quarantined", "rows_inserted", "rows_updated"])}</section>`,
  );
  sections.push(
    `<section id="rows-per-step"><h2>Rows per step</h2>${barChart("Rows read, inserted and quarantined per run", steps, "#6b4fb3")}</section>`,
  );
  const quarantined: Row[] = [];
  for (const t of await w.query(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'quarantine' ORDER BY 1",
  )) {
    const name = String(t.table_name).replace(/"/g, '""');
    quarantined.push(
      ...(await w.query(
        `SELECT '${name}' AS entity, rule, count(*) AS rows FROM (SELECT unnest(rule_ids) AS rule FROM quarantine."${name}") GROUP BY rule ORDER BY rows DESC, rule`,
      )),
    );
  }
  sections.push(
    `<section id="quarantine"><h2>Quarantine by rule</h2>${barChart("Quarantined rows by rule", points(quarantined, "rule", "rows"), "#b33a3a")}${htmlTable(quarantined, ["entity", "rule", "rows"])}</section>`,
  );
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>saleslake report</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:960px;color:#222}h1{margin-bottom:0}section{margin:2rem 0}table{border-collapse:collapse;font-size:13px;margin-top:1rem}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}th{background:#f4f4f4}.meta{color:#666}</style>
</head><body><h1>saleslake report</h1><p class="meta">Generated ${esc(new Date().toISOString())} from the local warehouse.</p>${sections.join("\n")}</body></html>`;
  writeFileSync(out, html);
}
