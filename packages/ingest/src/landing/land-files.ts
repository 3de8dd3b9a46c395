import { stat } from "node:fs/promises";
import { type Entity, mapSourceColumns, sourceColumnNames } from "@saleslake/schema";
import { IngestError } from "../errors.ts";
import type { FileInspection, InspectOptions } from "../files/file-inspection.ts";
import { inspectFile } from "../files/inspect-file.ts";
import { type ResolveSourceOptions, resolveSourceFileNames } from "../files/resolve-source-files.ts";
import type { LakeStore, StagedWrite } from "../lake/lake-store.ts";
import { changedWhileLanding, type LandingFile, type LandResult, landBatch } from "./land-batch.ts";
import { refusedUnknownColumns } from "./unknown-columns.ts";

export interface LandFilesOptions extends InspectOptions, ResolveSourceOptions {
  readonly store: LakeStore;
  readonly entity: Entity;
  /** Files, folders or globs, landed together as one batch; they must share one format. */
  readonly paths: readonly string[];
  /** Land even when the same content was landed before. Default `false`. */
  readonly force?: boolean;
  /** Clock, for tests. Default: now. */
  readonly now?: Date;
}

/** Columns of a file that differ from the entity, kept per its contract. */
export interface ColumnDrift {
  readonly file: string;
  /** Found, not in the entity: rescued into `_rescued_data` or ignored, per `contract.unknownColumns`. */
  readonly unknown: readonly string[];
  /** Nullable entity columns the file lacks: read as NULL (`contract.missingColumns: "null"`). */
  readonly absent: readonly string[];
}

export interface LandFilesResult extends LandResult {
  /** Each file landed, with the name its part has in the manifest (`source`). */
  readonly files: readonly LandingFile[];
  /** Schema drift found and accepted under the entity's contract; empty when the files match. */
  readonly drift: readonly ColumnDrift[];
}

/**
 * Why a file's header may lack the entity's columns; `none` when it has none of them, `nullable`
 * how many are missing when every one is a nullable column (held back only by
 * `missingColumns: "reject"`), else 0.
 */
function missingColumnsHint(f: FileInspection, none: boolean, nullable: number): string {
  const first = f.columns[0] ?? "";
  if (f.format === "csv" && /^sep=.?$/i.test(first))
    return "The file starts with a spreadsheet's sep= line, not the header: remove that line, and pass the delimiter it names if it is not a comma.";
  const delimiter = f.columns.length === 1 ? /[;\t|]/.exec(first) : null;
  if (delimiter) {
    const d = delimiter[0] === "\t" ? "\\t" : delimiter[0];
    return `The header looks delimited by ${JSON.stringify(delimiter[0])}: pass that delimiter (--delimiter '${d}' to saleslake ingest and validate).`;
  }
  if (f.format === "csv" && none && /\.txt(\.gz)?$/i.test(f.path))
    return "None of the entity's columns is in the first line, and a .txt file is read as CSV: if this one is not data (a README, notes), leave it out, e.g. with a glob such as 'folder/*.csv'.";
  if (f.format === "csv" && none)
    return "None of the entity's columns is in the first line: is it the header, or a title above it? Remove any lines above the header.";
  // The columns are nullable already: only the contract keeps a file without them out, and a
  // column added to the entity (a nullable one, as schema changes go) is missing from every file
  // exported before it.
  if (nullable > 0) {
    const [these, them] = nullable === 1 ? ["The column is", "it"] : ["These columns are", "them"];
    return `${these} nullable: set contract: { missingColumns: "null" } on the entity to read ${them} as NULL from files without ${them}, or add ${them} to the source.`;
  }
  return 'Add the column to the source, or declare it nullable with contract missingColumns: "null".';
}

/**
 * Checks a file's columns against the entity's contract: rejects (`IngestError`), or returns the
 * drift it accepts. Landing checks every file with it; `saleslake validate` too.
 */
