import type { Entity, LandingManifest, QuarantineEntry } from "@saleslake/schema";
import type { LakeStore } from "../lake/lake-store.ts";
import { type LandResult, landBatch } from "./land-batch.ts";

export interface LandRecordsOptions {
  readonly store: LakeStore;
  readonly entity: Entity;
  /** Records keyed by the entity's source column names, values JSON strings/numbers/booleans/null. */
  readonly records: AsyncIterable<Record<string, unknown>>;
  readonly source: LandingManifest["source"];
  readonly window: LandingManifest["window"];
  /** Records per JSON Lines part. Default `100_000`. */
  readonly rowsPerPart?: number;
  /** Gzip the parts. Default `false`. */
  readonly gzip?: boolean;
  /** Land even when the same records and window were landed before. Default `false`. */
  readonly force?: boolean;
  readonly now?: Date;
  /** Land right after this batch in landing order (see `LandBatchOptions.after`). */
  readonly after?: string;
  /**
   * Fixed quarantined rows: the quarantine entry each record was fixed from, by its position
   * among the records (none for a record fixing no known entry). The manifest lists them by part
   * and row (`fixes`), for the run to mark the entries replayed.
   */
  readonly fixes?: readonly (QuarantineEntry | undefined)[];
}

/**
 * Lands records (from a database or an API) as JSON Lines parts, streamed one part at a time,
 * then the manifest with the watermark window. Undefined when there were no records.
 */
export async function landRecords(options: LandRecordsOptions): Promise<LandResult | undefined> {
  const { store, entity, records, source, window } = options;
  return landBatch(
    store,
    entity,
    {
      kind: "records",
      records,
      source,
      window,
      ...(options.rowsPerPart !== undefined && { rowsPerPart: options.rowsPerPart }),
      ...(options.gzip !== undefined && { gzip: options.gzip }),
      ...(options.fixes !== undefined && { fixes: options.fixes }),
    },
    {
      ...(options.force !== undefined && { force: options.force }),
      ...(options.now && { now: options.now }),
      ...(options.after !== undefined && { after: options.after }),
    },
  );
}
