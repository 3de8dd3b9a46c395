import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  batchIngestDate,
  type Column,
  datetimeSources,
  duckdbFloatTextSql,
  type Entity,
  isoDatetimeTextSql,
  type LandingManifest,
  landingManifestSchema,
  MANIFEST_FILE,
  mapSourceColumns,
  quoteIdent,
  quoteString,
  schemaFingerprint,
  typedDatetimeTextSql,
} from "@saleslake/schema";
import { PipelineError } from "../errors.ts";
import { joinedJsonObjects, type PartLineage } from "../query-compiler/plan-compiler.ts";

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
      const bad = (why: string) =>
        new PipelineError(
          "BAD_MANIFEST",
          `${manifestPath}: ${why}`,
          "Re-land the batch; manifests are written by saleslake ingest.",
          {
            file: manifestPath,
          },
        );
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(manifestPath, "utf8"));
      } catch (e) {
        throw bad(`not valid JSON (${(e as Error).message})`);
      }
      const parsed = landingManifestSchema.safeParse(json);
      if (!parsed.success) {
        throw bad(`${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}`);
      }
      const m = parsed.data;
      // The batch's files are read by a path built from its folder: the folder must be the one
      // the contract names for the manifest's batch (a folder named otherwise, "batch=*" say,
      // would read other batches' files as this one's).
      if (
        m.entity !== entity ||
        day !== `ingest_date=${batchIngestDate(m.batchId)}` ||
        b !== `batch=${m.batchId}`
      )
        throw bad(`names batch ${m.batchId} of ${m.entity}, but lies in ${dir}`);
      out.push({ batchId: m.batchId, dir, manifest: m });
    }
  }
  return out.sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
}

const sqlPath = (p: string) => quoteString("duckdb", p);
const q = (n: string) => quoteIdent("duckdb", n);

/** Each entity's schema fingerprint, hashed once however many parts a run maps. */
const fingerprints = new WeakMap<Entity, string>();
function fingerprintOf(entity: Entity): string {
  const known = fingerprints.get(entity);
  if (known !== undefined) return known;
  const f = schemaFingerprint(entity);
  fingerprints.set(entity, f);
  return f;
}

/**
 * Maps a landed file's columns onto the entity's source names (the schema's one mapping), and
 * applies the entity's contract for missing and unknown columns. A JSON file finds its columns in
 * its manifest's `columns` when its writer declared them, else in its rows: one with no rows
 * (`empty`; Data Factory's Copy writes one for a window with no change) lacks no value, and reads
 * as every column absent.
 *
 * A batch landed under another definition of the entity (`landedUnder`, its manifest's schema
 * fingerprint) passed the contract of its time: a nullable column it lacks may have been added
 * since (a compatible change), and reads as NULL whatever the contract says of missing columns
 * now. A column declared NOT NULL is still required.
 */
export function mapColumns(
  entity: Entity,
  found: string[],
  file: string,
  empty = false,
  landedUnder?: string,
): { select: ReadonlyMap<string, string | null>; unknown: readonly string[] } {
  const earlier = landedUnder !== undefined && landedUnder !== fingerprintOf(entity);
  const m = mapSourceColumns(
    earlier ? { ...entity, contract: { ...entity.contract, missingColumns: "null" } } : entity,
    found,
  );
  if (empty && found.length === 0) return { select: m.select, unknown: [] };
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
  lineage: Lineage,
  select: ReadonlyMap<string, string | null>,
  unknown: readonly string[],
  rawRef: (name: string) => string,
  rowNumber: string,
  fields = "0",
  past?: string,
): string {
  const cols = [...select].map(
    ([source, found]) => `${found === null ? "CAST(NULL AS VARCHAR)" : rawRef(found)} AS ${q(source)}`,
  );
  // The row's values of the unknown columns, as a JSON object of those it has (null values
  // left out, as Spark's to_json leaves them), or NULL when it has none.
  const known = unknown.length
    ? `CASE WHEN coalesce(${unknown.map(rawRef).join(", ")}) IS NOT NULL THEN CAST(to_json(map_from_entries(list_filter([${unknown.map((u) => `{'k': ${quoteString("duckdb", u)}, 'v': ${rawRef(u)}}`).join(", ")}], lambda e: e.v IS NOT NULL))) AS VARCHAR) END`
    : undefined;
  // A CSV row's fields past its header join them, as one more key (see partRead).
  const rescued =
    known && past
      ? `CASE WHEN ${past} IS NULL THEN ${known} WHEN ${known} IS NULL THEN ${past} ELSE ${joinedJsonObjects(known, past)} END`
      : (known ?? past ?? "CAST(NULL AS VARCHAR)");
  return `${lineage.batchId} AS _batch_id, ${lineage.sourceFile} AS _source_file, ${rowNumber} AS _row_number, ${rescued} AS _rescued_data, ${fields} AS _fields, ${cols.join(", ")}`;
}

