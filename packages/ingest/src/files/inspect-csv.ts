import { Writable } from "node:stream";
import { csvHeaderNames } from "@saleslake/schema";
import { parse as parseCsvSync } from "csv-parse/sync";
import { IngestError } from "../errors.ts";
import { CsvScanner, lineBreakName } from "./csv-scanner.ts";
import {
  DEFAULT_MAX_HEADER_BYTES,
  DEFAULT_MAX_RECORD_BYTES,
  type FileInspection,
  type InspectStreamOptions,
} from "./file-inspection.ts";
import { streamTextFile } from "./stream-file.ts";

/** Streams a CSV file: record count (quoted newlines included), header as found, hash; or where it is malformed. */
export async function inspectCsv(
  path: string,
  compression: "none" | "gzip",
  options: InspectStreamOptions,
): Promise<FileInspection> {
  // A tab-separated file's name says so; any other takes a comma unless told.
  const delimiter = options.delimiter ?? (/\.tsv(\.gz)?$/i.test(path) ? "\t" : ",");
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const maxHeaderBytes = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  // A delimiter of several bytes in UTF-8 is not counted: no field count is recorded.
  const countable = delimiter.length === 1 && delimiter.charCodeAt(0) < 0x80;
  const scanner = new CsvScanner({
    ...(countable && { delimiter: delimiter.charCodeAt(0) }),
    maxRecordBytes,
    maxHeaderBytes,
    onTooLong: (what, row, bytes) =>
      new IngestError(
        "RECORD_TOO_LONG",
        what === "header"
          ? `${path}: the header row is longer than ${maxHeaderBytes} bytes (no line break in the first ${bytes} bytes)`
          : `${path}: the record starting at line ${row} (the header is line 1) is longer than ${maxRecordBytes} bytes`,
        what === "header"
          ? "Check the file has line breaks and a header row; a quote left open also swallows the lines after it."
          : "A quote left open swallows the lines after it; otherwise raise maxRecordBytes.",
        { file: path, row, rule: what === "header" ? "maxHeaderBytes" : "maxRecordBytes" },
      ),
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        scanner.scan(chunk);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
  const stored = await streamTextFile(path, compression, sink, options);
  scanner.finish();
  if (scanner.inQuote) {
    throw new IngestError(
      "MALFORMED_CSV",
      `${path}: a quote opened at line ${scanner.quoteOpenedAt} (the header is line 1) is never closed`,
      "Check quoting: a field with the delimiter, a quote or a line break must be quoted, and quotes inside doubled.",
      { file: path, row: scanner.quoteOpenedAt, rule: "csv.quoting" },
    );
  }
  if (scanner.quotedNewlines && scanner.otherBreakRow > 0) {
    // Spark reads a file with line breaks in quoted values as one stream, its rows split at the
    // file's first kind of line break only: the rows after another kind would run together.
    throw new IngestError(
      "MALFORMED_CSV",
      `${path}: its lines end in ${lineBreakName(scanner.lineBreak)} and also otherwise (line ${scanner.otherBreakRow}), and a quoted value holds a line break: the engines would not split its rows alike`,
      "Give every line the same ending (for example with dos2unix or unix2dos), and land it again.",
      { file: path, row: scanner.otherBreakRow, rule: "csv.lineBreaks" },
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
    columns: csvHeaderNames(header),
    ...stored,
    delimiter,
    quotedNewlines: scanner.quotedNewlines,
    lineBreak: scanner.lineBreak,
    longestRecordBytes: scanner.longestRecordBytes,
    ...(countable && { mostFields: scanner.mostFields }),
  };
}
