import { createHash } from "node:crypto";
import { createReadStream, statSync } from "node:fs";
import { basename } from "node:path";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { parse as parseCsvSync } from "csv-parse/sync";
import { IngestError } from "../errors.ts";
import { hashingTap } from "../lake/hashing-tap.ts";

export type FileFormat = "csv" | "json" | "jsonl" | "parquet";

export interface FileInspection {
  readonly path: string;
  readonly format: FileFormat;
  readonly compression: "none" | "gzip";
  /** Data rows (CSV: after the header). */
  readonly rows: number;
  /** CSV header as found (BOM stripped), or the union of JSON keys / Parquet columns. */
  readonly columns: readonly string[];
  /** Size and sha256 of the file as stored (compressed bytes for gzip). */
  readonly bytes: number;
  readonly sha256: string;
  readonly delimiter?: string;
}

export interface InspectOptions {
  /** CSV delimiter. Default `,`. */
  readonly delimiter?: string;
  /** A gzip file may expand at most this many times its size once past 64 MiB. Default `100`. */
  readonly maxExpansionRatio?: number;
}

/** `orders.csv.gz` → csv + gzip. */
export function formatOf(path: string): { format: FileFormat; compression: "none" | "gzip" } | undefined {
  const name = basename(path).toLowerCase();
  const gz = name.endsWith(".gz");
  const base = gz ? name.slice(0, -3) : name;
  const ext = base.slice(base.lastIndexOf(".") + 1);
  const format = ext === "ndjson" ? "jsonl" : ext === "tsv" || ext === "txt" ? "csv" : ext;
  if (format === "csv" || format === "json" || format === "jsonl" || format === "parquet") {
    return { format, compression: gz ? "gzip" : "none" };
  }
  return undefined;
}

/**
 * Checks the text of a file as it streams: UTF-16 byte-order marks, NUL bytes and invalid
 * UTF-8 are refused with the byte offset and row, so nothing undecodable reaches the lake.
 */
class Utf8Guard extends Transform {
  private readonly decoder = new TextDecoder("utf-8", { fatal: true });
  private offset = 0;
  private row = 1;
  private readonly file: string;
  constructor(file: string) {
    super();
    this.file = file;
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, data?: Buffer) => void) {
    if (
      this.offset === 0 &&
      chunk.length >= 2 &&
      ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))
    ) {
      return done(
        new IngestError(
          "INVALID_ENCODING",
          `${this.file}: the file is UTF-16; saleslake reads UTF-8`,
          "Convert it, e.g. iconv -f UTF-16 -t UTF-8.",
          { file: this.file, row: 1 },
        ),
      );
    }
    const nul = chunk.indexOf(0);
    if (nul >= 0) {
      const row = this.row + countNewlines(chunk.subarray(0, nul));
      return done(
        new IngestError(
          "INVALID_ENCODING",
          `${this.file}: binary data (a NUL byte) at byte ${this.offset + nul}, row ${row}`,
          "This is not a text file; check what was exported.",
          {
            file: this.file,
            row,
          },
        ),
      );
    }
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      const at = firstInvalidUtf8(chunk);
      const row = this.row + countNewlines(chunk.subarray(0, at));
      return done(
        new IngestError(
          "INVALID_ENCODING",
          `${this.file}: invalid UTF-8 at byte ${this.offset + at}, row ${row}`,
          "Export the file as UTF-8 (e.g. iconv -f LATIN1 -t UTF-8).",
          {
            file: this.file,
            row,
          },
        ),
      );
    }
    this.offset += chunk.length;
    this.row += countNewlines(chunk);
    done(null, chunk);
  }
  override _flush(done: (e?: Error | null) => void) {
    try {
      this.decoder.decode();
      done();
    } catch {
      done(
        new IngestError(
          "INVALID_ENCODING",
          `${this.file}: the file ends inside a UTF-8 character`,
          "The file is truncated or not UTF-8.",
          { file: this.file },
        ),
      );
    }
  }
}

function countNewlines(b: Buffer): number {
  let n = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++;
  return n;
}

function firstInvalidUtf8(b: Buffer): number {
  for (let i = 0; i < b.length; i++) {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(b.subarray(0, i + 1), { stream: true });
    } catch {
      return i;
    }
  }
  return b.length;
}

/** Counts bytes through gunzip and stops a decompression bomb early. */
function expansionGuard(file: string, compressedBytes: number, ratio: number): Transform {
  let out = 0;
  const floor = 64 * 1024 * 1024;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      out += chunk.length;
      if (out > floor && out > compressedBytes * ratio) {
        return done(
          new IngestError(
            "DECOMPRESSION_LIMIT",
            `${file}: expands more than ${ratio}× (over ${Math.round(out / 1048576)} MiB from ${compressedBytes} bytes); refusing a likely decompression bomb`,
            "Land it uncompressed, or raise maxExpansionRatio if the data really compresses this well.",
            { file },
          ),
        );
      }
      done(null, chunk);
    },
  });
}

