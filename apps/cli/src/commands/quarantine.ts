import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { LocalLakeStore, landRecords } from "@saleslake/ingest";
import {
  acquireRunLock,
  type EntityRunResult,
  type ProgressEvent,
  projectPaths,
  type Row,
  runPipeline,
  Warehouse,
} from "@saleslake/pipeline";
import type { Entity } from "@saleslake/schema";
import type { ResolvedConfig } from "../config.ts";

export class ReplayInputError extends Error {}

/** Quarantined rows not yet replayed, of each entity asked for, with the entity on each row. */
export async function listQuarantine(dir: string, entities: readonly string[]): Promise<Row[]> {
  const w = await Warehouse.open(dir);
  try {
    const out: Row[] = [];
    for (const entity of entities) for (const r of await w.quarantine(entity)) out.push({ entity, ...r });
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

/** The key of a raw record, from the entity's key columns' source names (matched case-insensitively). */
function keyOf(entity: Entity, raw: Record<string, unknown>): string {
  const lower = new Map(Object.entries(raw).map(([k, v]) => [k.toLowerCase(), v]));
  return JSON.stringify(
    entity.key.map((k) => {
      const col = entity.columns.find((c) => c.name === k);
      const v = lower.get((col?.source ?? k).toLowerCase());
      return v === undefined || v === null ? null : String(v);
    }),
  );
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
      records.push(v as Record<string, unknown>);
    });
  if (records.length === 0) throw new ReplayInputError(`${file}: no rows to replay`);
  return records;
}

/**
 * Re-lands fixed quarantined rows (a `quarantine --export` file, edited) as a new landing batch,
 * runs the pipeline for the entity, and marks the earlier quarantine entries whose key now has an
 * accepted row as replayed by that run (`replayed_run_id`), so `quarantine` no longer lists them.
 */
export async function replayQuarantine(
  cfg: ResolvedConfig,
  entity: Entity,
  file: string,
  onProgress: (e: ProgressEvent) => void,
): Promise<ReplayResult> {
  const records = readRecords(file);
  const landed = await landRecords({
    store: new LocalLakeStore(cfg.lakeRoot),
    entity,
    records: (async function* () {
      yield* records;
    })(),
    source: { kind: "file", name: `quarantine-replay/${basename(file)}` },
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
    ...(cfg.memoryLimit && { memoryLimit: cfg.memoryLimit }),
    ...(cfg.threads && { threads: cfg.threads }),
    onProgress,
  });
  const run = runs.find((r) => r.entity === entity.name)!;
  const resolved = await markReplayed(cfg.dir, entity, landed.batchId, records, run.runId);
  return {
    entity: entity.name,
    file,
    batchId: landed.batchId,
    rows: records.length,
    accepted: resolved.accepted,
    quarantinedAgain: records.length - resolved.accepted,
    resolved: resolved.marked,
    run,
  };
}

/**
 * The pipeline keeps `replayed_run_id` on quarantine rows but nothing sets it: the replay does,
 * under the project's run lock, for entries whose key has an accepted row in the replay batch.
 */
async function markReplayed(
  dir: string,
  entity: Entity,
  batchId: string,
  records: readonly Record<string, unknown>[],
  runId: string,
): Promise<{ accepted: number; marked: number }> {
  const paths = projectPaths(dir);
  const lock = acquireRunLock(paths.lock, `${runId}-replay`);
  const instance = await DuckDBInstance.create(paths.warehouse);
  const con = await instance.connect();
  try {
    const table = `quarantine."${entity.name.replace(/"/g, '""')}"`;
    const read = async (sql: string, params: unknown[]) =>
      (await con.runAndReadAll(sql, params as never)).getRowObjectsJson() as Row[];
    const again = await read(`SELECT raw FROM ${table} WHERE _batch_id = $1`, [batchId]);
    const stillBroken = new Set(again.map((r) => keyOf(entity, JSON.parse(String(r.raw)))));
    const acceptedKeys = new Set(records.map((r) => keyOf(entity, r)).filter((k) => !stillBroken.has(k)));
    const accepted = records.filter((r) => acceptedKeys.has(keyOf(entity, r))).length;
    const open = await read(
      `SELECT _batch_id, _source_file, _row_number, raw FROM ${table} WHERE replayed_run_id IS NULL AND _batch_id <> $1`,
      [batchId],
    );
    let marked = 0;
    await con.run("BEGIN TRANSACTION");
    for (const q of open) {
      if (!acceptedKeys.has(keyOf(entity, JSON.parse(String(q.raw))))) continue;
      await con.run(
        `UPDATE ${table} SET replayed_run_id = $1 WHERE _batch_id = $2 AND _source_file = $3 AND _row_number = $4`,
        [runId, String(q._batch_id), String(q._source_file), Number(q._row_number)] as never,
      );
      marked++;
    }
    await con.run("COMMIT");
    return { accepted, marked };
  } finally {
    con.closeSync();
    instance.closeSync();
    lock.release();
  }
}
