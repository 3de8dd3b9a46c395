import type { Writable } from "node:stream";
import type { FileFormat } from "./file-format.ts";

export interface FileInspection {
  readonly path: string;
  readonly format: FileFormat;
  readonly compression: "none" | "gzip";
  /** Data rows (CSV: after the header). */
  readonly rows: number;
  /**
   * CSV header as found (BOM stripped, names trimmed, a field with no name, as a trailing
   * delimiter leaves, named `_unnamed_<position>`), or the union of JSON keys / Parquet columns.
   */
  readonly columns: readonly string[];
  /** Size and sha256 of the file as stored (compressed bytes for gzip). */
  readonly bytes: number;
  readonly sha256: string;
  readonly delimiter?: string;
  /** CSV: a line break occurs inside a quoted field. */
  readonly quotedNewlines?: boolean;
  /** CSV: the file's first line break, which Spark's multi-line reader splits its rows at. */
  readonly lineBreak?: "\n" | "\r\n" | "\r";
  /** CSV: bytes of the longest record. */
  readonly longestRecordBytes?: number;
  /** CSV: fields of the record with the most, header included (counted for a one-byte delimiter). */
  readonly mostFields?: number;
  /** Parquet: sha256 of the file's schema signature (see `parquetSchemaSignatureSql`). */
  readonly parquetSchema?: string;
  /** Parquet: the columns stored as nanosecond timestamps (see the manifest's `nanosecondTimestamps`). */
  readonly nanosecondTimestamps?: readonly { readonly column: string; readonly utc: boolean }[];
}

export interface InspectOptions {
  /** CSV delimiter. Default: a tab for `.tsv` and `.tsv.gz` files, else `,`. */
  readonly delimiter?: string;
  /** A gzip file may expand at most this many times its size once past 64 MiB. Default `100`. */
  readonly maxExpansionRatio?: number;
  /**
   * Longest record (CSV record, JSON Lines line) accepted, in bytes. Default `256 MiB`, what the
   * local engine reads; a longer one is refused as RECORD_TOO_LONG rather than exhausting memory.
   */
  readonly maxRecordBytes?: number;
  /** Longest CSV header row, in bytes. Default `1 MiB`. */
  readonly maxHeaderBytes?: number;
}

/** How `inspectFile` reads: the limits, and where to copy the file's bytes as they are read. */
export interface InspectStreamOptions extends InspectOptions {
  /**
   * Takes the file's bytes as stored (compressed, for gzip), in the same read that checks them,
   * and is ended when the file has been read whole; left open when the inspection fails.
   */
  readonly copyTo?: Writable;
}

export const DEFAULT_MAX_RECORD_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_HEADER_BYTES = 1024 * 1024;
