import { readFileSync } from "node:fs";
import { open, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
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
import {
  batchPath,
  type Entity,
  isBatchId,
  isLandedPartOf,
  type LandingManifest,
  MANIFEST_FILE,
  type QuarantineEntry,
} from "@saleslake/schema";
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
 * What the text view shows: per entity asked for, how many rows are held back and how many
 * broke each rule (most first), counted in the warehouse; and the first `limit` rows alone, with
 * the entity and, when the lake still has the batch's manifest, `source` on each (see `heldRows`).
 */
export async function quarantineOverview(
  dir: string,
  entities: readonly string[],
  lakeRoot: string,
  limit: number,
): Promise<{ summaries: QuarantineSummary[]; rows: Row[] }> {
  const w = await Warehouse.open(dir);
  try {
    const summaries: QuarantineSummary[] = [];
    for (const entity of entities) summaries.push({ entity, ...(await w.quarantineSummary(entity)) });
    const rows: Row[] = [];
    for (const entity of entities) {
      if (rows.length >= limit) break;
      rows.push(...(await sourced(lakeRoot, entity)(await w.quarantine(entity, limit - rows.length))));
    }
    return { summaries, rows };
  } finally {
    w.close();
  }
}

/**
 * Every quarantined row not yet replayed, of each entity asked for, a chunk at a time, each row
 * with its entity and, when the lake still has the batch's manifest, `source`: the file (or
 * database or API source) it was landed from. Memory holds one chunk, whatever the quarantine
 * holds.
 */
export async function* heldRows(
  w: Warehouse,
  entities: readonly string[],
  lakeRoot: string,
): AsyncGenerator<Row[]> {
  for (const entity of entities) {
    const withSource = sourced(lakeRoot, entity);
    for await (const chunk of w.quarantineChunks(entity)) yield await withSource(chunk);
  }
}

/** Adds `entity` and `source` to held rows of `entity`, reading each batch's manifest once. */
function sourced(lakeRoot: string, entity: string): (held: Row[]) => Promise<Row[]> {
  const read = new Set<string>();
  const sources = new Map<string, string>();
  return async (held) => {
    const batches = new Set(held.map((r) => String(r._batch_id)).filter((b) => !read.has(b)));
    for (const b of batches) read.add(b);
    if (batches.size)
      for (const [file, name] of await sourcesOf(lakeRoot, entity, batches)) sources.set(file, name);
    return held.map((r) => ({ entity, source: sources.get(String(r._source_file)) ?? null, ...r }));
  };
}

/**
 * Writes the rows as `quarantine --export` lines to `file`, through a file beside it that takes
 * its place once every row is written: an export that fails leaves `file` as it was. Returns how
 * many rows it wrote.
 */
export async function exportQuarantine(file: string, chunks: AsyncIterable<Row[]>): Promise<number> {
  const partial = join(dirname(file), `.${basename(file)}.${process.pid}.partial`);
  const out = await open(partial, "w");
  let n = 0;
  try {
    for await (const chunk of chunks) {
      await out.write(chunk.map(exportLine).join(""));
      n += chunk.length;
    }
    await out.close();
    await rename(partial, file);
    return n;
  } catch (e) {
    await out.close().catch(() => {});
    await rm(partial, { force: true });
    throw e;
  }
}

export interface QuarantineSummary {
  readonly entity: string;
  readonly rows: number;
  readonly rules: readonly (readonly [rule: string, rows: number])[];
}

/**
 * The field of an exported row naming the batch it was first landed in. A replay lands the fixed
 * row right after that batch in landing order (see `batchIdAfter`), so that, for an entity whose
 * newest version is the last landed (no sequence column), it never wins over a version of its key
 * landed after it. A row without it (written by hand) is landed as a new batch.
 */
export const FIRST_BATCH_FIELD = "_saleslake_batch_id";

/**
 * The fields of an exported row naming, with its first batch, the quarantine entry it is: the
 * landed part (`_source_file`) and the row's number there. The run that loads the fixed row
 * marks that entry replayed, whatever the fix changed, its key included: resolved when the row is
 * accepted, superseded by the row's new entry when it is quarantined again. A row without them
 * resolves, once accepted, the entries of its key.
 */
export const SOURCE_FILE_FIELD = "_saleslake_source_file";
export const ROW_NUMBER_FIELD = "_saleslake_row_number";

/** A quarantined row as `quarantine --export` writes it: its raw values and the entry it is. */
export function exportLine(r: Row): string {
  const raw = JSON.parse(String(r.raw)) as Record<string, unknown>;
  return `${JSON.stringify({
    ...raw,
    [FIRST_BATCH_FIELD]: String(r._batch_id),
    [SOURCE_FILE_FIELD]: String(r._source_file),
    [ROW_NUMBER_FIELD]: Number(r._row_number),
  })}\n`;
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
  /**
   * Earlier quarantine entries resolved by an accepted fixed row: the entry the row was exported
   * from, or, for a row naming none, those of its key.
   */
  readonly resolved: number;
  /**
   * Earlier quarantine entries whose fixed row was quarantined again: the row's new entry, under
   * its replay batch, takes their place in the `quarantine` list.
   */
  readonly superseded: number;
  readonly run: EntityRunResult;
}

/** A row of a replay file: the fields to land, and the quarantine entry it was exported from. */
interface ReplayRecord {
  readonly fields: Record<string, unknown>;
  readonly entry?: QuarantineEntry;
}

/**
 * The file's rows by the batch each was first landed in (`""`: none named), oldest first, each
 * with the quarantine entry it names (see `SOURCE_FILE_FIELD`).
 */
function readRecords(file: string, entity: string): Map<string, ReplayRecord[]> {
  const records = new Map<string, ReplayRecord[]>();
  /** The line naming each entry. */
  const lines = new Map<string, number>();
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      const at = `${file}:${i + 1}`;
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch {
        throw new ReplayInputError(`${at}: not a JSON object (the file is JSON Lines, one row a line)`);
      }
      if (v === null || typeof v !== "object" || Array.isArray(v))
        throw new ReplayInputError(`${at}: not a JSON object (the file is JSON Lines, one row a line)`);
      // The fields a CSV row had past its header are in its raw values to see, not a column to
      // land: the fixed row has the header's fields.
      const {
        [EXTRA_FIELDS]: _past,
        [FIRST_BATCH_FIELD]: first,
        [SOURCE_FILE_FIELD]: sourceFile,
        [ROW_NUMBER_FIELD]: rowNumber,
        ...fields
      } = v as Record<string, unknown>;
      if (first !== undefined && (typeof first !== "string" || !isBatchId(first)))
        throw new ReplayInputError(
          `${at}: ${FIRST_BATCH_FIELD} is ${JSON.stringify(first)}, not a batch id (leave it as exported, or take the field out to land the row as new)`,
        );
      let entry: QuarantineEntry | undefined;
      if (sourceFile !== undefined || rowNumber !== undefined) {
        const asExported = `leave ${FIRST_BATCH_FIELD}, ${SOURCE_FILE_FIELD} and ${ROW_NUMBER_FIELD} as exported, or take all three out to land the row as new`;
        if (first === undefined || sourceFile === undefined || rowNumber === undefined) {
          const missing = [FIRST_BATCH_FIELD, SOURCE_FILE_FIELD, ROW_NUMBER_FIELD].filter(
            (_, j) => [first, sourceFile, rowNumber][j] === undefined,
          );
          throw new ReplayInputError(`${at}: no ${missing.join(" or ")} (${asExported})`);
        }
        if (typeof sourceFile !== "string" || !isLandedPartOf(sourceFile, entity, first))
          throw new ReplayInputError(
            `${at}: ${SOURCE_FILE_FIELD} is ${JSON.stringify(sourceFile)}, not a landed part of batch ${first} of ${entity} (${asExported})`,
          );
        if (typeof rowNumber !== "number" || !Number.isSafeInteger(rowNumber) || rowNumber < 1)
          throw new ReplayInputError(
            `${at}: ${ROW_NUMBER_FIELD} is ${JSON.stringify(rowNumber)}, not a row number (${asExported})`,
          );
        entry = { batchId: first, sourceFile, rowNumber };
        const id = JSON.stringify([sourceFile, rowNumber]);
        const before = lines.get(id);
        if (before !== undefined)
          throw new ReplayInputError(
            `${at}: the same quarantined row as line ${before} (${sourceFile}, row ${rowNumber}); keep one fix of it`,
          );
        lines.set(id, i + 1);
      }
      const key = first ?? "";
      const row = { fields, ...(entry && { entry }) };
      const group = records.get(key);
      if (group) group.push(row);
      else records.set(key, [row]);
    });
  if (records.size === 0) throw new ReplayInputError(`${file}: no rows to replay`);
  // Oldest first; rows naming no batch last, as the newest landing.
  return new Map([...records].sort(([a], [b]) => (a === "" ? 1 : b === "" ? -1 : a < b ? -1 : 1)));
}

