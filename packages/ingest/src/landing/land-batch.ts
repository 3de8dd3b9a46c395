import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import {
  assertSafeIdentifier,
  batchIdAfter,
  batchPath,
  type Entity,
  isBatchId,
  type LandingManifest,
  landingManifestSchema,
  MANIFEST_FILE,
  type ManifestFile,
  mapSourceColumns,
  newBatchId,
  partFileName,
  type QuarantineEntry,
  schemaFingerprint,
} from "@saleslake/schema";
import { IngestError } from "../errors.ts";
import { lineBreakName } from "../files/csv-scanner.ts";
import type { FileInspection } from "../files/file-inspection.ts";
import { loneSurrogate } from "../files/inspect-json.ts";
import { isSafeSourceName } from "../files/resolve-source-files.ts";
import { READ_CHUNK_BYTES } from "../files/stream-file.ts";
import type { LakeStore, StagedWrite } from "../lake/lake-store.ts";
import { claimContent, claimPath } from "./content-claim.ts";
import { listLandedBatches } from "./landed-batches.ts";
import { refusedUnknownColumns } from "./unknown-columns.ts";

/** An inspected file, and the name the batch gives it. */
export type LandingFile = FileInspection & {
  /**
   * The name the manifest gives the file (its part's `source`, the batch's name): a
   * forward-slash path relative to the folder it was found in (see `resolveSourceFileNames`).
   * Default: the base name of `path`.
   */
  readonly source?: string;
  /**
   * The file's bytes, copied into the lake by the read that inspected them (see
   * `LakeStore.stage`): published as the part, not read again.
   */
  readonly staged?: StagedWrite;
};

/** The name the manifest gives a landed file. */
const sourceName = (f: LandingFile) => f.source ?? basename(f.path);

/** What a batch is made of: inspected files landed byte for byte, or records written as JSON Lines. */
export type BatchInput =
  | {
      readonly kind: "files";
      /** Inspected files (see `inspectFile`), landed as parts in this order; one format per batch. */
      readonly files: readonly LandingFile[];
    }
  | {
      readonly kind: "records";
      /** Records keyed by the entity's source column names; pulled one part at a time. */
      readonly records: AsyncIterable<Record<string, unknown>>;
      readonly source: LandingManifest["source"];
      /** The watermark window read, or null. */
      readonly window: LandingManifest["window"];
      /** Records per part. Default `100_000`. */
      readonly rowsPerPart?: number;
      /** Gzip each part (`part-NNNNN.jsonl.gz`). Default `false`. */
      readonly gzip?: boolean;
      /**
       * Fixed quarantined rows: the quarantine entry each record was fixed from, by its position
       * among the records (none for a record fixing no known entry). Listed in its part's
       * manifest entry (`fixes`), by its row number there.
       */
      readonly fixes?: readonly (QuarantineEntry | undefined)[];
    };

export interface LandBatchOptions {
  /** Land even when the same content was landed before. Default `false`. */
  readonly force?: boolean;
  /** Clock, for tests. Default: now. */
  readonly now?: Date;
  /**
   * Land in landing order right after this batch (see `batchIdAfter`): as the first unused batch
   * id greater than it, not a new one at `now`. Fixed quarantined rows re-landed so take the place
   * of their first landing, so a row of theirs never wins over one landed after it.
   */
  readonly after?: string;
}

export interface LandResult {
  /** `duplicate`: the same content was landed before, as `batchId`; nothing new is visible. */
  readonly status: "landed" | "duplicate";
  readonly batchId: string;
  /** The batch folder in the lake. */
  readonly dir: string;
  readonly rows: number;
  readonly bytes: number;
  readonly contentSha256: string;
}

const sha256Of = (parts: readonly { sha256: string }[]) =>
  createHash("sha256")
    .update(parts.map((p) => p.sha256).join(""))
    .digest("hex");

/** Best-effort removal of parts written before a failure; without a manifest they are invisible anyway. */
async function removeParts(store: LakeStore, paths: readonly string[]): Promise<void> {
  await Promise.allSettled(paths.map((p) => store.delete(p)));
}

/**
 * Pulls records into JSON Lines chunks of about 64 KiB, up to `limit` records; `next` is shared
 * across parts. A record holding half of a UTF-16 surrogate pair alone (a string the source cut in
 * the middle of a character) is refused, naming it: the engines' JSON readers refuse the part.
 */