/** Streams a file once: hash of its stored bytes, and its decompressed text through `sink`. */
async function streamFile(
  path: string,
  compression: "none" | "gzip",
  sink: Writable,
  options: InspectOptions,
): Promise<{ bytes: number; sha256: string }> {
  const { tap, result } = hashingTap();
  const stages: (NodeJS.ReadableStream | NodeJS.WritableStream | Transform)[] = [createReadStream(path), tap];
  if (compression === "gzip")
    stages.push(createGunzip(), expansionGuard(path, statSync(path).size, options.maxExpansionRatio ?? 100));
  try {
    await (pipeline as (...s: unknown[]) => Promise<void>)(...stages, new Utf8Guard(path), sink);
  } catch (e) {
    if (e instanceof IngestError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? "";
    if (
      code.startsWith("Z_") ||
      /unexpected end of file|incorrect header check/i.test((e as Error).message)
    ) {
      throw new IngestError(
        "CORRUPT_FILE",
        `${path}: the gzip stream is damaged (${(e as Error).message})`,
        "Re-export or re-copy the file.",
        { file: path, cause: e },
      );
    }
    throw e;
  }
  return result();
}

/**
 * Counts CSV records in one pass over the bytes (RFC 4180 quoting: delimiters and line breaks
 * inside quotes, doubled quotes), keeps the header record's bytes, and finds a quote left open
 * at the end. Blank lines are not records. Far faster than a full parse: the engine parses later.
 */
class CsvScanner {
  records = 0;
  row = 1;
  inQuote = false;
  quoteOpenedAt = 0;
  private content = false;
  private headerDone = false;
  private readonly headerChunks: Buffer[] = [];
  private readonly quote: number;
  constructor(quote = 0x22) {
    this.quote = quote;
  }

  scan(chunk: Buffer): void {
    const q = this.quote;
    let headerEnd = -1;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.inQuote) {
        if (b === q) this.inQuote = false;
        else if (b === 0x0a) this.row++;
      } else if (b === q) {
        this.inQuote = true;
        this.quoteOpenedAt = this.row;
        this.content = true;
      } else if (b === 0x0a) {
        if (this.content) {
          this.records++;
          if (!this.headerDone) {
            this.headerDone = true;
            headerEnd = i;
          }
        }
        this.content = false;
        this.row++;
      } else if (b !== 0x0d && b !== 0x20 && b !== 0x09 && !(b === 0xef || b === 0xbb || b === 0xbf)) {
        this.content = true;
      }
    }
    if (!this.headerDone) this.headerChunks.push(chunk);
    else if (headerEnd >= 0) this.headerChunks.push(chunk.subarray(0, headerEnd));
  }

  finish(): void {
    if (this.content) {
      this.records++;
      this.headerDone = true;
    }
  }

  header(): Buffer {
    return Buffer.concat(this.headerChunks);
  }
}

