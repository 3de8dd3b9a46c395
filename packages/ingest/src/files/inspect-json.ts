import { Writable } from "node:stream";
import { JSONParser } from "@streamparser/json";
import { IngestError } from "../errors.ts";
import { DuplicateKeys, duplicateKeyIn } from "./duplicate-keys.ts";
import {
  DEFAULT_MAX_RECORD_BYTES,
  type FileInspection,
  type InspectStreamOptions,
} from "./file-inspection.ts";
import { streamTextFile } from "./stream-file.ts";

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Streams a JSON array of records or a JSON Lines file: record count, the union of keys, hash;
 * or which record or line is not valid. Neither form is ever held whole in memory.
 */
export async function inspectJson(
  path: string,
  format: "json" | "jsonl",
  compression: "none" | "gzip",
  options: InspectStreamOptions,
): Promise<FileInspection> {
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const keys = new Set<string>();
  let rows = 0;
  const record = (value: unknown, where: string, row: number) => {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      throw new IngestError(
        "MALFORMED_JSON",
        `${path}: ${where} is not a JSON object`,
        "Each record must be an object of field: value.",
        { file: path, row },
      );
    }
    for (const k of Object.keys(value)) keys.add(k);
    rows++;
  };
  const sink = format === "json" ? jsonArraySink(path, record) : jsonLinesSink(path, maxRecordBytes, record);
  const stored = await streamTextFile(path, compression, sink, options);
  if (rows === 0 && format === "jsonl")
    throw new IngestError("EMPTY_FILE", `${path}: the file has no records`, "Nothing to land.", {
      file: path,
    });
  return { path, format, compression, rows, columns: [...keys], ...stored };
}

type OnRecord = (value: unknown, where: string, row: number) => void;

/**
 * The hint for a parse error, with a word on NaN and Infinity when the parser stopped at one:
 * not JSON, but what Python's `json.dumps` writes for a float unless told not to.
 */
function malformedHint(general: string, error: unknown, text?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const at = /Unexpected (?:token )?['"]([NI])['"]|No number after minus sign/.exec(message);
  if (!at || (text !== undefined && !/(?:^|[^\w"])-?(?:NaN|Infinity)(?![\w"])/.test(text))) return general;
  return `${general} NaN and Infinity are not JSON numbers (Python's json.dumps writes them unless given allow_nan=False): write null, or the value as a string, for the entity's rules to judge.`;
}

/**
 * A text or key in `value` holding half of a UTF-16 surrogate pair alone (`"\ud800"`): JSON's
 * grammar lets an escape write one, but it is no character, and the engines' JSON readers refuse
 * the file (DuckDB: "no low surrogate in string").
 */
export function loneSurrogate(value: unknown): string | undefined {
  if (typeof value === "string") return /\p{Cs}/u.test(value) ? value : undefined;
  if (value === null || typeof value !== "object") return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = loneSurrogate(k) ?? loneSurrogate(v);
    if (found !== undefined) return found;
  }
  return undefined;
}

const surrogate = (path: string, where: string, row: number, text: string) =>
  new IngestError(
    "MALFORMED_JSON",
    `${path}: ${where} holds a lone UTF-16 surrogate escape (${JSON.stringify(text).slice(0, 60)}), which is no character`,
    "Each \\uD800-\\uDFFF escape must be one half of a pair that writes one character. Fix the export (a string cut in the middle of a character writes one), then land it again.",
    { file: path, row, rule: "encoding.surrogate" },
  );

const duplicateKey = (path: string, where: string, row: number, key: string) =>
  new IngestError(
    "MALFORMED_JSON",
    `${path}: ${where} holds the key ${JSON.stringify(key)} twice in one object`,
    "Which value is meant is not known: readers keep either one, or refuse the file. Fix the export so that each key appears once.",
    { file: path, row, rule: "json.duplicateKeys" },
  );