async function* jsonLines(
  iterator: AsyncIterator<Record<string, unknown>>,
  state: { next: IteratorResult<Record<string, unknown>> },
  limit: number,
  counter: { rows: number },
  keys: Set<string>,
  where: { readonly source: string; readonly before: number },
): AsyncGenerator<Buffer> {
  let text = "";
  while (!state.next.done && counter.rows < limit) {
    for (const k of Object.keys(state.next.value)) keys.add(k);
    const line = JSON.stringify(state.next.value);
    // JSON.stringify writes a pair as its character and a lone half as an escape.
    const lone = line.includes("\\ud") ? loneSurrogate(state.next.value) : undefined;
    if (lone !== undefined) {
      const row = where.before + counter.rows + 1;
      throw new IngestError(
        "INVALID_RECORDS",
        `${where.source}: record ${row} holds a lone UTF-16 surrogate (${JSON.stringify(lone).slice(0, 60)}), which is no character`,
        "The source wrote half of a character (a string cut in the middle of one): fix the value at the source, then land again. Nothing was landed.",
        { row, rule: "encoding.surrogate" },
      );
    }
    text += `${line}\n`;
    counter.rows++;
    if (text.length >= 65_536) {
      yield Buffer.from(text);
      text = "";
    }
    state.next = await iterator.next();
  }
  if (text) yield Buffer.from(text);
}

/**
 * The columns of a batch of records: every key its records have, then each column the entity
 * reads that no key holds. A record source (a database reader, an API) leaves out a key whose
 * value is null as often as not; a column absent from every record of a window is a column of
 * NULL values, each row then checked by the entity's rules like any other, not a missing column.
 */
function recordColumns(entity: Entity, keys: ReadonlySet<string>): string[] {
  const absent = [...mapSourceColumns(entity, [...keys]).select].filter(([, hit]) => hit === null);
  return [...keys, ...absent.map(([source]) => source)];
}

async function writeRecordParts(
  store: LakeStore,
  dir: string,
  input: Extract<BatchInput, { kind: "records" }>,
  written: string[],
  keys: Set<string>,
): Promise<LandingManifest["files"]> {
  const perPart = Math.max(1, input.rowsPerPart ?? 100_000);
  const iterator = input.records[Symbol.asyncIterator]();
  const state = { next: await iterator.next() };
  const files: ManifestFile[] = [];
  let landed = 0;
  try {
    while (!state.next.done) {
      const path = partFileName(files.length, input.gzip ? "jsonl.gz" : "jsonl");
      const counter = { rows: 0 };
      let body: Readable = Readable.from(
        jsonLines(iterator, state, perPart, counter, keys, { source: input.source.name, before: landed }),
      );
      if (input.gzip) {
        const gz = createGzip();
        pipeline(body, gz).catch(() => {}); // a failure reaches put through gz
        body = gz;
      }
      written.push(`${dir}/${path}`);
      const put = await store.put(`${dir}/${path}`, body);
      const fixes = (input.fixes ?? [])
        .slice(landed, landed + counter.rows)
        .flatMap((entry, i) => (entry ? [{ row: i + 1, entry }] : []));
      files.push({ path, rows: counter.rows, ...put, ...(fixes.length > 0 && { fixes }) });
      landed += counter.rows;
    }
    if ((input.fixes?.length ?? 0) > landed)
      throw new IngestError(
        "BAD_OPTIONS",
        `${input.fixes?.length} quarantine entries for ${landed} record(s)`,
        "Give one entry (or none) per record, in the order of the records.",
      );
  } catch (e) {
    await iterator.return?.();
    throw e;
  }
  return files;
}

async function writeFileParts(
  store: LakeStore,
  dir: string,
  files: readonly LandingFile[],
  written: string[],
): Promise<LandingManifest["files"]> {
  const out: ManifestFile[] = [];
  for (const [i, f] of files.entries()) {
    const path = partFileName(i, `${f.format}${f.compression === "gzip" ? ".gz" : ""}`);
    written.push(`${dir}/${path}`);
    // Staged: the bytes inspected are the bytes written, read and hashed once. Else read again,
    // and the copy's hash must be the inspection's.
    if (f.staged) await f.staged.publish(`${dir}/${path}`);
    else {
      const put = await store.put(
        `${dir}/${path}`,
        createReadStream(f.path, { highWaterMark: READ_CHUNK_BYTES }),
      );
      if (put.sha256 !== f.sha256 || put.bytes !== f.bytes) throw changedWhileLanding(f.path);
    }
    out.push({
      path,
      rows: f.rows,
      bytes: f.bytes,
      sha256: f.sha256,
      ...(f.parquetSchema && { parquetSchema: f.parquetSchema }),
      ...(f.nanosecondTimestamps?.length && { nanosecondTimestamps: [...f.nanosecondTimestamps] }),
      source: sourceName(f),
    });
  }
  return out;
}

/** A file whose bytes moved while it was landed: a writer still at work. */
export function changedWhileLanding(file: string): IngestError {
  return new IngestError(
    "CORRUPT_FILE",
    `${file} changed while it was being landed`,
    "Land it again once the writer has finished.",
    { file },
  );
}