/** One landed file: where it lies, its batch, and its name in lineage (`landing/<entity>/…`). */
interface LandedFile {
  readonly path: string;
  readonly batchId: string;
  readonly rel: string;
}

/** The column a CSV read puts a row's first field past its header's in (see partRead). */
export const EXTRA_FIELDS = "_saleslake_extra_fields";

/**
 * The null string of a CSV read: one no file has, so that a field is read as text, empty or not,
 * and only a field a short row lacks is NULL (see partRead).
 */
const CSV_NO_NULL = "\u0001saleslake:no-null\u0001";

/** The column a read of several files names each row's file in (DuckDB's `filename` option). */
const FILE_COLUMN = "_saleslake_file";

/** SQL expressions of a part's lineage: constants for one file, looked up by file for several. */
interface Lineage {
  readonly from: string;
  readonly batchId: string;
  readonly sourceFile: string;
}

function lineage(files: readonly LandedFile[]): Lineage {
  const [first] = files;
  if (files.length === 1 && first) {
    return {
      from: sqlPath(first.path),
      batchId: quoteString("duckdb", first.batchId),
      sourceFile: quoteString("duckdb", first.rel),
    };
  }
  const byFile = (value: (f: LandedFile) => string) =>
    `CASE ${q(FILE_COLUMN)} ${files.map((f) => `WHEN ${sqlPath(f.path)} THEN ${quoteString("duckdb", value(f))}`).join(" ")} END`;
  const oneBatch = files.every((f) => f.batchId === first?.batchId);
  return {
    from: `[${files.map((f) => sqlPath(f.path)).join(", ")}]`,
    batchId: oneBatch && first ? quoteString("duckdb", first.batchId) : byFile((f) => f.batchId),
    sourceFile: byFile((f) => f.rel),
  };
}

/**
 * Most fields past a CSV header a read keeps. Every row is read with that many more columns, so
 * a row of thousands of stray delimiters would slow the whole file; its line is still landed.
 */
export const MAX_EXTRA_FIELDS = 256;

/**
 * The columns a CSV read takes past the header: `_saleslake_extra_fields`, then `…_2` and on,
 * as many as the widest record needs (the manifest's `mostFields`; one when it has none, as a
 * batch landed before it was recorded), at most MAX_EXTRA_FIELDS. A read keeps no field past
 * its last column.
 */
