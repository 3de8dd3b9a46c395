// One contender, one phase, in its own process so that peak memory is its own.
// Usage: node src/contender.ts <floor|saleslake|pyspark-delta> <stateDir> <csv> <phase>
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { LocalLakeStore, landFiles } from "@saleslake/ingest";
import { runPipeline } from "@saleslake/pipeline";
import { salesOrderLines } from "@saleslake/schema";

const [name, stateDir, csv, phase] = process.argv.slice(2) as [string, string, string, string];
mkdirSync(stateDir, { recursive: true });

const COLS = `order_id VARCHAR NOT NULL, line_number INTEGER NOT NULL, order_date DATE, customer_id VARCHAR, product_id VARCHAR,
  quantity INTEGER, unit_price DECIMAL(12, 2), discount_pct DECIMAL(5, 2), currency VARCHAR, status VARCHAR, channel VARCHAR,
  updated_at TIMESTAMPTZ, is_deleted BOOLEAN`;
const NAMES =
  "order_id, line_number, order_date, customer_id, product_id, quantity, unit_price, discount_pct, currency, status, channel, updated_at, is_deleted";

/** The floor: what a hand-written DuckDB job does — read_csv, keep the newest row per key, MERGE. */
async function floor(): Promise<Record<string, number>> {
  const db = await DuckDBInstance.create(join(stateDir, "floor.duckdb"));
  const con = await db.connect();
  await con.run("SET TimeZone = 'UTC'");
  await con.run(`CREATE TABLE IF NOT EXISTS silver (${COLS})`);
  const lit = `'${csv.replace(/'/g, "''")}'`;
  const r = await con.runAndReadAll(`MERGE INTO silver AS t USING (
      SELECT * FROM (
        SELECT OrderID AS order_id, LineNo AS line_number, order_date, customer_id, product_id, quantity, unit_price, discount_pct,
          currency, status, channel, updated_at, is_deleted,
          row_number() OVER (PARTITION BY OrderID, LineNo ORDER BY updated_at DESC) AS rn
        FROM read_csv(${lit}, header = true, types = {'unit_price': 'DECIMAL(12,2)', 'discount_pct': 'DECIMAL(5,2)', 'updated_at': 'TIMESTAMPTZ'})
      ) WHERE rn = 1) AS s
    ON t.order_id = s.order_id AND t.line_number = s.line_number
    WHEN MATCHED AND s.updated_at > t.updated_at THEN UPDATE SET ${NAMES.split(", ")
      .map((c) => `${c} = s.${c}`)
      .join(", ")}
    WHEN NOT MATCHED THEN INSERT (${NAMES}) VALUES (${NAMES.split(", ")
      .map((c) => `s.${c}`)
      .join(", ")})`);
  const changed = Number(r.getRows()[0]?.[0] ?? 0);
  const n = Number((await con.runAndReadAll("SELECT count(*) FROM silver")).getRows()[0]![0]);
  con.closeSync();
  db.closeSync();
  return { changed, silverRows: n };
}

/** saleslake's whole step: land (copy + checks + manifest), parse, validate, quarantine, lineage, merge, ledger. */
async function saleslake(): Promise<Record<string, number>> {
  await landFiles({
    store: new LocalLakeStore(join(stateDir, "lake")),
    entity: salesOrderLines,
    paths: [csv],
    force: true,
  });
  const { runs } = await runPipeline({ dir: stateDir, entities: [salesOrderLines], stars: [] });
  const r = runs[0]!;
  return {
    read: r.rowsRead,
    quarantined: r.rowsQuarantined,
    inserted: r.rowsInserted,
    updated: r.rowsUpdated,
  };
}

/** PySpark + Delta MERGE in the project's Python environment; it times its merge itself. */
function pysparkDelta(): never {
  const python = join(new URL("../../", import.meta.url).pathname, ".venv", "bin", "python");
  const out = execFileSync(
    python,
    [new URL("../python/delta_merge.py", import.meta.url).pathname, stateDir, csv],
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  );
  const r = JSON.parse(out.trim().split("\n").at(-1)!) as {
    seconds: number;
    peakRssMb: number;
    counts: Record<string, number>;
  };
  process.stdout.write(`${JSON.stringify({ name, phase, ...r })}\n`);
  process.exit(0);
}

if (name === "pyspark-delta") pysparkDelta();
const t0 = performance.now();
const counts = name === "floor" ? await floor() : name === "saleslake" ? await saleslake() : undefined;
if (!counts) throw new Error(`unknown contender ${name}`);
const seconds = (performance.now() - t0) / 1000;
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
process.stdout.write(
  `${JSON.stringify({ name, phase, seconds, peakRssMb: hwm ? Number(hwm[1]) / 1024 : null, counts })}\n`,
);
