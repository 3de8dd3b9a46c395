import { z } from "zod";

/**
 * The lake's layout, shared by whoever writes it (ingest, Data Factory Copy) and whoever reads
 * it (the local engine, the Databricks notebooks):
 *
 *   <zone>/<entity>/ingest_date=YYYY-MM-DD/batch=<id>/part-NNNNN.<ext>
 *   <zone>/<entity>/ingest_date=YYYY-MM-DD/batch=<id>/_manifest.json   (written last)
 *
 * A batch without its manifest is incomplete and is never read.
 */

export const LAKE_ZONES = ["landing", "bronze", "silver", "gold", "quarantine"] as const;
export type LakeZone = (typeof LAKE_ZONES)[number];

export const MANIFEST_FILE = "_manifest.json";

/** Batch ids sort by landing time: `YYYYMMDDTHHMMSSmmmZ-<8 hex>`. */
const BATCH_ID = /^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{8}$/;

export function isBatchId(id: string): boolean {
  return BATCH_ID.test(id);
}

/** A new batch id for a landing at `now`; `suffix` is 8 lowercase hex digits (random). */
export function newBatchId(now: Date, suffix: string): string {
  if (!/^[0-9a-f]{8}$/.test(suffix)) throw new Error(`batch id suffix must be 8 hex digits, got ${suffix}`);
  const iso = now.toISOString(); // 2026-11-24T15:01:02.345Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
  return `${stamp}-${suffix}`;
}

/**
 * The smallest batch id greater than `batchId`: its suffix plus one, or, past `ffffffff`, the next
 * millisecond's first. A batch landed as it is processed as if landed right after `batchId` and
 * before any batch landed later (re-landing fixed rows where their first landing stood).
 */
export function batchIdAfter(batchId: string): string {
  if (!isBatchId(batchId)) throw new Error(`not a batch id: ${batchId}`);
  const suffix = Number.parseInt(batchId.slice(-8), 16);
  if (suffix < 0xffffffff) return `${batchId.slice(0, -8)}${(suffix + 1).toString(16).padStart(8, "0")}`;
  const s = batchId;
  const at = Date.UTC(
    Number(s.slice(0, 4)),
    Number(s.slice(4, 6)) - 1,
    Number(s.slice(6, 8)),
    Number(s.slice(9, 11)),
    Number(s.slice(11, 13)),
    Number(s.slice(13, 15)),
    Number(s.slice(15, 18)),
  );
  return newBatchId(new Date(at + 1), "00000000");
}

/** `YYYY-MM-DD` (UTC) of a batch id. */
export function batchIngestDate(batchId: string): string {
  if (!isBatchId(batchId)) throw new Error(`not a batch id: ${batchId}`);
  return `${batchId.slice(0, 4)}-${batchId.slice(4, 6)}-${batchId.slice(6, 8)}`;
}

/** The folder of a batch, relative to the lake root, with `/` separators. */
export function batchPath(zone: LakeZone, entity: string, batchId: string): string {
  return `${zone}/${entity}/ingest_date=${batchIngestDate(batchId)}/batch=${batchId}`;
}

export function partFileName(index: number, ext: string): string {
  return `part-${String(index).padStart(5, "0")}.${ext}`;
}

/** Parses `<zone>/<entity>/ingest_date=…/batch=<id>/…`; undefined for any other path. */
export function parseBatchPath(
  path: string,
): { zone: LakeZone; entity: string; batchId: string } | undefined {
  const m =
    /^(landing|bronze|silver|gold|quarantine)\/([a-z][a-z0-9_]*)\/ingest_date=[0-9]{4}-[0-9]{2}-[0-9]{2}\/batch=([^/]+)(\/|$)/.exec(
      path,
    );
  if (!m || !isBatchId(m[3]!)) return undefined;
  return { zone: m[1] as LakeZone, entity: m[2]!, batchId: m[3]! };
}

export const LANDING_FORMATS = ["csv", "json", "jsonl", "parquet"] as const;
export type LandingFormat = (typeof LANDING_FORMATS)[number];

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

/** A part's name in its batch folder. */
const PART_FILE = /^part-[0-9]{5}\.[a-z.]+$/;

/**
 * A quarantine entry, as the quarantine table names it: the row (`rowNumber`, from 1) of the
 * landed part `sourceFile` (its lake path, `landing/<entity>/ingest_date=…/batch=<id>/part-…`) of
 * batch `batchId`.
 */
export const quarantineEntrySchema = z
  .object({
    batchId: z.string().refine(isBatchId, "not a batch id"),
    sourceFile: z.string(),
    rowNumber: z.number().int().positive(),
  })
  .refine(
    (e) => {
      const at = parseBatchPath(e.sourceFile);
      if (!at || !isBatchId(e.batchId)) return false;
      const dir = `${batchPath("landing", at.entity, e.batchId)}/`;
      return e.sourceFile.startsWith(dir) && PART_FILE.test(e.sourceFile.slice(dir.length));
    },
    { message: "not a landed part of its batch", path: ["sourceFile"] },
  );

export type QuarantineEntry = z.infer<typeof quarantineEntrySchema>;

