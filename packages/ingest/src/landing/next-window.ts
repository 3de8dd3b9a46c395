import { durationSeconds, type Entity, type LandingManifest } from "@saleslake/schema";
import { parseTimestampMark } from "../database/timestamp-mark.ts";
import { IngestError } from "../errors.ts";
import type { LakeStore } from "../lake/lake-store.ts";
import { listLandedManifests } from "./landed-batches.ts";

/**
 * The window of the newest batch landed from `source` (same kind and name), or undefined when
 * none was: the landing manifests are the record of what a source has delivered, written last,
 * so a window counts only once its batch is whole.
 */
export async function lastLandedWindow(
  store: LakeStore,
  entity: Entity,
  source: LandingManifest["source"],
): Promise<NonNullable<LandingManifest["window"]> | undefined> {
  const manifests = await listLandedManifests(store, entity.name);
  return (
    manifests.findLast((m) => m.source.kind === source.kind && m.source.name === source.name && m.window)
      ?.window ?? undefined
  );
}

/**
 * The low mark of the window after one that ended at `high`: `high` less the entity's lookback,
 * so that rows committed late with a change time inside the lookback are read again (silver
 * keeps the newest version of a key, so a row read twice changes nothing).
 *
 * Timestamps keep every fractional digit of the source's mark (PostgreSQL's microseconds, SQL
 * Server's 100 ns) and come back in UTC with `Z`; a date mark steps back whole days, rounded
 * up, and at least one: the day of the last high mark may have gained rows since it was read,
 * so the next window reads that day again. A numeric mark subtracts the number.
 */
export function windowLowAfter(entity: Entity, high: string): string {
  const wm = entity.watermark;
  if (wm.kind !== "column") {
    throw new IngestError(
      "BAD_OPTIONS",
      `${entity.name} has no watermark column`,
      "Database and API sources read by a watermark column; declare one on the entity.",
    );
  }
  const column = entity.columns.find((c) => c.name === wm.column);
  const kind = column?.type.kind;
  if (kind !== "date" && kind !== "timestamp") {
    const lookback = Number(wm.lookback);
    if (lookback === 0) return high;
    if (/^-?\d+$/.test(high) && Number.isInteger(lookback)) return String(BigInt(high) - BigInt(lookback));
    const value = Number(high);
    if (!Number.isFinite(value)) throw badMark(entity, high);
    return String(value - lookback);
  }
  const seconds = durationSeconds(wm.lookback);
  const day = /^(\d{4})-(\d\d)-(\d\d)$/.exec(high.trim());
  if (day) {
    const [, y, mo, d] = day.map(Number);
    return new Date(Date.UTC(y!, mo! - 1, d! - Math.max(1, Math.ceil(seconds / 86_400))))
      .toISOString()
      .slice(0, 10);
  }
  const mark = parseTimestampMark(high);
  if (!mark) throw badMark(entity, high);
  const at = new Date(mark.utcSecondMs - seconds * 1000).toISOString().slice(0, 19);
  return `${at}${mark.fraction ? `.${mark.fraction}` : ""}Z`;
}

function badMark(entity: Entity, high: string): IngestError {
  return new IngestError(
    "BAD_MANIFEST",
    `${entity.name}: the last landed window ends at ${JSON.stringify(high)}, which is not a value of ${entity.watermark.kind === "column" ? entity.watermark.column : "the watermark"}`,
    "The manifest was not written by this version of saleslake ingest; land the source with an explicit low mark.",
  );
}
