import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type Entity,
  type LandingManifest,
  landingManifestSchema,
  MANIFEST_FILE,
  mapSourceColumns,
  quoteIdent,
  quoteString,
} from "@saleslake/schema";
import { PipelineError } from "../errors.ts";

export interface LandedBatch {
  readonly batchId: string;
  /** Absolute folder of the batch. */
  readonly dir: string;
  readonly manifest: LandingManifest;
}

/**
 * Landed batches of an entity in a local lake folder, oldest first. A batch folder without its
 * manifest is still being written (or was abandoned) and is not returned.
 */
export function listLandedBatches(lakeRoot: string, entity: string): LandedBatch[] {
  const base = join(lakeRoot, "landing", entity);
  if (!existsSync(base)) return [];
  const out: LandedBatch[] = [];
  for (const day of readdirSync(base)
    .filter((d) => d.startsWith("ingest_date="))
    .sort()) {
    for (const b of readdirSync(join(base, day))
      .filter((d) => d.startsWith("batch="))
      .sort()) {
      const dir = join(base, day, b);
      const manifestPath = join(dir, MANIFEST_FILE);
      if (!existsSync(manifestPath)) continue;
      const parsed = landingManifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, "utf8")));
      if (!parsed.success) {
        throw new PipelineError(
          "BAD_MANIFEST",
          `${manifestPath}: ${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`,
          "Re-land the batch; manifests are written by saleslake ingest.",
          { file: manifestPath },
        );
      }
      out.push({ batchId: parsed.data.batchId, dir, manifest: parsed.data });
    }
  }
  return out.sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
}

const sqlPath = (p: string) => quoteString("duckdb", p);
const q = (n: string) => quoteIdent("duckdb", n);

/**
 * Maps a landed file's columns onto the entity's source names (the schema's one mapping), and
 * applies the entity's contract for missing and unknown columns.
 */
export function mapColumns(
  entity: Entity,
  found: string[],
  file: string,
): { select: ReadonlyMap<string, string | null>; unknown: readonly string[] } {
  const m = mapSourceColumns(entity, found);
  if (m.duplicates.length > 0) {
    throw new PipelineError(
      "DUPLICATE_COLUMNS",
      `${file}: column ${m.duplicates.join(", ")} appears more than once`,
      "Rename or remove the repeated column in the source.",
      { file },
    );
  }
  if (m.missing.length > 0) {
    throw new PipelineError(
      "MISSING_COLUMNS",
      `${file}: missing column${m.missing.length > 1 ? "s" : ""} ${m.missing.join(", ")} for entity ${entity.name} (found: ${found.join(", ")})`,
      'Check the delimiter and header of the file, or declare the column nullable with contract missingColumns: "null".',
      { file },
    );
  }
  if (m.unknown.length > 0 && entity.contract.unknownColumns === "reject") {
    throw new PipelineError(
      "UNKNOWN_COLUMNS",
      `${file}: unknown column${m.unknown.length > 1 ? "s" : ""} ${m.unknown.join(", ")} for entity ${entity.name}`,
      'Add the columns to the entity, or set contract unknownColumns to "rescue" or "ignore".',
      { file },
    );
  }
  return { select: m.select, unknown: entity.contract.unknownColumns === "rescue" ? m.unknown : [] };
}

function projection(
  batchId: string,
  select: ReadonlyMap<string, string | null>,
  unknown: readonly string[],
  rawRef: (name: string) => string,
  file: string,
  rowNumber: string,
): string {
  const cols = [...select].map(
    ([source, found]) => `${found === null ? "CAST(NULL AS VARCHAR)" : rawRef(found)} AS ${q(source)}`,
  );
  const rescued = unknown.length
    ? `CAST(json_object(${unknown.map((u) => `${quoteString("duckdb", u)}, ${rawRef(u)}`).join(", ")}) AS VARCHAR)`
    : "CAST(NULL AS VARCHAR)";
  return `${quoteString("duckdb", batchId)} AS _batch_id, ${quoteString("duckdb", file)} AS _source_file, ${rowNumber} AS _row_number, ${rescued} AS _rescued_data, ${cols.join(", ")}`;
}

/**
 * DuckDB's CSV line limit, which also sizes its read buffers (16 lines' worth): the manifest's
 * longest record with room to spare, at least DuckDB's default 2 MiB; 256 MiB, the most landing
 * accepts, for manifests that do not say. A tight limit is what lets a memory-capped run read.
 */