/** Whether `sourceFile` is the lake path of a landed part of batch `batchId` of `entity`. */
export function isLandedPartOf(sourceFile: string, entity: string, batchId: string): boolean {
  const at = parseBatchPath(sourceFile);
  return (
    at?.entity === entity && quarantineEntrySchema.safeParse({ batchId, sourceFile, rowNumber: 1 }).success
  );
}

export const manifestFileSchema = z
  .object({
    /** Relative to the batch folder, e.g. `part-00000.csv.gz`. */
    path: z.string().regex(PART_FILE),
    rows: z.number().int().nonnegative(),
    bytes: z.number().int().nonnegative(),
    sha256: sha256Hex,
    /**
     * A Parquet part's schema: sha256 of its signature (`parquetSchemaSignatureSql`). Parts with
     * the same value are read together without reading their footers first; a reader reads the
     * footer of a part without one (landed before it was recorded).
     */
    parquetSchema: sha256Hex.optional(),
    /**
     * A Parquet part's columns stored as nanosecond timestamps, as pandas writes them (`utc`:
     * adjusted to UTC, a pandas timestamp with a zone). Spark reads no such column as a timestamp:
     * the notebooks read its count of nanoseconds and write it as DuckDB does.
     */
    nanosecondTimestamps: z
      .array(z.object({ column: z.string(), utc: z.boolean() }))
      .nonempty()
      .optional(),
    /** The name of the file the part was landed from (a file landing): where to look for a row. */
    source: z.string().optional(),
    /**
     * A part of fixed quarantined rows (`saleslake quarantine replay`): the quarantine entry each
     * of its rows was fixed from, by the row's number in the part (from 1, as the run numbers it),
     * rows in ascending order. The run that loads the part marks each entry replayed: resolved
     * when the fixed row is accepted, superseded by the row's own new entry when it is quarantined
     * again. A row not listed fixes no known entry.
     */
    fixes: z
      .array(z.object({ row: z.number().int().positive(), entry: quarantineEntrySchema }))
      .nonempty()
      .optional(),
  })
  .superRefine((f, ctx) => {
    f.fixes?.forEach((x, j) => {
      const before = f.fixes?.[j - 1];
      if (x.row > f.rows)
        ctx.addIssue({
          code: "custom",
          path: ["fixes", j, "row"],
          message: `row ${x.row} is past the part's ${f.rows} row(s)`,
        });
      if (before !== undefined && x.row <= before.row)
        ctx.addIssue({
          code: "custom",
          path: ["fixes", j, "row"],
          message: `row ${x.row} is listed after row ${before.row}: each row once, in ascending order`,
        });
    });
  });

export const landingManifestSchema = z.object({
  version: z.literal(1),
  entity: z.string(),
  batchId: z.string().refine(isBatchId, "not a batch id"),
  /** ISO 8601 UTC time the manifest was written. */
  landedAt: z.string(),
  source: z.object({
    kind: z.enum(["file", "postgres", "sqlserver", "http", "adf-copy"]),
    /** Where the data came from, without credentials: a file name, `host/db.schema.table`, an API URL. */
    name: z.string(),
    /** The project's name for the source (a key of `sources` in saleslake.config.ts), when it has one. */
    label: z.string().optional(),
  }),
  /** The watermark window read from the source, for database and API sources. */
  window: z.object({ column: z.string(), low: z.string().nullable(), high: z.string() }).nullable(),
  format: z.enum(LANDING_FORMATS),
  compression: z.enum(["none", "gzip"]),
  /** CSV reading options as found at landing time. */
  csv: z
    .object({
      delimiter: z.string().length(1),
      quote: z.string().length(1),
      header: z.literal(true),
      encoding: z.literal("utf-8"),
      /** The header as found (BOM stripped). */
      columns: z.array(z.string()),
      /** A line break occurs inside a quoted field in some part: readers must not split the file by lines. */
      quotedNewlines: z.boolean().optional(),
      /**
       * With quotedNewlines: the files' line break when not LF. Spark's multi-line reader splits
       * rows at it alone, and turns it into LF inside quoted values; the local engine does the same.
       */
      lineBreak: z.enum(["\r\n", "\r"]).optional(),
      /** Bytes of the longest record in any part: readers size their line buffer by it. */
      longestRecordBytes: z.number().int().nonnegative().optional(),
      /**
       * Fields of the record with the most in any part, when more than the header's: readers
       * take that many columns, so a quarantined row keeps every field past its header.
       */
      mostFields: z.number().int().positive().optional(),
    })
    .optional(),
  /**
   * The source columns of every part of a JSON or JSON Lines batch, when its writer selected them
   * by name (Data Factory's Copy from a database). Readers take a part's columns from here, not
   * from its rows: a key no row has is a column of NULL values, not a missing column, since a
   * JSON writer may leave null values out.
   */
  columns: z.array(z.string()).min(1).optional(),
  files: z.array(manifestFileSchema).min(1),
  rowCount: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** sha256 over the files' sha256 values in order: the same content lands once. */
  contentSha256: sha256Hex,
  schemaFingerprint: z.string(),
});

export type LandingManifest = z.infer<typeof landingManifestSchema>;
export type ManifestFile = z.infer<typeof manifestFileSchema>;
