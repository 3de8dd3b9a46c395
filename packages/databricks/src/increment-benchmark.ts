import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalLakeStore, landFiles } from "@saleslake/ingest";
import { salesOrderLines, salesOrderStar } from "@saleslake/schema";
import type { LocalSpark } from "./local-spark/local-spark.ts";
import { generateNotebooks } from "./notebooks.ts";

export interface IncrementTiming {
  /** 0 is the initial load; 1… the increments. */
  readonly increment: number;
  /** Rows in this increment's file. */
  readonly rows: number;
  /** Rows the original approach's bronze holds after this increment (what its silver re-reads). */
  readonly bronzeRows: number;
  /** Seconds of the original approach: bronze append, silver re-read and append, dimension and fact overwritten. */
  readonly original: number;
  /** Seconds of saleslake's generated notebooks, bronze to the daily aggregate, on the same file. */
  readonly saleslake: number;
}

export interface IncrementComparison {
  readonly timings: readonly IncrementTiming[];
  /** Silver rows at the end: the original's appended copies against saleslake's one row per key. */
  readonly silverRows: { readonly original: number; readonly saleslake: number };
  readonly distinctKeys: number;
}

export interface IncrementComparisonOptions {
  readonly spark: LocalSpark;
  /** A folder of its own: lake, generated files. */
  readonly workDir: string;
  /** Increments after the initial load. Default `10`. */
  readonly increments?: number;
  /** Rows of the initial load. Default `20000`. */
  readonly baseRows?: number;
  /** Rows per increment, half updates of existing lines, half new ones. Default `1000`. */
  readonly deltaRows?: number;
  /** Spark catalog of the tables. Default `spark_catalog`. */
  readonly catalog?: string;
}

const line = (order: number, version: number) => ({
  OrderID: `SO${String(order).padStart(8, "0")}`,
  LineNo: 1,
  order_date: `2026-01-${String(1 + (order % 28)).padStart(2, "0")}`,
  customer_id: `C${String(order % 997).padStart(6, "0")}`,
  product_id: `P-${String(order % 89).padStart(5, "0")}`,
  quantity: 1 + ((order + version) % 9),
  unit_price: "10.00",
  discount_pct: null,
  currency: "EUR",
  status: "open",
  channel: order % 2 ? "web" : "store",
  updated_at: `2026-02-${String(1 + version).padStart(2, "0")}T10:00:00Z`,
  is_deleted: false,
});

/**
 * The original project's pipeline as one notebook: the increment appended to a bronze Parquet
 * folder, all of bronze re-read and appended to silver, the dimension and the fact rebuilt by
 * overwrite. Its cost follows the total, not the increment.
 */
function originalNotebook(): string {
  return `# Databricks notebook source
import json
from pyspark.sql import functions as F

p = {k: dbutils.widgets.get(k) for k in ["file", "bronze", "catalog"]}
spark.sql(f"CREATE SCHEMA IF NOT EXISTS {p['catalog']}.original")
raw = spark.read.option("primitivesAsString", True).json(p["file"])
raw.write.mode("append").parquet(p["bronze"])
bronze = spark.read.parquet(p["bronze"])
silver = bronze.select(
    F.col("OrderID").alias("order_id"), F.col("LineNo").cast("int").alias("line_number"),
    F.to_date("order_date").alias("order_date"), "customer_id", "product_id",
    F.col("quantity").cast("int").alias("quantity"), F.col("unit_price").cast("decimal(18,2)").alias("unit_price"),
    "currency", "status", "channel", F.to_timestamp("updated_at").alias("updated_at"))
silver.write.format("delta").mode("append").saveAsTable(f"{p['catalog']}.original.silver")
s = spark.table(f"{p['catalog']}.original.silver")
dim = s.select("customer_id").distinct().withColumn("customer_key", F.dense_rank().over(__import__("pyspark.sql.window", fromlist=["Window"]).Window.orderBy("customer_id")))
dim.write.format("delta").mode("overwrite").saveAsTable(f"{p['catalog']}.original.dim_customer")
fact = s.join(spark.table(f"{p['catalog']}.original.dim_customer"), "customer_id").select(
    "order_id", "line_number", "customer_key", "order_date", "quantity", (F.col("quantity") * F.col("unit_price")).alias("amount"))
fact.write.format("delta").mode("overwrite").saveAsTable(f"{p['catalog']}.original.fact_order_lines")
dbutils.notebook.exit(json.dumps({"bronze_rows": spark.read.parquet(p["bronze"]).count()}))
`;
}

/**
 * Runs the comparison on a local Spark session: an initial load, then `increments`
 * increments of the same order-line files through the original approach and through saleslake's
 * notebooks; returns the seconds of each per increment (landing excluded from both).
 */
export async function compareIncrements(o: IncrementComparisonOptions): Promise<IncrementComparison> {
  const increments = o.increments ?? 10;
  const baseRows = o.baseRows ?? 20_000;
  const deltaRows = o.deltaRows ?? 1000;
  const catalog = o.catalog ?? "spark_catalog";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(catalog)) throw new Error(`not a catalog name: ${catalog}`);
  const lake = join(o.workDir, "lake");
  const files = join(o.workDir, "files");
  mkdirSync(files, { recursive: true });
  const store = new LocalLakeStore(lake);
  const notebooks = generateNotebooks(salesOrderLines, salesOrderStar);
  const original = originalNotebook();
  const timings: IncrementTiming[] = [];
  let next = 1;
  for (let i = 0; i <= increments; i++) {
    const lines: object[] = [];
    if (i === 0) for (let k = 0; k < baseRows; k++) lines.push(line(next++, 0));
    else {
      for (let k = 0; k < Math.floor(deltaRows / 2); k++)
        lines.push(line(1 + ((i * 7919 + k * 31) % (next - 1)), i));
      while (lines.length < deltaRows) lines.push(line(next++, i));
    }
    const file = join(files, `increment-${i}.jsonl`);
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
    const landed = await landFiles({ store, entity: salesOrderLines, paths: [file], force: true });

    let t0 = performance.now();
    const exit = JSON.parse(
      (await o.spark.runNotebook(original, { file, bronze: join(o.workDir, "original-bronze"), catalog })) ??
        "{}",
    ) as { bronze_rows: number };
    const originalSeconds = (performance.now() - t0) / 1000;

    t0 = performance.now();
    for (const nb of notebooks) {
      await o.spark.runNotebook(nb.source, {
        run_id: `increment-${i}`,
        batch_id: landed.batchId,
        window_low: "",
        window_high: "",
        catalog,
        lake_root: lake,
        full_refresh: "false",
      });
    }
    timings.push({
      increment: i,
      rows: lines.length,
      bronzeRows: exit.bronze_rows,
      original: originalSeconds,
      saleslake: (performance.now() - t0) / 1000,
    });
  }
  const count = async (sql: string) => Number((await o.spark.sql(sql))[0]!.n);
  return {
    timings,
    silverRows: {
      original: await count(`SELECT count(*) AS n FROM ${catalog}.original.silver`),
      saleslake: await count(`SELECT count(*) AS n FROM ${catalog}.silver.sales_order_lines`),
    },
    distinctKeys: next - 1,
  };
}
