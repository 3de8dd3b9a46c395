import { type LandedBatch, LocalLakeStore, listLandedBatches, windowLowAfter } from "@saleslake/ingest";
import type { LandingManifest } from "@saleslake/schema";
import type { ResolvedConfig } from "../config.ts";
import { fmt, markText } from "../output.ts";

/** Where a configured source stands, as `status --json` prints it under `sources`. */
export interface SourceState {
  /** The config's name for the source. */
  readonly name: string;
  readonly entity: string;
  readonly kind: string;
  /** Batches landed under this name. */
  readonly batches: number;
  /** The newest of them, or null when none was landed. */
  readonly lastBatchId: string | null;
  readonly landedAt: string | null;
  readonly rows: number | null;
  /** The newest batch's watermark window. */
  readonly window: LandingManifest["window"];
  /** Where the next `ingest --source` starts: the window's high less the entity's lookback. */
  readonly nextLow: string | null;
  /** Whether a run has processed the newest batch; null when none was landed. */
  readonly processed: boolean | null;
}

/**
 * What each configured source has landed, found by the name `ingest --source` records in each
 * manifest (`source.label`): no source is contacted and no credential is read.
 */
export async function sourceStates(
  cfg: ResolvedConfig,
  processed: (entity: string, batchIds: readonly string[]) => Promise<Set<string>>,
): Promise<SourceState[]> {
  const store = new LocalLakeStore(cfg.lakeRoot);
  const landed = new Map<string, LandedBatch[]>();
  const out: SourceState[] = [];
  for (const [name, { entity: entityName, kind }] of Object.entries(cfg.sources)) {
    const entity = cfg.entities.find((e) => e.name === entityName)!;
    if (!landed.has(entity.name)) landed.set(entity.name, await listLandedBatches(store, entity.name));
    const mine = landed.get(entity.name)!.filter((b) => b.manifest.source.label === name);
    const last = mine.at(-1)?.manifest;
    const done = last ? await processed(entity.name, [last.batchId]) : new Set<string>();
    out.push({
      name,
      entity: entity.name,
      kind,
      batches: mine.length,
      lastBatchId: last?.batchId ?? null,
      landedAt: last?.landedAt ?? null,
      rows: last?.rowCount ?? null,
      window: last?.window ?? null,
      nextLow: last?.window ? windowLowAfter(entity, last.window.high) : null,
      processed: last ? done.has(last.batchId) : null,
    });
  }
  return out;
}

/**
 * The sources in words, two lines each: a table would cut the window, whose marks alone can
 * take 60 characters.
 */
export function describeSourceStates(states: readonly SourceState[]): string {
  const width = Math.max(...states.map((s) => s.name.length));
  const lines = ["sources:"];
  for (const s of states) {
    const head = `  ${s.name.padEnd(width)}  ${s.kind} → ${s.entity}`;
    if (s.lastBatchId === null) {
      lines.push(`${head}: never landed`);
      continue;
    }
    const landed = `${s.batches} ${s.batches === 1 ? "batch" : "batches"} landed; the last, ${s.lastBatchId}, ${fmt(s.rows ?? 0)} ${s.rows === 1 ? "row" : "rows"} at ${s.landedAt}`;
    const state = s.processed ? "processed" : "waiting for a run";
    const window = s.window
      ? `${s.window.column} in (${s.window.low === null ? "the start" : markText(s.window.low)}, ${markText(s.window.high)}]; the next window starts at ${s.nextLow === null ? "the start" : markText(s.nextLow)}; `
      : "";
    lines.push(`${head}: ${landed}`, `  ${" ".repeat(width)}  ${window}${state}`);
  }
  return lines.join("\n");
}
