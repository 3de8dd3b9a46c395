import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalLakeStore, landFiles, listLandedManifests } from "@saleslake/ingest";
import { runPipeline, Warehouse } from "@saleslake/pipeline";
import {
  carSales,
  carSalesSeedFiles,
  carSalesStar,
  type Entity,
  type Star,
  salesOrderLines,
  salesOrderStar,
} from "@saleslake/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateNotebooks, type LocalSpark, startLocalSpark } from "../src/index.ts";

const skip = process.env.SALESLAKE_SKIP_SPARK === "1";
if (skip) console.warn("SALESLAKE_SKIP_SPARK=1: the Spark parity suite is skipped");

const work = mkdtempSync(join(tmpdir(), "saleslake-parity-"));
let spark: LocalSpark;
beforeAll(async () => {
  if (skip) return;
  mkdirSync(join(work, "spark"), { recursive: true });
  spark = await startLocalSpark({ warehouseDir: join(work, "spark") });
}, 300_000);
afterAll(async () => {
  await spark?.stop();
  rmSync(work, { recursive: true, force: true });
}, 120_000);

/** Columns that record when or by which run a row was written: not data, not compared. */
const VOLATILE = new Set(["_ingested_at", "_run_id", "_updated_at", "_quarantined_at", "replayed_run_id"]);

async function duckTables(dir: string, schemas: string[]) {
  const w = await Warehouse.open(dir);
  try {
    const cols = await w.query(
      `SELECT table_schema AS s, table_name AS t, column_name AS c, data_type AS d FROM information_schema.columns WHERE table_schema IN (${schemas.map((s) => `'${s}'`).join(",")}) ORDER BY s, t, ordinal_position`,
    );
    const tables = new Map<string, { c: string; d: string }[]>();
    for (const r of cols) {
      const key = `${r.s}.${r.t}`;
      if (!VOLATILE.has(String(r.c)))
        tables.set(key, [...(tables.get(key) ?? []), { c: String(r.c), d: String(r.d) }]);
    }
    const out: Record<string, string[]> = {};
    for (const [t, cs] of tables) {
      const sel = cs
        .map(({ c, d }) =>
          d.startsWith("TIMESTAMP")
            ? `strftime("${c}", '%Y-%m-%d %H:%M:%S')`
            : d.endsWith("[]")
              ? `CAST(array_to_string("${c}", ';') AS VARCHAR)`
              : `CAST("${c}" AS VARCHAR)`,
        )
        .join(" || '|' || ");
      out[t] = (
        await w.query(
          `SELECT coalesce(${sel.replace(/CAST\(/g, "coalesce(CAST(").replace(/ AS VARCHAR\)/g, " AS VARCHAR), '∅')")}, '') AS r FROM ${t}`,
        )
      )
        .map((x) => String(x.r))
        .sort();
    }
    return { out, tables };
  } finally {
    w.close();
  }
}

async function sparkTables(tables: Map<string, { c: string; d: string }[]>) {
  const out: Record<string, string[]> = {};
  for (const [t, cs] of tables) {
    const sel = cs.map(({ c, d }) =>
      d.startsWith("TIMESTAMP")
        ? `coalesce(date_format(\`${c}\`, 'yyyy-MM-dd HH:mm:ss'), '∅')`
        : d.endsWith("[]")
          ? `coalesce(concat_ws(';', \`${c}\`), '∅')`
          : `coalesce(CAST(\`${c}\` AS STRING), '∅')`,
    );
    out[t] = (await spark.sql(`SELECT concat_ws('|', ${sel.join(", ")}) AS r FROM spark_catalog.${t}`))
      .map((x) => String(x.r))
      .sort();
  }
  return out;
}

