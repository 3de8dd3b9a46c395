import type { EntityRunResult } from "@saleslake/pipeline";
import { color, count, fmt, markText } from "../output.ts";

/**
 * A run in words a newcomer understands. `landing`: where the entity's batches land, given when
 * none has landed there yet, so that a run with nothing to do says why.
 */
export function describeRun(
  r: EntityRunResult,
  landing?: { readonly dir: string; readonly batches: number },
  backfill?: BackfillWindow,
): string {
  const lines: string[] = [];
  const head = `${color.bold(r.entity)} ${color.dim(r.runId)} (${r.mode.replace("_", " ")}, ${(r.durationMs / 1000).toFixed(2)}s)`;
  if (r.status === "nothing_to_do") {
    return landing?.batches === 0
      ? `${head}\n  nothing landed yet in ${landing.dir}: land files first, with saleslake ingest.`
      : `${head}\n  nothing new: every landed batch was already processed.`;
  }
  lines.push(head);
  const gold = r.steps.filter((x) => x.kind === "dimension" || x.kind === "fact" || x.kind === "aggregate");
  // Gold step names are the user's table names: the labels are as wide as the longest of them.
  const width = Math.max(12, ...gold.map((s) => s.step.length));
  const line = (label: string, text: string) => `  ${label.padEnd(width)} ${text}`;
  if (r.batches.length > 0)
    lines.push(
      line(
        "batches:",
        `${count(r.batches.length, "landed batch", "landed batches")} (${r.batches.join(", ")})`,
      ),
    );
  if (r.mode === "incremental") {
    lines.push(
      line(
        "read:",
        `${count(r.rowsRead, "row")} → ${fmt(r.rowsAccepted)} accepted, ${fmt(r.rowsQuarantined)} quarantined`,
      ),
    );
    for (const [rule, n] of Object.entries(r.quarantinedByRule))
      lines.push(color.yellow(`    quarantined ${fmt(n)} × ${rule}`));
    if (r.quarantineRepeats > 0)
      lines.push(
        color.dim(
          `    ${r.quarantineRepeats === r.rowsQuarantined ? (r.rowsQuarantined === 1 ? "it was" : "all were") : `${fmt(r.quarantineRepeats)} of them were`} held back before, with the same values (read again): not listed again`,
        ),
      );
    for (const [rule, n] of Object.entries(r.warnings))
      lines.push(color.yellow(`    warning     ${fmt(n)} × ${rule} (rows kept)`));
  }
  if (backfill && r.rowsInserted + r.rowsUpdated + r.rowsStale + r.rowsSuperseded === 0)
    lines.push(color.yellow(`  ${emptyWindow(backfill)}`));
  lines.push(
    line(
      "silver:",
      `${fmt(r.rowsInserted)} inserted, ${fmt(r.rowsUpdated)} updated, ${fmt(r.rowsStale)} unchanged or stale${r.rowsSuperseded ? `, ${fmt(r.rowsSuperseded)} superseded by a newer row of their key` : ""}${r.rowsDeleted ? `, ${fmt(r.rowsDeleted)} deleted` : ""}`,
    ),
  );
  for (const s of gold) {
    const c = s.counts;
    const what =
      s.kind === "dimension"
        ? c.members_added !== undefined
          ? count(Number(c.members_added), "new member")
          : `${count(Number(c.members_seen ?? 0), "date")} seen`
        : s.kind === "fact"
          ? `${count(Number(c.rows_upserted ?? 0), "row")} upserted, ${fmt(Number(c.rows_deleted ?? 0))} deleted`
          : c.groups_updated !== undefined
            ? `${count(Number(c.groups_updated), "row")} updated, on ${count(Number(c.days_updated ?? 0), "day")}`
            : `${count(Number(c.days_recomputed ?? 0), "day")} recomputed`;
    lines.push(line(s.step, what));
  }
  const compact = r.steps.find((x) => x.kind === "compact");
  if (compact) {
    lines.push(
      line(
        "compact:",
        `${compact.counts.tables} held ${count(Number(compact.counts.rows_dead ?? 0), "deleted row")}: compacted in ${(compact.durationMs / 1000).toFixed(1)} s`,
      ),
    );
  }
  if (r.window.high)
    lines.push(
      line(
        "watermark:",
        `${r.window.low === null ? "(none)" : markText(r.window.low)} → ${markText(r.window.high)}`,
      ),
    );
  return lines.join("\n");
}

/** A backfill's window, and what it is on: a data column, or the landing batches. */
export interface BackfillWindow {
  readonly from: string;
  readonly to: string;
  /** The watermark column; absent for a file-drop entity, whose window is on its batches. */
  readonly column?: string;
  /** A file-drop entity's landed batch ids, oldest first. */
  readonly batches?: readonly string[];
}

/** Why a backfill found nothing, so that a window on the wrong axis does not pass for an empty one. */
function emptyWindow(w: BackfillWindow): string {
  const head = `the window ${w.from} / ${w.to} held no bronze rows`;
  if (w.column) return `${head}: it selects rows by ${w.column}.`;
  const span =
    w.batches && w.batches.length > 0
      ? ` Its batches landed from ${w.batches[0]} to ${w.batches[w.batches.length - 1]}.`
      : "";
  return `${head}: this entity's watermark is its landing batches, so --from/--to are landing dates or batch ids, not dates in the data.${span}`;
}
