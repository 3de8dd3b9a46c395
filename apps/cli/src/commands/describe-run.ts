import type { EntityRunResult } from "@saleslake/pipeline";
import { color, fmt } from "../output.ts";

/**
 * A run in words a newcomer understands. `landing`: where the entity's batches land, given when
 * none has landed there yet, so that a run with nothing to do says why.
 */
export function describeRun(
  r: EntityRunResult,
  landing?: { readonly dir: string; readonly batches: number },
): string {
  const lines: string[] = [];
  const head = `${color.bold(r.entity)} ${color.dim(r.runId)} (${r.mode.replace("_", " ")}, ${(r.durationMs / 1000).toFixed(2)}s)`;
  if (r.status === "nothing_to_do") {
    return landing?.batches === 0
      ? `${head}\n  nothing landed yet in ${landing.dir}: land files first, with saleslake ingest.`
      : `${head}\n  nothing new: every landed batch was already processed.`;
  }
  lines.push(head);
  if (r.batches.length > 0)
    lines.push(
      `  batches:     ${r.batches.length} landed batch${r.batches.length > 1 ? "es" : ""} (${r.batches.join(", ")})`,
    );
  if (r.mode === "incremental") {
    lines.push(
      `  read:        ${fmt(r.rowsRead)} rows → ${fmt(r.rowsAccepted)} accepted, ${fmt(r.rowsQuarantined)} quarantined`,
    );
    for (const [rule, n] of Object.entries(r.quarantinedByRule))
      lines.push(color.yellow(`    quarantined ${fmt(n)} × ${rule}`));
    for (const [rule, n] of Object.entries(r.warnings))
      lines.push(color.yellow(`    warning     ${fmt(n)} × ${rule} (rows kept)`));
  }
  lines.push(
    `  silver:      ${fmt(r.rowsInserted)} inserted, ${fmt(r.rowsUpdated)} updated, ${fmt(r.rowsStale)} unchanged or stale${r.rowsDeleted ? `, ${fmt(r.rowsDeleted)} deleted` : ""}`,
  );
  for (const s of r.steps.filter(
    (x) => x.kind === "dimension" || x.kind === "fact" || x.kind === "aggregate",
  )) {
    const c = s.counts;
    const what =
      s.kind === "dimension"
        ? c.members_added !== undefined
          ? `${fmt(Number(c.members_added))} new members`
          : `${fmt(Number(c.members_seen ?? 0))} dates seen`
        : s.kind === "fact"
          ? `${fmt(Number(c.rows_upserted ?? 0))} rows upserted, ${fmt(Number(c.rows_deleted ?? 0))} deleted`
          : `${fmt(Number(c.days_recomputed ?? 0))} days recomputed`;
    lines.push(`  ${s.step.padEnd(12)} ${what}`);
  }
  const compact = r.steps.find((x) => x.kind === "compact");
  if (compact) {
    lines.push(
      `  compact:     ${compact.counts.tables} held ${fmt(Number(compact.counts.rows_dead ?? 0))} deleted rows: compacted in ${(compact.durationMs / 1000).toFixed(1)} s`,
    );
  }
  if (r.window.high) lines.push(`  watermark:   ${r.window.low ?? "(none)"} → ${r.window.high}`);
  return lines.join("\n");
}
