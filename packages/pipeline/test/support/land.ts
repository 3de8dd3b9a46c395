import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  batchPath,
  csvHeaderNames,
  type Entity,
  type LandingManifest,
  newBatchId,
  partFileName,
  schemaFingerprint,
} from "@saleslake/schema";

let clock = Date.parse("2026-01-01T00:00:00Z");

/**
 * Lands files as one batch per the landing contract (manifest last); batch ids increase per call.
 * `columns`: the columns a JSON batch's writer declares (as the factory's seal notebook does).
 */
export function landBatch(
  lakeRoot: string,
  entity: Entity,
  files: { name: string; bytes: Buffer | string }[],
  format: LandingManifest["format"] = "csv",
  window: LandingManifest["window"] = null,
  columns?: string[],
): string {
  clock += 60_000;
  const batchId = newBatchId(new Date(clock), randomBytes(4).toString("hex"));
  const dir = join(lakeRoot, batchPath("landing", entity.name, batchId));
  mkdirSync(dir, { recursive: true });
  const ext = format;
  const entries = files.map((f, i) => {
    const bytes = typeof f.bytes === "string" ? Buffer.from(f.bytes) : f.bytes;
    const path = partFileName(i, ext);
    writeFileSync(join(dir, path), bytes);
    const text = bytes.toString("utf8").replace(/^\uFEFF/, "");
    const rows =
      format === "csv"
        ? Math.max(0, text.split(/\r?\n/).filter((l) => l.length > 0).length - 1)
        : text.split("\n").filter(Boolean).length;
    return { path, rows, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
  });
  const first = (
    typeof files[0]!.bytes === "string" ? files[0]!.bytes : files[0]!.bytes.toString("utf8")
  ).replace(/^\uFEFF/, "");
  const manifest: LandingManifest = {
    version: 1,
    entity: entity.name,
    batchId,
    landedAt: new Date(clock).toISOString(),
    source: { kind: "file", name: files.map((f) => f.name).join(",") },
    window,
    format,
    compression: "none",
    ...(format === "csv" && {
      csv: {
        delimiter: ",",
        quote: '"',
        header: true,
        encoding: "utf-8",
        columns: csvHeaderNames(first.split(/\r?\n/)[0]!.split(",")),
        // As landing measures it (these test files have no line breaks inside quotes).
        longestRecordBytes: files
          .flatMap((f) =>
            (typeof f.bytes === "string" ? f.bytes : f.bytes.toString("utf8"))
              .split(/\r?\n/)
              .map((l) => Buffer.byteLength(l)),
          )
          .reduce((a, b) => Math.max(a, b), 0),
        ...mostFields(files.map((f) => (typeof f.bytes === "string" ? f.bytes : f.bytes.toString("utf8")))),
      },
    }),
    ...(columns && { columns }),
    files: entries,
    rowCount: entries.reduce((a, e) => a + e.rows, 0),
    bytes: entries.reduce((a, e) => a + e.bytes, 0),
    contentSha256: createHash("sha256")
      .update(entries.map((e) => e.sha256).join(""))
      .digest("hex"),
    schemaFingerprint: schemaFingerprint(entity),
  };
  writeFileSync(join(dir, "_manifest.json"), JSON.stringify(manifest, null, 2));
  return batchId;
}

/** The manifest's `mostFields` as landing counts it: delimiters outside quotes (one line per record here). */
function mostFields(texts: readonly string[]): { mostFields?: number } {
  const count = (l: string) => l.replace(/"[^"]*(?:""[^"]*)*"/g, "").split(",").length;
  const lines = texts.flatMap((t) =>
    t
      .replace(/^\uFEFF/, "")
      .split(/\r?\n/)
      .filter((l) => l.length > 0),
  );
  const most = lines.reduce((a, l) => Math.max(a, count(l)), 0);
  return lines[0] !== undefined && most > count(lines[0]) ? { mostFields: most } : {};
}

export const readFixture = (name: string) => readFileSync(new URL(`../fixtures/${name}`, import.meta.url));

/** Lands `rows` as one JSON Lines file, one batch. */
export function landJsonl(
  lakeRoot: string,
  entity: Entity,
  rows: readonly object[],
  name = "rows.jsonl",
): string {
  return landBatch(
    lakeRoot,
    entity,
    [{ name, bytes: `${rows.map((r) => JSON.stringify(r)).join("\n")}\n` }],
    "jsonl",
  );
}