export function csvMaxLineSize(longestRecordBytes: number | undefined): number {
  if (longestRecordBytes === undefined) return 256 * 1024 * 1024;
  let size = 2 * 1024 * 1024;
  while (size < longestRecordBytes * 2 && size < 256 * 1024 * 1024) size *= 2;
  return size;
}

/**
 * How the runner reads one landed batch: one relation per file, in order, each yielding the
 * lineage columns and every source column as text, straight from the file. Parquet brings its
 * row numbers (`file_row_number`); a CSV or JSON row's number is left NULL here and is its row id
 * in the stage table the file is read into, plus one (see DuckdbCompiler.bronze). Numbering on
 * the reader, `row_number() OVER ()`, would hold the parse, the rules and the stage to one thread
 * (10M rows: 35 s against 23 s on 2 cores).
 */
export interface LandedPart {
  /** The file's rows: lineage columns, then every source column as text. */
  readonly relation: string;
  /** The reader numbers the rows itself (Parquet); otherwise `_row_number` is NULL. */
  readonly numbered: boolean;
  /**
   * The relation with this file's path, batch and name left out: parts of one shape are read by
   * one plan, so what is learnt of the plan of one (see keepsOrder) holds for the others.
   */
  readonly shape: string;
}

export function batchRead(
  entity: Entity,
  batch: LandedBatch,
  jsonKeys: (path: string) => string[],
): LandedPart[] {
  const m = batch.manifest;
  return m.files.map((f) => {
    const path = join(batch.dir, f.path);
    const rel =
      `landing/${entity.name}/${batch.dir.split("/landing/" + entity.name + "/")[1] ?? ""}/${f.path}`.replace(
        /\/+/g,
        "/",
      );
    const part = partRead(entity, m, path, rel, jsonKeys);
    return {
      relation: part.read(path, batch.batchId, rel),
      numbered: part.numbered,
      shape: part.read("file", "batch", "source"),
    };
  });
}

/** How one landed file is read, given its path, batch id and lineage name. */
function partRead(
  entity: Entity,
  m: LandedBatch["manifest"],
  path: string,
  rel: string,
  jsonKeys: (path: string) => string[],
): { read: (path: string, batchId: string, rel: string) => string; numbered: boolean } {
  const stageRowNumber = "CAST(NULL AS BIGINT)";
  if (m.format === "csv") {
    const header = m.csv?.columns ?? [];
    const { select, unknown } = mapColumns(entity, header, rel);
    const columns = `{${header.map((h) => `${quoteString("duckdb", h)}: 'VARCHAR'`).join(", ")}}`;
    const options = `header = true, auto_detect = false, columns = ${columns}, delim = ${quoteString("duckdb", m.csv?.delimiter ?? ",")}, quote = ${quoteString("duckdb", m.csv?.quote ?? '"')}, escape = ${quoteString("duckdb", m.csv?.quote ?? '"')}, null_padding = true, strict_mode = false, max_line_size = ${csvMaxLineSize(m.csv?.longestRecordBytes)}${m.csv?.quotedNewlines ? ", parallel = false" : ""}, compression = ${m.compression === "gzip" ? "'gzip'" : "'none'"}`;
    return {
      read: (file, batchId, source) =>
        `SELECT ${projection(batchId, select, unknown, (n) => q(n), source, stageRowNumber)} FROM read_csv(${sqlPath(file)}, ${options})`,
      numbered: false,
    };
  }
  if (m.format === "parquet") {
    const found = jsonKeys(path);
    const { select, unknown } = mapColumns(entity, found, rel);
    return {
      read: (file, batchId, source) =>
        `SELECT ${projection(batchId, select, unknown, (n) => `CAST(${q(n)} AS VARCHAR)`, source, "file_row_number + 1")} FROM read_parquet(${sqlPath(file)}, file_row_number = true)`,
      numbered: true,
    };
  }
  const found = jsonKeys(path);
  const { select, unknown } = mapColumns(entity, found, rel);
  const format = m.format === "json" ? "'array'" : "'newline_delimited'";
  return {
    read: (file, batchId, source) =>
      `SELECT ${projection(batchId, select, unknown, (n) => `json_extract_string(json, ${quoteString("duckdb", `$.${JSON.stringify(n)}`)})`, source, stageRowNumber)} FROM read_json_objects(${sqlPath(file)}, format = ${format}${m.compression === "gzip" ? ", compression = 'gzip'" : ""})`,
    numbered: false,
  };
}