async function inspectCsv(
  path: string,
  compression: "none" | "gzip",
  options: InspectOptions,
): Promise<FileInspection> {
  const delimiter = options.delimiter ?? ",";
  const scanner = new CsvScanner();
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      scanner.scan(chunk);
      done();
    },
  });
  const stored = await streamFile(path, compression, sink, options);
  scanner.finish();
  if (scanner.inQuote) {
    throw new IngestError(
      "MALFORMED_CSV",
      `${path}: a quote opened at row ${scanner.quoteOpenedAt} is never closed`,
      "Check quoting: a field with the delimiter, a quote or a line break must be quoted, and quotes inside doubled.",
      { file: path, row: scanner.quoteOpenedAt },
    );
  }
  if (scanner.records === 0) {
    throw new IngestError(
      "EMPTY_FILE",
      `${path}: the file is empty`,
      "Nothing to land; check the export that produced it.",
      { file: path },
    );
  }
  let header: string[];
  try {
    const parsed = parseCsvSync(scanner.header(), {
      bom: true,
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as string[][];
    header = parsed[0] ?? [];
  } catch (e) {
    throw new IngestError(
      "MALFORMED_CSV",
      `${path}: the header row cannot be read (${(e as Error).message})`,
      "The first row must name the columns.",
      { file: path, row: 1, cause: e },
    );
  }
  return {
    path,
    format: "csv",
    compression,
    rows: scanner.records - 1,
    columns: header.map((h) => h.trim()),
    ...stored,
    delimiter,
  };
}

async function inspectJson(
  path: string,
  format: "json" | "jsonl",
  compression: "none" | "gzip",
  options: InspectOptions,
): Promise<FileInspection> {
  const keys = new Set<string>();
  let rows = 0;
  let pending = "";
  let lineNo = 0;
  let whole = "";
  const record = (value: unknown, where: string) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new IngestError(
        "MALFORMED_JSON",
        `${path}: ${where} is not a JSON object`,
        "Each record must be an object of field: value.",
        { file: path },
      );
    }
    for (const k of Object.keys(value)) keys.add(k);
    rows++;
  };
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        if (format === "json") whole += chunk.toString("utf8");
        else {
          const text = pending + chunk.toString("utf8");
          const lines = text.split("\n");
          pending = lines.pop() ?? "";
          for (const l of lines) {
            lineNo++;
            if (l.trim()) record(parseLine(l, lineNo), `line ${lineNo}`);
          }
        }
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    final(done) {
      try {
        if (format === "jsonl") {
          lineNo++;
          if (pending.trim()) record(parseLine(pending, lineNo), `line ${lineNo}`);
        } else {
          if (!whole.trim())
            throw new IngestError("EMPTY_FILE", `${path}: the file is empty`, "Nothing to land.", {
              file: path,
            });
          let value: unknown;
          try {
            value = JSON.parse(whole.replace(/^\uFEFF/, ""));
          } catch (e) {
            throw new IngestError(
              "MALFORMED_JSON",
              `${path}: ${(e as Error).message}`,
              "The file is not valid JSON; it may be truncated.",
              { file: path, cause: e },
            );
          }
          if (!Array.isArray(value)) {
            throw new IngestError(
              "MALFORMED_JSON",
              `${path}: expected a JSON array of records`,
              "Wrap the records in [ ], or land them as JSON Lines (.jsonl).",
              { file: path },
            );
          }
          for (const [i, v] of value.entries()) record(v, `record ${i + 1}`);
        }
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
  const parseLine = (l: string, n: number): unknown => {
    try {
      return JSON.parse(l);
    } catch (e) {
      throw new IngestError(
        "MALFORMED_JSON",
        `${path}: line ${n}: ${(e as Error).message}`,
        "Each line of a JSON Lines file must be one complete JSON object.",
        {
          file: path,
          row: n,
          cause: e,
        },
      );
    }
  };
  const stored = await streamFile(path, compression, sink, options);
  if (format === "jsonl" && rows === 0)
    throw new IngestError("EMPTY_FILE", `${path}: the file has no records`, "Nothing to land.", {
      file: path,
    });
  return { path, format, compression, rows, columns: [...keys], ...stored };
}

async function inspectParquet(path: string): Promise<FileInspection> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    const lit = `'${path.replace(/'/g, "''")}'`;
    const cols = (
      await con.runAndReadAll(
        `SELECT name FROM parquet_schema(${lit}) WHERE num_children IS NULL OR num_children = 0`,
      )
    ).getRowObjectsJson();
    const n = (await con.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${lit})`)).getRowObjectsJson();
    const hash = createHash("sha256");
    let bytes = 0;
    await pipeline(
      createReadStream(path),
      new Writable({
        write(c: Buffer, _e, done) {
          hash.update(c);
          bytes += c.length;
          done();
        },
      }),
    );
    return {
      path,
      format: "parquet",
      compression: "none",
      rows: Number(n[0]?.n ?? 0),
      columns: cols.map((c) => String(c.name)),
      bytes,
      sha256: hash.digest("hex"),
    };
  } catch (e) {
    if (e instanceof IngestError) throw e;
    throw new IngestError(
      "CORRUPT_FILE",
      `${path}: not a readable Parquet file (${(e as Error).message.split("\n")[0]})`,
      "Re-export or re-copy the file.",
      { file: path, cause: e },
    );
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

/** Reads a file once, streaming: its format, rows, columns, hash; or a typed error saying what is wrong and where. */
export async function inspectFile(path: string, options: InspectOptions = {}): Promise<FileInspection> {
  const kind = formatOf(path);
  if (!kind) {
    throw new IngestError(
      "MIXED_FORMATS",
      `${path}: unknown file type`,
      "Supported: .csv, .json, .jsonl, .parquet, each optionally .gz.",
      { file: path },
    );
  }
  if (statSync(path).size === 0)
    throw new IngestError(
      "EMPTY_FILE",
      `${path}: the file is empty`,
      "Nothing to land; check the export that produced it.",
      { file: path },
    );
  switch (kind.format) {
    case "csv":
      return inspectCsv(path, kind.compression, options);
    case "json":
    case "jsonl":
      return inspectJson(path, kind.format, kind.compression, options);
    case "parquet":
      return inspectParquet(path);
  }
}
