import type { Row } from "@saleslake/pipeline";
import { table, visible } from "../output.ts";

/** Every count of the ledger, under the names the run summary uses; `--json` keeps the columns. */
const COLUMNS: Record<string, string> = {
  run: "run_id",
  entity: "entity",
  mode: "mode",
  status: "status",
  started: "started_at",
  seconds: "seconds",
  read: "rows_read",
  accepted: "rows_accepted",
  quarantined: "rows_quarantined",
  inserted: "rows_inserted",
  updated: "rows_updated",
  stale: "rows_stale",
  superseded: "rows_superseded",
  deleted: "rows_deleted",
};

/**
 * `runs` as text: a line per run, then the error of each run that has one, whole, under its run
 * id. In a cell of the table an error would be cut at the column's width, and why a run failed
 * is what the command is most often run for.
 */
export function describeRunHistory(runs: readonly Row[]): string {
  if (runs.length === 0) return "no runs yet";
  const lines = [
    table(
      runs.map((r) => Object.fromEntries(Object.entries(COLUMNS).map(([label, col]) => [label, r[col]]))),
    ),
  ];
  const failed = runs.filter((r) => r.error);
  if (failed.length > 0) {
    lines.push("", "errors:");
    for (const r of failed) lines.push(`  ${visible(String(r.run_id))}  ${visible(String(r.error))}`);
  }
  return lines.join("\n");
}
