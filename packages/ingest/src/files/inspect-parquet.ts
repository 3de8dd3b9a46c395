import { createReadStream } from "node:fs";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { IngestError } from "../errors.ts";
import { hashingTap } from "../lake/hashing-tap.ts";
import type { FileInspection } from "./file-inspection.ts";

/** Reads a Parquet file's leaf columns and row count from its footer with DuckDB, and hashes its bytes. */
export async function inspectParquet(path: string, compression: "none" | "gzip"): Promise<FileInspection> {
  if (compression === "gzip") {
    throw new IngestError(
      "MIXED_FORMATS",
      `${path}: a gzip-compressed Parquet file cannot be read in place`,
      "Parquet compresses inside the file; land the .parquet file without .gz.",
      { file: path },
    );
  }
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const db = await DuckDBInstance.create(":memory:");
  const con = await db.connect();
  try {
    const cols = (
      await con.runAndReadAll(
        "SELECT name FROM parquet_schema($path) WHERE num_children IS NULL OR num_children = 0",
        { path },
      )
    ).getRowObjectsJson();
    const n = (
      await con.runAndReadAll("SELECT count(*) AS n FROM read_parquet($path)", { path })
    ).getRowObjectsJson();
    const { tap, result } = hashingTap();
    await pipeline(createReadStream(path), tap, new Writable({ write: (_c, _e, done) => done() }));
    return {
      path,
      format: "parquet",
      compression: "none",
      rows: Number(n[0]?.n ?? 0),
      columns: cols.map((c) => String(c.name)),
      ...result(),
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