function jsonLinesSink(path: string, maxRecordBytes: number, record: OnRecord): Writable {
  // The unfinished line, kept as the chunks it came in: joined once, when its newline arrives,
  // so a long line costs its length, not its length squared.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const takePending = (tail: Buffer): Buffer => {
    const line = pending.length ? Buffer.concat([...pending, tail], pendingBytes + tail.length) : tail;
    pending = [];
    pendingBytes = 0;
    return line;
  };
  let lineNo = 0;
  const tooLong = (row: number) =>
    new IngestError(
      "RECORD_TOO_LONG",
      `${path}: line ${row} is longer than ${maxRecordBytes} bytes`,
      "Check the file has one record per line; otherwise raise maxRecordBytes.",
      { file: path, row, rule: "maxRecordBytes" },
    );
  const parseLine = (line: Buffer) => {
    lineNo++;
    // A whole line within one read, as well as one still arriving (below).
    if (line.length > maxRecordBytes) throw tooLong(lineNo);
    if (lineNo === 1 && line.subarray(0, 3).equals(UTF8_BOM))
      throw new IngestError(
        "INVALID_ENCODING",
        `${path}: line 1 starts with a UTF-8 byte-order mark, which JSON Lines does not allow`,
        "Save the file as UTF-8 without a BOM (e.g. sed -i '1s/^\\xEF\\xBB\\xBF//' FILE), then land it again.",
        { file: path, row: 1, rule: "encoding.bom" },
      );
    const text = line.toString("utf8");
    if (!text.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new IngestError(
        "MALFORMED_JSON",
        `${path}: line ${lineNo}: ${(e as Error).message}`,
        malformedHint("Each line of a JSON Lines file must be one complete JSON object.", e, text),
        { file: path, row: lineNo, cause: e },
      );
    }
    const twice = duplicateKeyIn(text, value);
    if (twice !== undefined) throw duplicateKey(path, `line ${lineNo}`, lineNo, twice.key);
    const lone = text.includes("\\u") ? loneSurrogate(value) : undefined;
    if (lone !== undefined) throw surrogate(path, `line ${lineNo}`, lineNo, lone);
    record(value, `line ${lineNo}`, lineNo);
  };
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        let start = 0;
        for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
          parseLine(takePending(chunk.subarray(start, nl)));
          start = nl + 1;
        }
        if (start < chunk.length) {
          pending.push(chunk.subarray(start));
          pendingBytes += chunk.length - start;
        }
        if (pendingBytes > maxRecordBytes) throw tooLong(lineNo + 1);
        done();
      } catch (e) {
        done(e as Error);
      }
    },
    final(done) {
      try {
        if (pendingBytes) parseLine(takePending(Buffer.alloc(0)));
        done();
      } catch (e) {
        done(e as Error);
      }
    },
  });
}

function jsonArraySink(path: string, record: OnRecord): Writable {
  // paths $.*: each element of the top-level array is emitted and then dropped (keepStack false).
  const parser = new JSONParser({ paths: ["$.*"], keepStack: false });
  let seen = 0;
  let started = false;
  let elements = 0;
  let failure: unknown;
  const keys = new DuplicateKeys();
  parser.onToken = keys.token;
  parser.onValue = ({ value }) => {
    elements++;
    if (keys.found !== undefined) throw duplicateKey(path, `record ${elements}`, elements, keys.found);
    const lone = loneSurrogate(value);
    if (lone !== undefined) throw surrogate(path, `record ${elements}`, elements, lone);
    record(value, `record ${elements}`, elements);
  };
  parser.onError = (e) => {
    failure ??= e;
  };
  const malformed = (why: string, cause?: unknown) =>
    new IngestError(
      "MALFORMED_JSON",
      `${path}: ${why}`,
      malformedHint(
        "The file is not a valid JSON array of records; it may be truncated. JSON Lines files end in .jsonl.",
        cause,
      ),
      { file: path, row: elements + 1, cause },
    );
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        let data = chunk;
        if (!started) {
          if (seen === 0 && data.subarray(0, 3).equals(UTF8_BOM)) data = data.subarray(3);
          const first = data.findIndex((b) => b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09);
          if (first >= 0) {
            if (data[first] !== 0x5b) throw malformed("expected a JSON array of records");
            started = true;
          }
        }
        parser.write(data);
        if (failure)
          throw failure instanceof IngestError
            ? failure
            : malformed(
                `after record ${elements}, near byte ${seen}: ${(failure as Error).message}`,
                failure,
              );
        seen += chunk.length;
        done();
      } catch (e) {
        done(
          e instanceof IngestError
            ? e
            : malformed(`after record ${elements}, near byte ${seen}: ${(e as Error).message}`, e),
        );
      }
    },
    final(done) {
      if (!started) {
        done(new IngestError("EMPTY_FILE", `${path}: the file is empty`, "Nothing to land.", { file: path }));
        return;
      }
      try {
        if (!parser.isEnded) parser.end();
        if (failure) throw failure;
        done();
      } catch (e) {
        done(
          e instanceof IngestError
            ? e
            : malformed(`ends before the array is closed, after record ${elements}`, e),
        );
      }
    },
  });
}
