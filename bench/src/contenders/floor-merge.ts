import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { ContenderOutcome } from "./contender-outcome.ts";

const COLUMNS = `order_id VARCHAR NOT NULL, line_number INTEGER NOT NULL, order_date DATE, customer_id VARCHAR,
  product_id VARCHAR, quantity INTEGER, unit_price DECIMAL(12, 2), discount_pct DECIMAL(5, 2), currency VARCHAR,
  status VARCHAR, channel VARCHAR, updated_at TIMESTAMPTZ, is_deleted BOOLEAN`;
const NAMES = [
  "order_id",
  "line_number",
  "order_date",
  "customer_id",
  "product_id",
  "quantity",
  "unit_price",
  "discount_pct",
  "currency",
  "status",
  "channel",
  "updated_at",
  "is_deleted",
];

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * The floor: what a hand-written DuckDB job does with the same file — `read_csv`, keep the
 * newest row per key, `MERGE` updating only when newer. No validation, lineage or ledger.
 *
 * The clock stops once the database is closed. DuckDB checkpoints on close: it compresses and
 * writes to the database file what the commit only logged, the rows short of a whole row group
 * (122,880) among them, so a small table or delta is written there only then. A 100k-row first
 * load spent 0.17 s of 0.49 s in that close. saleslake's run ends with the same checkpoint, on
 * its own clock.
 */
export async function floorMerge(stateDir: string, file: string): Promise<ContenderOutcome> {
  mkdirSync(stateDir, { recursive: true });
  const t0 = performance.now();
  const db = await DuckDBInstance.create(join(stateDir, "floor.duckdb"));
  const con = await db.connect();
  let counts: ContenderOutcome["counts"];
  try {
    await con.run("SET TimeZone = 'UTC'");
    await con.run(`CREATE TABLE IF NOT EXISTS silver (${COLUMNS})`);
    const count = async () =>
      Number((await con.runAndReadAll("SELECT count(*) FROM silver")).getRows()[0]?.[0]);
    const before = await count();
    const result = await con.runAndReadAll(`MERGE INTO silver AS t USING (
        SELECT OrderID AS order_id, LineNo AS line_number, order_date, customer_id, product_id, quantity,
          unit_price, discount_pct, currency, status, channel, updated_at, is_deleted
        FROM read_csv(${literal(file)}, header = true,
          types = {'unit_price': 'DECIMAL(12,2)', 'discount_pct': 'DECIMAL(5,2)', 'updated_at': 'TIMESTAMPTZ'})
        QUALIFY row_number() OVER (PARTITION BY OrderID, LineNo ORDER BY updated_at DESC) = 1) AS s
      ON t.order_id = s.order_id AND t.line_number = s.line_number
      WHEN MATCHED AND s.updated_at > t.updated_at THEN UPDATE SET ${NAMES.slice(2)
        .map((c) => `${c} = s.${c}`)
        .join(", ")}
      WHEN NOT MATCHED THEN INSERT (${NAMES.join(", ")}) VALUES (${NAMES.map((c) => `s.${c}`).join(", ")})`);
    const changed = Number(result.getRows()[0]?.[0] ?? 0);
    const after = await count();
    counts = { inserted: after - before, updated: changed - (after - before), silverRows: after };
  } finally {
    con.closeSync();
    db.closeSync();
  }
  return { seconds: (performance.now() - t0) / 1000, counts };
}
