import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import {
  assertSafeIdentifier,
  batchPath,
  type Entity,
  type LandingManifest,
  landingManifestSchema,
  MANIFEST_FILE,
  mapSourceColumns,
  newBatchId,
  partFileName,
  schemaFingerprint,
} from "@saleslake/schema";
import { IngestError } from "../errors.ts";
import { type FileInspection, type InspectOptions, inspectFile } from "../files/inspect-file.ts";
import type { LakeStore } from "../lake/lake-store.ts";

export interface LandFilesOptions extends InspectOptions {
  readonly store: LakeStore;
  readonly entity: Entity;
  /** Files landed together as one batch; they must share one format. */
  readonly paths: readonly string[];
  /** Land even when the same content was landed before. Default `false`. */
  readonly force?: boolean;
  /** Clock, for tests. Default: now. */
  readonly now?: Date;
}

export interface LandResult {
  /** `duplicate`: the same content was landed before, as `batchId`; nothing was written. */
  readonly status: "landed" | "duplicate";
  readonly batchId: string;
  readonly rows: number;
  readonly bytes: number;
  readonly files: readonly FileInspection[];
}

/** Landed batches of an entity (those with a manifest), oldest first. */
export async function listLandedManifests(store: LakeStore, entity: string): Promise<LandingManifest[]> {
  const paths = (await store.list(`landing/${entity}/`)).filter((p) => p.endsWith(`/${MANIFEST_FILE}`));
  const out: LandingManifest[] = [];
  for (const p of paths) {
    const parsed = landingManifestSchema.safeParse(JSON.parse((await store.get(p)).toString("utf8")));
    if (parsed.success) out.push(parsed.data);
  }
  return out.sort((a, b) => (a.batchId < b.batchId ? -1 : 1));
}

function checkColumns(entity: Entity, f: FileInspection): void {
  const m = mapSourceColumns(entity, f.columns);
  if (m.duplicates.length > 0) {
    throw new IngestError(
      "DUPLICATE_COLUMNS",
      `${f.path}: column ${m.duplicates.join(", ")} appears more than once`,
      "Rename or remove the repeated column.",
      { file: f.path },
    );
  }
  if (m.missing.length > 0) {
    const hint =
      f.columns.length === 1 && /[;\t|]/.test(f.columns[0]!)
        ? `The header looks delimited by ${JSON.stringify(/[;\t|]/.exec(f.columns[0]!)![0])}; pass that delimiter.`
        : 'Add the column to the source, or declare it nullable with contract missingColumns: "null".';
    throw new IngestError(
      "MISSING_COLUMNS",
      `${f.path}: missing column${m.missing.length > 1 ? "s" : ""} ${m.missing.join(", ")} for entity ${entity.name}`,
      hint,
      { file: f.path },
    );
  }
  if (m.unknown.length > 0 && entity.contract.unknownColumns === "reject") {
    throw new IngestError(
      "UNKNOWN_COLUMNS",
      `${f.path}: unknown column${m.unknown.length > 1 ? "s" : ""} ${m.unknown.join(", ")} for entity ${entity.name}`,
      "Add them to the entity, or let the contract rescue them.",
      { file: f.path },
    );
  }
}

/**
 * Lands files as one batch: each is checked while streaming (encoding, structure, columns
 * against the entity's contract), copied as-is into `landing/<entity>/ingest_date=…/batch=…/`,
 * and the manifest is written last, so a reader never sees a half-landed batch. The same
 * content landed again is recognised by its hash and skipped unless `force`.
 */
export async function landFiles(options: LandFilesOptions): Promise<LandResult> {
  const { store, entity } = options;
  assertSafeIdentifier(entity.name, "entity name");
  if (options.paths.length === 0)
    throw new IngestError("NO_FILES", "no files to land", "Name at least one file or folder.");
  const files: FileInspection[] = [];
  for (const p of options.paths) {
    const f = await inspectFile(p, options);
    checkColumns(entity, f);
    files.push(f);
  }
  const first = files[0]!;
  const mixed = files.find((f) => f.format !== first.format || f.compression !== first.compression);
  if (mixed) {
    throw new IngestError(
      "MIXED_FORMATS",
      `${mixed.path} is ${mixed.format}/${mixed.compression}, ${first.path} is ${first.format}/${first.compression}`,
      "Land files of one format per batch.",
      { file: mixed.path },
    );
  }
  const contentSha256 = createHash("sha256")
    .update(files.map((f) => f.sha256).join(""))
    .digest("hex");
  const rows = files.reduce((a, f) => a + f.rows, 0);
  const bytes = files.reduce((a, f) => a + f.bytes, 0);
  if (!options.force) {
    const prior = (await listLandedManifests(store, entity.name)).find(
      (m) => m.contentSha256 === contentSha256,
    );
    if (prior) return { status: "duplicate", batchId: prior.batchId, rows, bytes, files };
  }
  const now = options.now ?? new Date();
  const batchId = newBatchId(now, randomBytes(4).toString("hex"));
  const dir = batchPath("landing", entity.name, batchId);
  const ext = `${first.format}${first.compression === "gzip" ? ".gz" : ""}`;
  const entries = [];
  for (const [i, f] of files.entries()) {
    const path = partFileName(i, ext);
    const put = await store.put(`${dir}/${path}`, createReadStream(f.path));
    if (put.sha256 !== f.sha256) {
      throw new IngestError(
        "CORRUPT_FILE",
        `${f.path} changed while it was being landed`,
        "Land it again once the writer has finished.",
        { file: f.path },
      );
    }
    entries.push({ path, rows: f.rows, bytes: put.bytes, sha256: put.sha256 });
  }
  const manifest: LandingManifest = {
    version: 1,
    entity: entity.name,
    batchId,
    landedAt: now.toISOString(),
    source: { kind: "file", name: files.map((f) => basename(f.path)).join(",") },
    window: null,
    format: first.format,
    compression: first.compression,
    ...(first.format === "csv" && {
      csv: {
        delimiter: first.delimiter ?? ",",
        quote: '"',
        header: true as const,
        encoding: "utf-8" as const,
        columns: [...first.columns],
      },
    }),
    files: entries,
    rowCount: rows,
    bytes,
    contentSha256,
    schemaFingerprint: schemaFingerprint(entity),
  };
  await store.put(
    `${dir}/${MANIFEST_FILE}`,
    Buffer.from(`${JSON.stringify(landingManifestSchema.parse(manifest), null, 2)}\n`),
  );
  return { status: "landed", batchId, rows, bytes, files };
}
