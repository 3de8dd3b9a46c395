import { buildPlan, type ProgressEvent } from "@saleslake/pipeline";
import type { Entity, Star } from "@saleslake/schema";
import { count, type Progress } from "../output.ts";

/**
 * Feeds the runner's events to the progress line: a bar over the entity's plan steps, the rows
 * bronze read, and the throughput since the entity's run started.
 */
export function pipelineProgress(
  progress: Progress,
  entities: readonly Entity[],
  stars: readonly Star[],
): (e: ProgressEvent) => void {
  return (e) => {
    if (e.type === "run-start") {
      const entity = entities.find((x) => x.name === e.entity);
      const star = stars.find((s) => s.entity.name === e.entity);
      const steps = entity ? buildPlan(entity, star).steps.length : undefined;
      progress.start(`${e.entity}: ${count(e.batches, "batch", "batches")}`, steps);
    } else if (e.type === "step-start") progress.update(`${e.entity}: ${e.step}`);
    else if (e.type === "step-end") {
      const read = Number(e.counts.rows_read ?? 0);
      progress.update(`${e.entity}: ${e.step}`, 1, Number.isFinite(read) ? read : 0);
    }
  };
}