function extraFieldColumns(header: readonly string[], mostFields: number | undefined): string[] {
  const n = Math.min(MAX_EXTRA_FIELDS, Math.max(1, (mostFields ?? 0) - header.length));
  const names = Array.from({ length: n }, (_, i) => (i === 0 ? EXTRA_FIELDS : `${EXTRA_FIELDS}_${i + 1}`));
  return names.some((c) => header.includes(c)) ? [EXTRA_FIELDS] : names;
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
 * A key of a JSON object as a JSON Pointer (RFC 6901): every key, the empty one too, which a
 * `$."…"` path cannot name.
 */
function jsonPointer(key: string): string {
  return `/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`;
}

/**
 * DuckDB's CSV read buffer for a line limit: its default (16 lines' worth) up to 32 MiB, then two
 * lines' worth. A file with 40 MB records reads in 256 MiB buffers, not 2 GiB ones that no memory
 * limit under that could hold.
 */
export function csvBufferSize(maxLineSize: number): number {
  return Math.max(Math.min(16 * maxLineSize, 32 * 1024 * 1024), 2 * maxLineSize);
}

/**
 * How the runner reads the landed batches of a run: one relation per part, in order, each
 * yielding the lineage columns and every source column as text, straight from the files.
 * Parquet brings its row numbers (`file_row_number`); a CSV or JSON row's number is left NULL
 * here and is its row id in the stage table the part is read into, plus one, less the row id of
 * its file's first row when the part reads several files (see DuckdbCompiler.bronze). Numbering
 * on the reader, `row_number() OVER ()`, would hold the parse, the rules and the stage to one
 * thread (10M rows: 35 s against 23 s on 2 cores).
 */
export interface LandedPart {
  /** The part's rows: lineage columns, then every source column as text. */
  readonly relation: string;
  /** The reader numbers the rows itself (Parquet); otherwise `_row_number` is NULL. */
  readonly numbered: boolean;
  /**
   * The relation with its files' paths, batches and names left out: parts of one shape are read
   * by one plan, so what is learnt of the plan of one (see keepsOrder) holds for the others.
   */
  readonly shape: string;
  /** How many landed files the part reads (see GROUPED_FILE_ROWS). */
  readonly files: number;
  /** A part of one file: its batch and its name in lineage, the same for every row. */
  readonly lineage?: PartLineage;
}

/**
 * A typed Parquet column as the text the rules check, the same text Spark's notebooks read
 * (session time zone UTC): a timestamp with time zone as its UTC wall-clock time
 * (`2026-01-05 10:00:00`, as Spark's cast to string, where DuckDB's own cast appends `+00`,
 * which no declared format accepts), a struct, list or map as JSON (Spark's `to_json`), a
 * DOUBLE or FLOAT as JavaScript writes the number (see duckdbFloatTextSql: `14`, not `14.0`), a
 * BLOB (a BINARY column with no string type, as Impala, Hive and older writers store text) as the
 * text its bytes are when they are UTF-8 (Spark's cast), else as DuckDB writes bytes (`bad\xFF`,
 * printable ASCII kept but quotes and backslashes, which Spark's notebooks write alike), any
 * other type by its cast to text. A DATE or TIMESTAMP feeding a date or timestamp column (`target`)
 * is written in the column's pattern when the pattern holds it whole (see typedDatetimeTextSql).
 */
export function parquetText(column: string, duckdbType: string, target?: Column): string {
  const c = q(column);
  const value = parquetDatetimeValue(c, duckdbType);
  const typed =
    target && value !== undefined
      ? typedDatetimeTextSql("duckdb", target, value, duckdbType === "DATE")
      : undefined;
  const own =
    duckdbType === "TIMESTAMP WITH TIME ZONE"
      ? `CAST(${value} AS VARCHAR)`
      : /^(STRUCT|MAP|UNION)\(|\]$/.test(duckdbType)
        ? `CAST(to_json(${c}) AS VARCHAR)`
        : duckdbType === "DOUBLE" || duckdbType === "FLOAT"
          ? duckdbFloatTextSql(c, duckdbType)
          : duckdbType === "BLOB"
            ? `coalesce(try(decode(${c})), CAST(${c} AS VARCHAR))`
            : `CAST(${c} AS VARCHAR)`;
  return typed === undefined ? own : `coalesce(${typed}, ${own})`;
}

/**
 * A Parquet date or timestamp column as a TIMESTAMP of its UTC wall-clock time (a date at
 * midnight), NULL for a nanosecond timestamp that a microsecond one would cut; undefined for any
 * other type.
 */
function parquetDatetimeValue(c: string, duckdbType: string): string | undefined {
  switch (duckdbType) {
    case "DATE":
    case "TIMESTAMP_S":
    case "TIMESTAMP_MS":
      return `CAST(${c} AS TIMESTAMP)`;
    case "TIMESTAMP":
      return c;
    case "TIMESTAMP_NS":
      return `CASE WHEN nanosecond(${c}) % 1000 = 0 THEN CAST(${c} AS TIMESTAMP) END`;
    case "TIMESTAMP WITH TIME ZONE":
      return `timezone('UTC', ${c})`;
  }
  return undefined;
}

/**
 * The date and timestamp columns a part's found columns feed alone, by found name (see
 * datetimeSources): the targets parquetText writes typed dates for.
 */
export function datetimeTargets(
  entity: Entity,
  select: ReadonlyMap<string, string | null>,
): Map<string, Column> {
  const sources = datetimeSources(entity);
  const out = new Map<string, Column>();
  for (const [source, found] of select) {
    const column = sources.get(source);
    if (found !== null && column) out.set(found, column);
  }
  return out;
}

/** What a landed JSON or Parquet file says of itself, read before the run (see fileSchemaReader). */
export interface FileSchema {
  /** The file's keys (JSON) or columns (Parquet, in the file's order). */
  readonly columns: readonly string[];
  /** Parquet: each column's type as DuckDB reads it (see parquetText). */
  readonly columnTypes?: readonly string[];
  /**
   * Parquet: the file's schema elements, every field of each, in order. A read of several Parquet
   * files takes the first file's columns and types and casts the others' to them, so only files
   * whose signatures agree are read together.
   */
  readonly signature?: string;
}

/**
 * Landed files of up to this many rows are read together with the files before them that are
 * read alike: a stage statement costs about 25 ms whatever it reads, and every later read of
 * the stage is a union of the parts. 200 files of 50 rows took 4.7 s to stage one by one; 20
 * JSON-lines parts of 100,000 rows (the records sources' default) 26.7–27.3 s in all, against
 * 15.9–16.7 s read together, and 20 Parquet files of as many rows 23.7–24.0 s against
 * 10.4–11.1 s. Numbering the rows of CSV and JSON files per file costs a join on the file in
 * each read of the stage, so four CSV files of 500,000 rows took 10.8–11.5 s together, 9.5–10.8
 * s alone; Parquet files, which number their own rows, gain nothing past the limit either.
 */
export const GROUPED_FILE_ROWS = 100_000;

/** The parts of the landed batches of a run, oldest batch first, files in manifest order. */
export function landingRead(
  entity: Entity,
  batches: readonly LandedBatch[],
  schemaOf: (path: string) => FileSchema,
): LandedPart[] {
  const parts: { reader: PartReader; files: LandedFile[]; grouped: boolean }[] = [];
  for (const batch of batches) {
    const m = batch.manifest;
    for (const f of m.files) {
      const path = join(batch.dir, f.path);
      const rel =
        `landing/${entity.name}/${batch.dir.split("/landing/" + entity.name + "/")[1] ?? ""}/${f.path}`.replace(
          /\/+/g,
          "/",
        );
      const reader = partRead(entity, m, path, rel, schemaOf, f.rows === 0);
      const file = { path, batchId: batch.batchId, rel };
      const grouped = reader.groups && f.rows <= GROUPED_FILE_ROWS;
      const last = parts.at(-1);
      if (grouped && last?.grouped && last.reader.alike === reader.alike) last.files.push(file);
      else parts.push({ reader, files: [file], grouped });
    }
  }
  return parts.map(({ reader, files }) => {
    const [only] = files;
    return {
      relation: reader.read(files),
      numbered: reader.numbered,
      shape: files.length === 1 ? reader.shape : reader.groupShape,
      files: files.length,
      ...(files.length === 1 && only && { lineage: { batchId: only.batchId, sourceFile: only.rel } }),
    };
  });
}

/** How the landed files of one shape are read. */
interface PartReader {
  /** The relation over the given files, in order. */
  readonly read: (files: readonly LandedFile[]) => string;
  /** The reader numbers the rows itself (Parquet). */
  readonly numbered: boolean;
  /** Files of this shape may be read with others (the reader's file column is free). */
  readonly groups: boolean;
  /** Files are read together only when this is the same for each: the shape, and Parquet's signature. */
  readonly alike: string;
  /** The read of one file, and of several, with placeholders for the files. */
  readonly shape: string;
  readonly groupShape: string;
}

const PLACEHOLDERS: readonly LandedFile[] = [
  { path: "file-1", batchId: "batch-1", rel: "source-1" },
  { path: "file-2", batchId: "batch-2", rel: "source-2" },
];

/**
 * How one landed file is read, alone or with others of its shape. Every read turns DuckDB's hive
 * partitioning off: the landing layout's folders (`ingest_date=…/batch=…`) would otherwise be
 * read as columns, and take the place of a file's own column of the same name.
 */
function partRead(
  entity: Entity,
  m: LandedBatch["manifest"],
  path: string,
  rel: string,
  schemaOf: (path: string) => FileSchema,
  empty: boolean,
): PartReader {
  const reader = (
    read: (files: readonly LandedFile[]) => string,
    numbered: boolean,
    groups: boolean,
    signature = "",
  ): PartReader => {
    const shape = read(PLACEHOLDERS.slice(0, 1));
    return { read, numbered, groups, shape, groupShape: read(PLACEHOLDERS), alike: `${shape}\n${signature}` };
  };
  const several = (files: readonly LandedFile[]) =>
    files.length > 1 ? `, filename = ${quoteString("duckdb", FILE_COLUMN)}` : "";
  const stageRowNumber = "CAST(NULL AS BIGINT)";
  if (m.format === "csv") {
    const header = m.csv?.columns ?? [];
    const { select, unknown } = mapColumns(entity, header, rel, false, m.schemaFingerprint);
    // One column past the header's takes a row's first extra field, and no field is read as NULL
    // (the null string is one no file has): a row with any value there, even an empty one (a
    // trailing delimiter), has more fields than its header, and a row whose last header column
    // is NULL was padded, with fewer. Either has its values in the wrong columns and goes to
    // quarantine (see FIELD_COUNT_RULES), a short row unless the contract reads its missing
    // fields as NULL (shortRows: "null"). An empty field is NULL, as before, once counted.
    const extra = header.includes(EXTRA_FIELDS) ? undefined : EXTRA_FIELDS;
    const extras = extra ? extraFieldColumns(header, m.csv?.mostFields) : [];
    const last = header.at(-1);
    const columns = `{${[...header, ...extras].map((h) => `${quoteString("duckdb", h)}: 'VARCHAR'`).join(", ")}}`;
    const fields = [
      ...(last === undefined || entity.contract.shortRows === "null"
        ? []
        : [`WHEN ${q(last)} IS NULL THEN -1`]),
      ...(extra ? [`WHEN ${q(extra)} IS NOT NULL THEN 1`] : []),
    ];
    const fieldCount = fields.length > 0 ? `CASE ${fields.join(" ")} ELSE 0 END` : "0";
    const lineBreak = m.csv?.quotedNewlines ? m.csv.lineBreak : undefined;
    const asRead = (n: string) =>
      lineBreak === undefined
        ? q(n)
        : `replace(${q(n)}, ${lineBreak === "\r" ? "chr(13)" : "chr(13) || chr(10)"}, chr(10))`;
    const text = (n: string) => `NULLIF(${asRead(n)}, '')`;
    // The fields past the header, as read (an empty one as ''), of a row that has any: the
    // quarantine keeps them with its raw values. Columns the row does not reach are NULL.
    const past = extras.length
      ? `CASE WHEN ${q(extras[0]!)} IS NOT NULL THEN '{"${EXTRA_FIELDS}":' || CAST(to_json(list_filter([${extras.map(asRead).join(", ")}], lambda f: f IS NOT NULL)) AS VARCHAR) || '}' END`
      : undefined;
    const maxLineSize = csvMaxLineSize(m.csv?.longestRecordBytes);
    // `new_line = '\n'` ends a line at LF, CRLF and a CR alone, as ingest counts rows and Spark's
    // line reader splits them; left to itself, DuckDB would take the header's line break as the
    // file's, and a CR alone after a CRLF header as part of a value. A batch with line breaks in
    // quoted values is read by Spark at the manifest's line break, which it turns into LF inside
    // values: so is it here.
    const options = `header = true, auto_detect = false, new_line = '\\n', columns = ${columns}, delim = ${quoteString("duckdb", m.csv?.delimiter ?? ",")}, quote = ${quoteString("duckdb", m.csv?.quote ?? '"')}, escape = ${quoteString("duckdb", m.csv?.quote ?? '"')}, null_padding = true, nullstr = ${quoteString("duckdb", CSV_NO_NULL)}, strict_mode = false, max_line_size = ${maxLineSize}, buffer_size = ${csvBufferSize(maxLineSize)}${m.csv?.quotedNewlines ? ", parallel = false" : ""}, compression = ${m.compression === "gzip" ? "'gzip'" : "'none'"}, hive_partitioning = false`;
    return reader(
      (files) => {
        const l = lineage(files);
        return `SELECT ${projection(l, select, unknown, text, stageRowNumber, fieldCount, past)} FROM read_csv(${l.from}, ${options}${several(files)})`;
      },
      false,
      !header.includes(FILE_COLUMN),
    );
  }
  if (m.format === "parquet") {
    const { columns: found, signature, columnTypes = [] } = schemaOf(path);
    const { select, unknown } = mapColumns(entity, [...found], rel, false, m.schemaFingerprint);
    const targets = datetimeTargets(entity, select);
    const text = (n: string) => parquetText(n, columnTypes[found.indexOf(n)] ?? "VARCHAR", targets.get(n));
    return reader(
      (files) => {
        const l = lineage(files);
        return `SELECT ${projection(l, select, unknown, text, "file_row_number + 1")} FROM read_parquet(${l.from}, file_row_number = true, hive_partitioning = false${several(files)})`;
      },
      true,
      signature !== undefined && !found.includes(FILE_COLUMN),
      signature,
    );
  }
  // The columns a writer declares (a Copy from a database) are the part's, whatever keys its rows
  // have: a JSON writer may leave a row's null values out.
  const found = [...(m.columns ?? schemaOf(path).columns)];
  const { select, unknown } = mapColumns(entity, found, rel, empty, m.schemaFingerprint);
  const format = m.format === "json" ? "'array'" : "'newline_delimited'";
  // Data Factory's Copy lands a database's dates and timestamps as ISO 8601 text in UTC (see
  // sqlServerColumnText): a column of a declared format takes them in its pattern, as the local
  // database sources write them when they land a window (see typedDatetimeText).
  const targets = m.source.kind === "adf-copy" ? datetimeTargets(entity, select) : new Map<string, Column>();
  const text = (n: string) => {
    const value = `json_extract_string(json, ${quoteString("duckdb", jsonPointer(n))})`;
    const target = targets.get(n);
    const iso = target && isoDatetimeTextSql("duckdb", target, value);
    return iso ? `coalesce(${iso}, ${value})` : value;
  };
  return reader(
    (files) => {
      const l = lineage(files);
      return `SELECT ${projection(l, select, unknown, text, stageRowNumber)} FROM read_json_objects(${l.from}, format = ${format}${m.compression === "gzip" ? ", compression = 'gzip'" : ""}, hive_partitioning = false${several(files)})`;
    },
    false,
    true,
  );
}
