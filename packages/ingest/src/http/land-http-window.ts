import { partFileName } from "@saleslake/schema";
import type { LakeStore } from "../lake/lake-store.ts";
import type { LandResult } from "../landing/land-batch.ts";
import { landRecords } from "../landing/land-records.ts";
import { type HttpReadStats, type HttpWindowOptions, readHttpWindow } from "./http-source.ts";

export interface LandHttpWindowOptions extends HttpWindowOptions {
  readonly store: LakeStore;
  /** Records per JSON Lines part. Default `100_000`. */
  readonly rowsPerPart?: number;
  /** Gzip the parts. Default `false`. */
  readonly gzip?: boolean;
  /** Land even when the same records and window were landed before. Default `false`. */
  readonly force?: boolean;
  /** Landing time, for the batch id. Default: now. */
  readonly now?: Date;
  /** The project's name for the source, recorded in the manifest (`source.label`). Default: none. */
  readonly label?: string;
}

/** A landed record that fails the entity's validator: where it is, and the rules it breaks. */
export interface InvalidLandedRecord {
  /** The part holding it, relative to the lake root. */
  readonly file: string;
  /** 1-based line in that part. */
  readonly row: number;
  readonly rule: string;
  readonly message: string;
}

export interface LandHttpWindowResult {
  /** Undefined when the window had no records (no empty batches). */
  readonly landed: LandResult | undefined;
  /** The window read; `high` is the next window's `low` (less the lookback). */
  readonly window: { readonly column: string; readonly low: string | null; readonly high: string };
  readonly stats: HttpReadStats;
  /**
   * Landed records failing validation: bronze quarantines them. `count` is every one of them;
   * `issues` lists the rules broken by the first 100.
   */
  readonly invalid: { readonly count: number; readonly issues: readonly InvalidLandedRecord[] };
}

/**
 * Reads one window from an HTTP API and lands it through the landing writer: JSON Lines parts
 * as the pages arrive, the manifest (source, window) last. A read that fails part way leaves no
 * visible batch.
 */
export async function landHttpWindow(options: LandHttpWindowOptions): Promise<LandHttpWindowResult> {
  const w = await readHttpWindow(options);
  const window = { column: w.column, low: w.low, high: w.high };
  const landed = await landRecords({
    store: options.store,
    entity: options.entity,
    records: w.records,
    source: options.label === undefined ? w.source : { ...w.source, label: options.label },
    window,
    ...(options.rowsPerPart !== undefined && { rowsPerPart: options.rowsPerPart }),
    ...(options.gzip !== undefined && { gzip: options.gzip }),
    ...(options.force !== undefined && { force: options.force }),
    ...(options.now !== undefined && { now: options.now }),
  });
  // The landing writer's own part size, so a record's index maps to its part and line.
  const perPart = Math.max(1, options.rowsPerPart ?? 100_000);
  const ext = options.gzip ? "jsonl.gz" : "jsonl";
  const issues: InvalidLandedRecord[] = [];
  if (landed) {
    for (const r of w.stats.invalidRecords) {
      const file = `${landed.dir}/${partFileName(Math.floor(r.index / perPart), ext)}`;
      for (const issue of r.issues) issues.push({ file, row: (r.index % perPart) + 1, ...issue });
    }
  }
  return { landed, window, stats: w.stats, invalid: { count: w.stats.invalid, issues } };
}