/**
 * Re-lands fixed quarantined rows (a `quarantine --export` file, edited), each right after the
 * batch it was first landed in, and runs the pipeline for the entity. Each replay batch's manifest
 * names the quarantine entry each row was exported from (`fixes`); the run marks those entries
 * replayed by it (`replayed_run_id`), so `quarantine` no longer lists them: resolved by an
 * accepted row, or superseded by the row's new entry when it is quarantined again. An accepted
 * row naming no entry (written by hand) resolves the entries of its key. A fixed row older than
 * the stored version of its key is counted stale, as it would have been had it passed the first
 * time.
 */
export async function replayQuarantine(
  cfg: ResolvedConfig,
  entity: Entity,
  file: string,
  onProgress: (e: ProgressEvent) => void,
  signal?: AbortSignal,
): Promise<ReplayResult> {
  const groups = readRecords(file, entity.name);
  const batchIds: string[] = [];
  for (const [first, records] of groups) {
    const landed = await landRecords({
      store: new LocalLakeStore(cfg.lakeRoot),
      entity,
      records: (async function* () {
        for (const r of records) yield r.fields;
      })(),
      fixes: records.map((r) => r.entry),
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
  // The run marks the entries its rows resolve or supersede, in the transaction of the data.
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
    superseded: run.quarantineSuperseded,
    run,
  };
}