/** The manifest's `mostFields`: set when a part has a record with more fields than the header. */
function mostFields(files: readonly FileInspection[], header: number): { mostFields?: number } {
  const most = files.reduce((a, f) => Math.max(a, f.mostFields ?? 0), 0);
  return most > header ? { mostFields: most } : {};
}

function checkOneFormat(files: readonly LandingFile[]): FileInspection {
  const first = files[0];
  if (!first) throw new IngestError("NO_FILES", "no files to land", "Name at least one file or folder.");
  for (const f of files) {
    // A row's file is found by this name alone: one that climbs out of its folder names none.
    if (f.source !== undefined && !isSafeSourceName(f.source)) {
      throw new IngestError(
        "UNSAFE_PATH",
        `${f.path}: its name ${JSON.stringify(f.source)} is not a path below a folder`,
        "Name the file by its path below the folder it was found in, with / between names and no '..'.",
        { file: f.path },
      );
    }
    if (f.format !== first.format || f.compression !== first.compression) {
      throw new IngestError(
        "MIXED_FORMATS",
        `${f.path} is ${f.format}/${f.compression}, ${first.path} is ${first.format}/${first.compression}`,
        "Land files of one format per batch.",
        { file: f.path },
      );
    }
    // Spark reads a batch with line breaks in quoted values at one line break, the manifest's.
    if (f.format === "csv" && f.lineBreak !== first.lineBreak && files.some((g) => g.quotedNewlines)) {
      throw new IngestError(
        "MIXED_FORMATS",
        `${f.path}: its lines end in ${lineBreakName(f.lineBreak)}, those of ${first.path} in ${lineBreakName(first.lineBreak)}, and a quoted value in the batch holds a line break`,
        "Land these files as separate batches, or give their lines the same ending.",
        { file: f.path, rule: "csv.lineBreaks" },
      );
    }
    // Engines read every CSV part of a batch with the manifest's one header and delimiter.
    if (
      f.format === "csv" &&
      (f.delimiter !== first.delimiter || f.columns.join("\u0000") !== first.columns.join("\u0000"))
    ) {
      throw new IngestError(
        "MIXED_FORMATS",
        `${f.path}: its header differs from ${first.path} (${f.columns.join(",")} vs ${first.columns.join(",")})`,
        "Land CSV files with different headers as separate batches.",
        { file: f.path },
      );
    }
  }
  return first;
}

/**
 * The keys of a batch of records against the entity's contract, as landing checks a file's
 * header (see refusedUnknownColumns). Missing keys are not refused: a record leaves out a column
 * that is null, and the manifest lists the batch's columns. Refused here, before the manifest,
 * the batch is not landed; landed, every run would refuse it.
 */
function refuseRecordColumns(entity: Entity, source: string, keys: ReadonlySet<string>): void {
  const refused = refusedUnknownColumns(entity, mapSourceColumns(entity, [...keys]).unknown);
  if (!refused) return;
  const { names } = refused;
  const what =
    refused.reason === "unknown"
      ? `unknown field${names.length > 1 ? "s" : ""} ${names.map((n) => JSON.stringify(n)).join(", ")}`
      : 'a field with no name ("")';
  throw new IngestError(
    "UNKNOWN_COLUMNS",
    `${source}: ${what} for entity ${entity.name}, in records of this window; nothing was landed`,
    refused.hint,
    { rule: "contract.unknownColumns" },
  );
}

/**
 * Lands one batch: the parts first, then `_manifest.json` LAST, so a reader never sees a
 * half-landed batch. Content already landed (same content hash, and for records the same
 * window) is not landed again unless `force`: file content is checked before anything is
 * written; records are hashed as they are written, and the parts removed when they turn out
 * to be a duplicate. Two landings of one content at once land it once: each claims the content
 * (see claimContent) before its manifest, and the one that does not get the claim lands
 * nothing. On failure the parts written so far, and the claim, are removed.
 * Returns undefined for a records input with no records (no empty batches).
 */
