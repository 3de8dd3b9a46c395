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
import { batchPath, type Entity, type LandingManifest, MANIFEST_FILE } from "@saleslake/schema";
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

export interface ReplayResult {
  readonly entity: string;
  readonly file: string;
  /** The landing batch the fixed rows were landed as. */
  readonly batchId: string;
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

function readRecords(file: string): Record<string, unknown>[] {
  const records: Record<string, unknown>[] = [];
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
      const { [EXTRA_FIELDS]: _past, ...fields } = v as Record<string, unknown>;
      records.push(fields);
    });
  if (records.length === 0) throw new ReplayInputError(`${file}: no rows to replay`);
  return records;
}

/**
 * Re-lands fixed quarantined rows (a `quarantine --export` file, edited) as a new landing batch
 * and runs the pipeline for the entity. The run marks the earlier quarantine entries whose key now
 * has an accepted row as replayed by it (`replayed_run_id`), so `quarantine` no longer lists them.
 */
export async function replayQuarantine(
  cfg: ResolvedConfig,
  entity: Entity,
  file: string,
  onProgress: (e: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<ReplayResult> {
  const records = readRecords(file);
  const landed = await landRecords({
    store: new LocalLakeStore(cfg.lakeRoot),
    entity,
    records: (async function* () {
      yield* records;
    })(),
    source: { kind: "file", name: `${REPLAY_SOURCE_PREFIX}${basename(file)}` },
    window: null,
    force: true,
  });
  if (!landed) throw new ReplayInputError(`${file}: no rows to replay`);
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
  const own = run.batchCounts.find((b) => b.batchId === landed.batchId);
  return {
    entity: entity.name,
    file,
    batchId: landed.batchId,
    rows: records.length,
    accepted: own?.rowsAccepted ?? 0,
    quarantinedAgain: own?.rowsQuarantined ?? 0,
    resolved: run.quarantineReplayed,
    run,
  };
}
