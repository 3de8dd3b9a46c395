import type { Row } from "@saleslake/pipeline";
import { markText, table } from "../output.ts";

interface Watermark {
  readonly source: string;
  readonly kind: string;
  readonly value: string | null;
}

/** What a watermark is read from: `column:updated_at` → `updated_at`, `batch` → `landing batch`. */
const markedBy = (kind: string) =>
  kind.startsWith("column:") ? kind.slice("column:".length) : `landing ${kind}`;

/**
 * `status` as text: a line per entity, then each watermark on a line of its own, whole. In a cell
 * of the first table they would be cut at its width, and the mark is what the command is run for.
 */
export function describeStatus(entities: readonly Row[]): string {
  const runs = table(entities, [
    "entity",
    "last_status",
    "last_finished_at",
    "lag_seconds",
    "batches_processed",
    "rows_quarantined",
    "quarantine_open",
  ]);
  if (entities.length === 0) return runs;
  const marks = entities.flatMap((e) =>
    ((e.watermarks ?? []) as Watermark[]).map((w) => ({
      entity: e.entity,
      source: w.source,
      watermark: markedBy(w.kind),
      value: w.value === null ? null : markText(w.value),
    })),
  );
  return [runs, "", marks.length > 0 ? table(marks) : "no watermark yet"].join("\n");
}
