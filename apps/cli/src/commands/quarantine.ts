import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { LocalLakeStore, landRecords, readLandedManifest } from "@saleslake/ingest";
import {
  type EntityRunResult,
  EXTRA_FIELDS,
  type ProgressEvent,
  REPLAY_SOURCE_PREFIX,
  type Row,
  runPipeline,
  Warehouse,
} from "@saleslake/pipeline";
import { batchPath, type Entity, isBatchId, type LandingManifest, MANIFEST_FILE } from "@saleslake/schema";
import { engineOptions, type ResolvedConfig } from "../config.ts";

export class ReplayInputError extends Error {}

/**
 * Where each landed part of the given batches came from, by its lake path (a row's
 * `_source_file`): the file it was landed from, or the database or API source. A batch whose
 * manifest is gone or unreadable names none.
 */
async function sourcesOf(lakeRoot: string, entity: string, batchIds: ReadonlySet<string>) {
  const store = new LocalLakeStore(lakeRoot);
  const out = new Map<string, string>();
  for (const batchId of batchIds) {
    const dir = batchPath("landing", entity, batchId);
    let m: LandingManifest;
    try {
      m = await readLandedManifest(store, `${dir}/${MANIFEST_FILE}`);
    } catch {
      continue;
    }
    for (const f of m.files) {
      // A file landing before parts named their file: its one file is the batch's source name.
      const one = m.source.kind !== "file" || m.files.length === 1 ? m.source.name : undefined;
      const name = f.source ?? one;
      if (name !== undefined) out.set(`${dir}/${f.path}`, name);
    }
  }
  return out;
}

/**
 * Quarantined rows not yet replayed, of each entity asked for, with the entity on each row and,
 * when the lake still has the batch's manifest, `source`: the file (or database or API source)
 * the row was landed from.
 */
export async function listQuarantine(
  dir: string,
  entities: readonly string[],
  lakeRoot?: string,
): Promise<Row[]> {
  const w = await Warehouse.open(dir);
  try {
    const out: Row[] = [];
    for (const entity of entities) {
      const held = await w.quarantine(entity);
      const batches = new Set(held.map((r) => String(r._batch_id)));
      const sources = lakeRoot && held.length ? await sourcesOf(lakeRoot, entity, batches) : new Map();
      for (const r of held) out.push({ entity, source: sources.get(String(r._source_file)) ?? null, ...r });
    }
    return out;
  } finally {
    w.close();
  }
}

/**
 * The field of an exported row naming the batch it was first landed in. A replay lands the fixed
 * row right after that batch in landing order (see `batchIdAfter`), so that, for an entity whose
 * newest version is the last landed (no sequence column), it never wins over a version of its key
 * landed after it. A row without it (written by hand) is landed as a new batch.
 */
export const FIRST_BATCH_FIELD = "_saleslake_batch_id";

/** A quarantined row as `quarantine --export` writes it: its raw values and its first batch. */
export function exportLine(r: Row): string {
  const raw = JSON.parse(String(r.raw)) as Record<string, unknown>;
  return `${JSON.stringify({ ...raw, [FIRST_BATCH_FIELD]: String(r._batch_id) })}\n`;
}

export interface ReplayResult {
  readonly entity: string;
  readonly file: string;
  /**
   * The landing batches the fixed rows were landed as: one after each batch they were first
   * landed in, oldest first, and a new one for rows that name none.
   */
  readonly batchIds: readonly string[];
  /** Rows in the file. */
  readonly rows: number;
  /** Rows of the file that passed every rule this time. */
  readonly accepted: number;
  /** Rows of the file quarantined again (still broken). */
  readonly quarantinedAgain: number;
  /** Earlier quarantine entries marked replayed (matched by key to an accepted row). */
  readonly resolved: number;
  readonly run: EntityRunResult;
}

/** The file's rows by the batch each was first landed in (`""`: none named), oldest first. */
function readRecords(file: string): Map<string, Record<string, unknown>[]> {
  const records = new Map<string, Record<string, unknown>[]>();
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new ReplayInputError(
          `${file}:${i + 1}: not a JSON object (the file is JSON Lines, one row a line)`,
        );
      }
      if (v === null || typeof v !== "object" || Array.isArray(v))
        throw new ReplayInputError(
          `${file}:${i + 1}: not a JSON object (the file is JSON Lines, one row a line)`,
        );
      // The fields a CSV row had past its header are in its raw values to see, not a column to
      // land: the fixed row has the header's fields.
      const { [EXTRA_FIELDS]: _past, [FIRST_BATCH_FIELD]: first, ...fields } = v as Record<string, unknown>;
      if (first !== undefined && (typeof first !== "string" || !isBatchId(first)))
        throw new ReplayInputError(
          `${file}:${i + 1}: ${FIRST_BATCH_FIELD} is ${JSON.stringify(first)}, not a batch id (leave it as exported, or take the field out to land the row as new)`,
        );
      const key = first ?? "";
      records.set(key, [...(records.get(key) ?? []), fields]);
    });
  if (records.size === 0) throw new ReplayInputError(`${file}: no rows to replay`);
  // Oldest first; rows naming no batch last, as the newest landing.
  return new Map([...records].sort(([a], [b]) => (a === "" ? 1 : b === "" ? -1 : a < b ? -1 : 1)));
}

/**
 * Re-lands fixed quarantined rows (a `quarantine --export` file, edited), each right after the
 * batch it was first landed in, and runs the pipeline for the entity. The run marks the earlier
 * quarantine entries whose key now has an accepted row as replayed by it (`replayed_run_id`), so
 * `quarantine` no longer lists them. A fixed row older than the stored version of its key is
 * counted stale, as it would have been had it passed the first time.
 */
export async function replayQuarantine(
  cfg: ResolvedConfig,
  entity: Entity,
  file: string,
  onProgress: (e: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<ReplayResult> {
  const groups = readRecords(file);
  const batchIds: string[] = [];
  for (const [first, records] of groups) {
    const landed = await landRecords({
      store: new LocalLakeStore(cfg.lakeRoot),
      entity,
      records: (async function* () {
        yield* records;
      })(),
      source: { kind: "file", name: `${REPLAY_SOURCE_PREFIX}${basename(file)}` },
      window: null,
      force: true,
      ...(first !== "" && { after: first }),
    });
    if (landed) batchIds.push(landed.batchId);
  }
  if (batchIds.length === 0) throw new ReplayInputError(`${file}: no rows to replay`);
  const { runs } = await runPipeline({
    dir: cfg.dir,
    lakeRoot: cfg.lakeRoot,
    entities: cfg.entities,
    stars: cfg.stars,
    entity: entity.name,
    ...engineOptions(cfg),
    onProgress,
    ...(signal && { signal }),
  });
  // The run marks the entries its accepted rows resolve, in the transaction of the data.
  const run = runs.find((r) => r.entity === entity.name)!;
  const own = run.batchCounts.filter((b) => batchIds.includes(b.batchId));
  return {
    entity: entity.name,
    file,
    batchIds,
    rows: [...groups.values()].reduce((a, g) => a + g.length, 0),
    accepted: own.reduce((a, b) => a + b.rowsAccepted, 0),
    quarantinedAgain: own.reduce((a, b) => a + b.rowsQuarantined, 0),
    resolved: run.quarantineReplayed,
    run,
  };
}