/** Lands each batch once, then runs both engines on the same lake, batch by batch. */
async function parity(
  name: string,
  entity: Entity,
  star: Star | undefined,
  batches: { name: string; bytes: string | Buffer }[],
) {
  const dir = join(work, name);
  const lake = join(dir, "lake");
  const store = new LocalLakeStore(lake);
  const notebooks = generateNotebooks(entity, star);
  const catalog = "spark_catalog";
  for (const [i, b] of batches.entries()) {
    const file = join(dir, `${i}-${b.name}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, b.bytes);
    await landFiles({ store, entity, paths: [file], force: true, now: new Date(Date.UTC(2026, 0, 1, 0, i)) });
  }
  for (const m of await listLandedManifests(store, entity.name)) {
    await runPipeline({ dir, lakeRoot: lake, entities: [entity], stars: star ? [star] : [] });
    for (const nb of notebooks) {
      const exit = await spark.runNotebook(nb.source, {
        run_id: `run-${m.batchId}`,
        batch_id: m.batchId,
        catalog,
        lake_root: lake,
        full_refresh: "false",
        window_low: "",
        window_high: "",
      });
      expect(JSON.parse(exit ?? "{}").step).toBe(nb.stepId);
    }
  }
  // The DuckDB run processes every batch on its first call; later calls find nothing new.
  const schemas = ["silver", "gold", "quarantine"];
  const duck = await duckTables(dir, schemas);
  const sp = await sparkTables(duck.tables);
  for (const t of Object.keys(duck.out)) {
    expect({ table: t, rows: sp[t] }).toEqual({ table: t, rows: duck.out[t] });
  }
  return duck.out;
}

type Line = Record<string, string | number | boolean | null>;
const line = (order: number, patch: Line = {}): Line => ({
  OrderID: `SO${String(order).padStart(8, "0")}`,
  LineNo: 1,
  order_date: "2026-01-05",
  customer_id: "C000001",
  product_id: "P-00001",
  quantity: 1,
  unit_price: "10.00",
  discount_pct: null,
  currency: "EUR",
  status: "open",
  channel: "web",
  updated_at: "2026-01-05T10:00:00Z",
  is_deleted: false,
  ...patch,
});
const jsonl = (ls: Line[]) => `${ls.map((l) => JSON.stringify(l)).join("\n")}\n`;

describe.skipIf(skip)("the DuckDB engine and the generated notebooks on Spark give the same tables", () => {
  it("on the seed car-sales files, initial then incremental", async () => {
    const { readFileSync } = await import("node:fs");
    const out = await parity("seed", carSales, carSalesStar, [
      { name: "SalesData.csv", bytes: readFileSync(carSalesSeedFiles.initial) },
      { name: "IncrementalSales.csv", bytes: readFileSync(carSalesSeedFiles.incremental) },
    ]);
    expect(out["silver.car_sales"]).toHaveLength(1852);
    expect(out["quarantine.car_sales"]).toHaveLength(1);
  }, 1_500_000);

  it("on order lines: inserts, updates, late and boundary rows, out-of-order, duplicates, soft deletes, quarantine, a batch twice", async () => {
    const out = await parity("orders", salesOrderLines, salesOrderStar, [
      { name: "b1.jsonl", bytes: jsonl([line(1), line(2), line(3, { channel: "store" })]) },
      {
        name: "b2.jsonl",
        bytes: jsonl([
          line(1, { quantity: 5, updated_at: "2026-01-06T09:00:00Z" }),
          line(4, { updated_at: "2026-01-05T09:30:00Z" }),
          line(5, { updated_at: "2026-01-05T10:00:00Z" }),
        ]),
      },
      {
        name: "b3.jsonl",
        bytes: jsonl([
          line(1, { quantity: 3, updated_at: "2026-01-05T12:00:00Z" }),
          line(6, { quantity: 7 }),
          line(6, { quantity: 9 }),
          line(2, { is_deleted: true, updated_at: "2026-01-07T00:00:00Z" }),
        ]),
      },
      { name: "b4.jsonl", bytes: jsonl([line(7, { quantity: -1 }), line(8, { currency: "BTC" })]) },
      {
        name: "b5.jsonl",
        bytes: jsonl([
          line(1, { quantity: 5, updated_at: "2026-01-06T09:00:00Z" }),
          line(4, { updated_at: "2026-01-05T09:30:00Z" }),
        ]),
      },
    ]);
    expect(out["silver.sales_order_lines"]).toHaveLength(6);
    expect(out["gold.fact_order_lines"]).toHaveLength(5);
    expect(out["quarantine.sales_order_lines"]).toHaveLength(2);
  }, 1_500_000);
});
