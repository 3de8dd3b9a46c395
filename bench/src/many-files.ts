import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { generateNotebooks, type LocalSpark, startLocalSpark } from "@saleslake/databricks";
import { LocalLakeStore, landFiles } from "@saleslake/ingest";
import { runPipeline } from "@saleslake/pipeline";
import { quoteString, salesOrderLines } from "@saleslake/schema";
import { writeBaseFile } from "./workload/order-lines-workload.ts";

/**
 * A first load from many landed files: the workload's base rows split into `--files` files of
 * `--rows` rows (CSV, JSON lines with `--format jsonl`, Parquet with `--format parquet`, its
 * column types as DuckDB detects them in the whole file), landed as `--batches` batches, then
 * one run. Prints the run's seconds and its steps'. With `--engine notebooks`, the generated
 * bronze notebook on a local Spark session instead, once per batch (where the files are read;
 * the first repeat includes the session's warm-up). Figures, not a test; see bench/README.
 */
const { values } = parseArgs({
  options: {
    files: { type: "string", default: "200" },
    rows: { type: "string", default: "50" },
    batches: { type: "string", default: "1" },
    format: { type: "string", default: "csv" },
    repeats: { type: "string", default: "2" },
    engine: { type: "string", default: "local" },
  },
});
const files = Number(values.files);
const rows = Number(values.rows);
const batches = Number(values.batches);
const format = values.format === "jsonl" || values.format === "parquet" ? values.format : "csv";
if (![files, rows, batches].every((n) => Number.isInteger(n) && n > 0) || batches > files) {
  console.error("--files, --rows and --batches are positive whole numbers, with no more batches than files");
  process.exit(2);
}
if (values.engine !== "local" && values.engine !== "notebooks") {
  console.error(
    "--engine is local (the DuckDB engine, default) or notebooks (the bronze notebook on local Spark)",
  );
  process.exit(2);
}

// The notebook whose reads of the landed files are timed.
const bronzeNotebook = generateNotebooks(salesOrderLines).find((n) => n.stepId === "bronze")?.source;
if (bronzeNotebook === undefined) throw new Error("no bronze notebook generated for sales_order_lines");

const dir = mkdtempSync(join(tmpdir(), "saleslake-many-files-"));
let spark: LocalSpark | undefined;
try {
  await writeBaseFile({ rows: files * rows }, join(dir, "base.csv"));
  const [header = "", ...lines] = readFileSync(join(dir, "base.csv"), "utf8").trimEnd().split("\n");
  const names = header.split(",");
  mkdirSync(join(dir, "files"));
  const fileAt = (i: number) => join(dir, "files", `orders-${String(i).padStart(5, "0")}.${format}`);
  /** Each file's slice of the base rows as CSV or JSON lines. */
  function textFiles(): string[] {
    return Array.from({ length: files }, (_, i) => {
      const fd = openSync(fileAt(i), "w");
      if (format === "csv") writeSync(fd, `${header}\n`);
      // Written 10,000 lines at a time: a file of millions of lines is longer than a string can be.
      for (let at = i * rows; at < (i + 1) * rows; at += 10_000) {
        const body = lines.slice(at, Math.min(at + 10_000, (i + 1) * rows));
        const text =
          format === "csv"
            ? body
            : body.map((l) => JSON.stringify(Object.fromEntries(l.split(",").map((v, j) => [names[j], v]))));
        writeSync(fd, `${text.join("\n")}\n`);
      }
      closeSync(fd);
      return fileAt(i);
    });
  }
  /** The base rows typed once, then each file's slice copied to Parquet. */
  async function parquetFiles(): Promise<string[]> {
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run(
      `CREATE TABLE base AS SELECT * FROM read_csv(${quoteString("duckdb", join(dir, "base.csv"))})`,
    );
    for (let i = 0; i < files; i++) {
      await con.run(
        `COPY (SELECT * FROM base WHERE rowid >= ${i * rows} AND rowid < ${(i + 1) * rows} ORDER BY rowid) TO ${quoteString("duckdb", fileAt(i))} (FORMAT parquet)`,
      );
    }
    con.closeSync();
    db.closeSync();
    return Array.from({ length: files }, (_, i) => fileAt(i));
  }
  const paths = format === "parquet" ? await parquetFiles() : textFiles();
  const perBatch = Math.ceil(files / batches);
  if (values.engine === "notebooks") {
    mkdirSync(join(dir, "spark"));
    spark = await startLocalSpark({ warehouseDir: join(dir, "spark") });
  }
  for (let repeat = 1; repeat <= Number(values.repeats); repeat++) {
    const state = join(dir, `state-${repeat}`);
    const store = new LocalLakeStore(join(state, "lake"));
    const batchIds: string[] = [];
    for (let b = 0; b * perBatch < files; b++) {
      const landed = await landFiles({
        store,
        entity: salesOrderLines,
        paths: paths.slice(b * perBatch, (b + 1) * perBatch),
        force: true,
      });
      batchIds.push(landed.batchId);
    }
    if (spark) {
      for (const schema of ["bronze", "quarantine", "silver", "gold", "saleslake"]) {
        await spark.sql(`DROP SCHEMA IF EXISTS spark_catalog.${schema} CASCADE`);
      }
      const t0 = performance.now();
      let read = 0;
      for (const batchId of batchIds) {
        const exit = await spark.runNotebook(bronzeNotebook, {
          run_id: `many-files-${repeat}`,
          batch_id: batchId,
          window_low: "",
          window_high: "",
          catalog: "spark_catalog",
          lake_root: join(state, "lake"),
          full_refresh: "false",
        });
        read += Number((JSON.parse(exit ?? "{}") as { rows_read?: number }).rows_read ?? 0);
      }
      const seconds = (performance.now() - t0) / 1000;
      console.log(
        `${files} ${format} files of ${rows} rows in ${batchIds.length} batch(es), bronze notebook on local Spark: ${seconds.toFixed(2)} s (${read} rows read)`,
      );
      rmSync(state, { recursive: true, force: true });
      continue;
    }
    const t0 = performance.now();
    const { runs } = await runPipeline({ dir: state, entities: [salesOrderLines], stars: [] });
    const seconds = (performance.now() - t0) / 1000;
    const run = runs[0];
    const steps = run?.steps.map((s) => `${s.step} ${(s.durationMs / 1000).toFixed(2)} s`).join(", ");
    console.log(
      `${files} ${format} files of ${rows} rows in ${Math.ceil(files / perBatch)} batch(es): ${seconds.toFixed(2)} s (${run?.status}, ${run?.rowsRead} rows read; ${steps})`,
    );
    rmSync(state, { recursive: true, force: true });
  }
} finally {
  await spark?.stop();
  rmSync(dir, { recursive: true, force: true });
}