export function checkColumns(entity: Entity, f: FileInspection): ColumnDrift | undefined {
  // A JSON array or JSON Lines file names its columns in its records: with none, it has no
  // columns to be missing (an export of no rows, `[]`), and loads no rows, as a CSV header alone.
  if (f.rows === 0 && f.format !== "csv" && f.format !== "parquet") return undefined;
  const m = mapSourceColumns(entity, f.columns);
  if (m.duplicates.length > 0) {
    throw new IngestError(
      "DUPLICATE_COLUMNS",
      `${f.path}: column ${m.duplicates.join(", ")} appears more than once`,
      "Rename or remove the repeated column.",
      { file: f.path, row: 1 },
    );
  }
  if (m.missing.length > 0) {
    const required = new Set(
      sourceColumnNames(entity)
        .filter((c) => c.required)
        .map((c) => c.source),
    );
    const hint = missingColumnsHint(
      f,
      m.missing.length === mapSourceColumns(entity, []).missing.length,
      m.missing.every((source) => !required.has(source)) ? m.missing.length : 0,
    );
    // What was read as the header, so that a title line or a wrong delimiter shows.
    const found = f.columns.map((c) => JSON.stringify(c)).join(", ");
    throw new IngestError(
      "MISSING_COLUMNS",
      `${f.path}: missing column${m.missing.length > 1 ? "s" : ""} ${m.missing.join(", ")} for entity ${entity.name} (found: ${found.length > 300 ? `${found.slice(0, 300)}…` : found})`,
      hint,
      { file: f.path, row: 1, rule: "contract.missingColumns" },
    );
  }
  const refused = refusedUnknownColumns(entity, m.unknown);
  if (refused) {
    const { names } = refused;
    throw new IngestError(
      "UNKNOWN_COLUMNS",
      refused.reason === "unknown"
        ? `${f.path}: unknown column${names.length > 1 ? "s" : ""} ${names.map((n) => n || '""').join(", ")} for entity ${entity.name}`
        : `${f.path}: a key with no name ("") holds values for entity ${entity.name}, which _rescued_data cannot keep`,
      refused.hint,
      { file: f.path, ...(refused.reason === "unknown" && { row: 1 }), rule: "contract.unknownColumns" },
    );
  }
  const absent = [...m.select].filter(([, found]) => found === null).map(([source]) => source);
  return m.unknown.length > 0 || absent.length > 0 ? { file: f.path, unknown: m.unknown, absent } : undefined;
}

/**
 * Lands files as one batch: files, folders and globs are expanded; each file is checked while
 * streaming (encoding, structure, columns against the entity's contract) before anything is
 * written; then the bytes are copied as they are, and the manifest written last.
 */
export async function landFiles(options: LandFilesOptions): Promise<LandFilesResult> {
  const { store, entity } = options;
  if (options.paths.length === 0)
    throw new IngestError("NO_FILES", "no files to land", "Name at least one file or folder.");
  const paths = await resolveSourceFileNames(
    options.paths,
    options.baseDir === undefined ? {} : { baseDir: options.baseDir },
  );
  const files: LandingFile[] = [];
  const drift: ColumnDrift[] = [];
  // Where the store can stage a write, each file is copied into the lake by the same read that
  // checks it, and published as its batch's part once the batch is known; a file that fails its
  // checks, a landing that fails, or content landed before leaves nothing behind.
  const staged: StagedWrite[] = [];
  try {
    for (const p of paths) {
      const stage = await store.stage?.(`landing/${entity.name}`);
      if (stage) staged.push(stage);
      const before = stage && (await stat(p.path));
      const f = await inspectFile(p.path, stage ? { ...options, copyTo: stage.stream } : options);
      // One read: a writer still at work shows as a size or modification time that moved.
      if (before) {
        const after = await stat(p.path);
        if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || f.bytes !== after.size)
          throw changedWhileLanding(p.path);
      }
      const d = checkColumns(entity, f);
      if (d) drift.push(d);
      files.push({ ...f, source: p.name, ...(stage && { staged: stage }) });
    }
    const landed = await landBatch(
      store,
      entity,
      { kind: "files", files },
      {
        ...(options.force !== undefined && { force: options.force }),
        ...(options.now && { now: options.now }),
      },
    );
    // A files input always has parts, so a batch or its earlier twin is always returned.
    if (!landed) throw new IngestError("NO_FILES", "no files to land", "Name at least one file or folder.");
    return { ...landed, files: files.map(({ staged: _, ...f }) => f), drift };
  } finally {
    await Promise.all(staged.map((s) => s.discard()));
  }
}