export async function landBatch(
  store: LakeStore,
  entity: Entity,
  input: BatchInput,
  options: LandBatchOptions = {},
): Promise<LandResult | undefined> {
  try {
    assertSafeIdentifier(entity.name, "entity name");
  } catch (e) {
    throw new IngestError("UNSAFE_PATH", (e as Error).message, "Entity names are lower snake case.", {
      cause: e,
    });
  }
  const now = options.now ?? new Date();
  const batchId =
    options.after === undefined
      ? newBatchId(now, randomBytes(4).toString("hex"))
      : await unusedBatchIdAfter(store, entity.name, options.after);
  const dir = batchPath("landing", entity.name, batchId);
  const window = input.kind === "records" ? input.window : null;
  const priorSame = async (contentSha256: string) =>
    options.force
      ? undefined
      : (await listLandedBatches(store, entity.name)).find(
          (b) =>
            b.manifest.contentSha256 === contentSha256 &&
            JSON.stringify(b.manifest.window) === JSON.stringify(window),
        );

  const duplicateOf = async (contentSha256: string): Promise<LandResult | undefined> => {
    const prior = await priorSame(contentSha256);
    return (
      prior && {
        status: "duplicate",
        batchId: prior.batchId,
        dir: prior.dir,
        rows: prior.manifest.rowCount,
        bytes: prior.manifest.bytes,
        contentSha256,
      }
    );
  };
  /** The content's claim, once this landing holds it. */
  let claim: string | undefined;
  /** Claims the content: undefined when this landing goes on, else the landing that has it. */
  const claimed = async (contentSha256: string): Promise<LandResult | undefined> => {
    if (options.force) return undefined;
    const path = claimPath(entity.name, contentSha256, window);
    if ((await claimContent(store, entity.name, path, batchId, now)) === "claimed") {
      claim = path;
      return undefined;
    }
    const other = await duplicateOf(contentSha256);
    if (other) return other;
    throw new IngestError(
      "LANDING_IN_PROGRESS",
      `${entity.name}: the content was landed by another landing, whose manifest is not readable`,
      "Land again.",
    );
  };

  const first = input.kind === "files" ? checkOneFormat(input.files) : undefined;
  if (input.kind === "files") {
    const contentSha256 = sha256Of(input.files);
    const prior = (await duplicateOf(contentSha256)) ?? (await claimed(contentSha256));
    if (prior) return prior;
  }

  const written: string[] = [];
  const keys = new Set<string>();
  try {
    const files =
      input.kind === "files"
        ? await writeFileParts(store, dir, input.files, written)
        : await writeRecordParts(store, dir, input, written, keys);
    if (files.length === 0) return undefined;
    if (input.kind === "records") refuseRecordColumns(entity, input.source.name, keys);
    const contentSha256 = sha256Of(files);
    const rows = files.reduce((a, f) => a + f.rows, 0);
    const bytes = files.reduce((a, f) => a + f.bytes, 0);
    if (input.kind === "records") {
      const prior = (await duplicateOf(contentSha256)) ?? (await claimed(contentSha256));
      if (prior) {
        await removeParts(store, written);
        return { ...prior, rows, bytes };
      }
    }
    const manifest: LandingManifest = {
      version: 1,
      entity: entity.name,
      batchId,
      landedAt: now.toISOString(),
      source:
        input.kind === "records"
          ? input.source
          : { kind: "file", name: input.files.map(sourceName).join(",") },
      window,
      format: first?.format ?? "jsonl",
      compression: first?.compression ?? (input.kind === "records" && input.gzip ? "gzip" : "none"),
      ...(first?.format === "csv" && {
        csv: {
          delimiter: first.delimiter ?? ",",
          quote: '"',
          header: true as const,
          encoding: "utf-8" as const,
          columns: [...first.columns],
          ...(input.kind === "files" &&
            input.files.some((f) => f.quotedNewlines) && {
              quotedNewlines: true,
              ...(first.lineBreak !== undefined &&
                first.lineBreak !== "\n" && { lineBreak: first.lineBreak }),
            }),
          ...(input.kind === "files" && {
            longestRecordBytes: Math.max(0, ...input.files.map((f) => f.longestRecordBytes ?? 0)),
          }),
          ...(input.kind === "files" && mostFields(input.files, first.columns.length)),
        },
      }),
      ...(input.kind === "records" && { columns: recordColumns(entity, keys) }),
      files,
      rowCount: rows,
      bytes,
      contentSha256,
      schemaFingerprint: schemaFingerprint(entity),
    };
    await store.put(
      `${dir}/${MANIFEST_FILE}`,
      Buffer.from(`${JSON.stringify(landingManifestSchema.parse(manifest), null, 2)}\n`),
    );
    return { status: "landed", batchId, dir, rows, bytes, contentSha256 };
  } catch (e) {
    await removeParts(store, claim ? [...written, claim] : written);
    throw e;
  }
}

/** The first batch id after `after` that no landing of the entity uses, finished or not. */
async function unusedBatchIdAfter(store: LakeStore, entity: string, after: string): Promise<string> {
  if (!isBatchId(after))
    throw new IngestError(
      "BAD_OPTIONS",
      `not a batch id: ${JSON.stringify(after)}`,
      "Batch ids look like 20260301T100000123Z-0a1b2c3d.",
    );
  let id = batchIdAfter(after);
  while ((await store.list(`${batchPath("landing", entity, id)}/`)).length > 0) id = batchIdAfter(id);
  return id;
}
