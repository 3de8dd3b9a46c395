import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type LakeStore,
  LocalLakeStore,
  landRecords,
  listLandedManifests,
  readPostgresWindow,
} from "@saleslake/ingest";
import { type PostgresServer, startPostgres } from "@saleslake/ingest/testing";
import { runPipeline, Warehouse } from "@saleslake/pipeline";
import { salesOrderLines, salesOrderStar } from "@saleslake/schema";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contentHash } from "./content-hash.ts";
import { tally } from "./tally.ts";

const skip = process.env.SALESLAKE_SKIP_POSTGRES === "1";
if (skip) console.warn("SALESLAKE_SKIP_POSTGRES=1: the PostgreSQL source faults are skipped");

const work = mkdtempSync(join(tmpdir(), "saleslake-faults-pg-"));
const SOURCE = "127.0.0.1/postgres.sales.order_lines";
const ORDER_LINES = { table: "sales_order_lines", key: ["order_id", "line_number"] } as const;
let server: PostgresServer;
let admin: pg.Client;

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.user,
    database: "postgres",
  });
  // A terminated backend is reported as an 'error' event too; the failing query carries it.
  client.on("error", () => {});
  await client.connect();
  return client;
}

/** Order lines `from`..`to`-1, one second apart from `start`: valid under every rule of the entity. */
async function insertLines(from: number, to: number, start: string) {
  await admin.query(
    `INSERT INTO sales.order_lines
     SELECT 'SO' || lpad(i::text, 8, '0'), 1, '2026-01-05', 'C000001', 'P-00001', 1 + i % 7, 10.00, NULL,
            'EUR', 'open', 'web', $3::timestamptz + make_interval(secs => i), false
     FROM generate_series($1::int, $2::int - 1) AS i`,
    [from, to, start],
  );
}

async function storedWatermark(dir: string): Promise<string | null> {
  const w = await Warehouse.open(dir);
  try {
    const [r] = await w.query(
      `SELECT value FROM saleslake.watermarks WHERE entity = 'sales_order_lines' AND source = '${SOURCE}'`,
    );
    return r ? String(r.value) : null;
  } finally {
    w.close();
  }
}

/** One incremental ingest: the window above the stored watermark, landed as one batch. */
async function ingestWindow(
  client: pg.Client,
  store: LakeStore,
  low: string | null,
  tap: (seen: number) => Promise<void> = async () => {},
) {
  const w = await readPostgresWindow({
    client,
    entity: salesOrderLines,
    table: "sales.order_lines",
    low,
    pageSize: 500,
  });
  async function* records() {
    let seen = 0;
    for await (const r of w.records) {
      yield r;
      await tap(++seen);
    }
  }
  return landRecords({
    store,
    entity: salesOrderLines,
    records: records(),
    source: { kind: "postgres", name: SOURCE },
    window: { column: "updated_at", low, high: w.high! },
    rowsPerPart: 2500,
  });
}

const run = (dir: string) => runPipeline({ dir, entities: [salesOrderLines], stars: [salesOrderStar] });

beforeAll(async () => {
  if (skip) return;
  server = await startPostgres();
  const client = new pg.Client({
    host: server.host,
    port: server.port,
    user: server.user,
    database: "postgres",
  });
  await client.connect();
  admin = client;
  await admin.query("CREATE SCHEMA sales");
  await admin.query(`CREATE TABLE sales.order_lines (
    "OrderID" text NOT NULL, "LineNo" int NOT NULL, order_date date, customer_id text, product_id text, quantity int,
    unit_price numeric(12,2), discount_pct numeric(5,2), currency text, status text, channel text,
    updated_at timestamptz NOT NULL, is_deleted boolean, PRIMARY KEY ("OrderID", "LineNo"))`);
}, 60_000);
afterAll(async () => {
  await admin?.end();
  server?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skip)("PostgreSQL connection dropped mid-read", () => {
  it("the read fails cleanly: nothing landed, watermark unchanged; the rerun lands exactly the window once", async () => {
    const dir = join(work, "project");
    const store = new LocalLakeStore(join(dir, "lake"));

    // A first window, processed: the watermark the faulted read starts from.
    await insertLines(0, 1000, "2026-01-01T00:00:00Z");
    const first = await connect();
    expect(await ingestWindow(first, store, null)).toMatchObject({ status: "landed", rows: 1000 });
    await first.end();
    const firstRun = (await run(dir)).runs[0];
    expect(firstRun?.quarantinedByRule).toEqual({});
    expect(firstRun).toMatchObject({ rowsRead: 1000, rowsAccepted: 1000 });
    const low = await storedWatermark(dir);
    expect(low).toBe("2026-01-01 00:16:39+00");

    // The next window spans 24 pages; the reading connection is terminated after 6,000 rows.
    await insertLines(1000, 13_000, "2026-01-02T00:00:00Z");
    const reader = await connect();
    const [{ pid }] = (await reader.query("SELECT pg_backend_pid() AS pid")).rows as [{ pid: number }];
    const landedBefore = await store.list("landing/");
    const failed = await ingestWindow(reader, store, low, async (seen) => {
      if (seen === 6_000) {
        const r = await admin.query("SELECT pg_terminate_backend($1, 10000) AS ok", [pid]);
        expect(r.rows[0].ok).toBe(true);
      }
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failed).toMatchObject({ name: "IngestError", code: "SOURCE_UNAVAILABLE" });
    expect(String((failed as Error).message)).toMatch(/not queryable|terminat/i);
    await reader.end().catch(() => {});
    // Nothing of the half-read window is visible, nor left behind: parts written before the drop are removed.
    expect(await store.list("landing/")).toEqual(landedBefore);
    expect((await listLandedManifests(store, "sales_order_lines")).map((m) => m.rowCount)).toEqual([1000]);
    expect((await run(dir)).runs[0]).toMatchObject({ status: "nothing_to_do" });
    expect(await storedWatermark(dir)).toBe(low);

    // The rerun reads the same window again and lands it once.
    const again = await connect();
    expect(await ingestWindow(again, store, low)).toMatchObject({ status: "landed", rows: 12_000 });
    expect(await ingestWindow(again, store, low)).toMatchObject({ status: "duplicate" });
    await again.end();
    expect((await listLandedManifests(store, "sales_order_lines")).map((m) => m.rowCount)).toEqual([
      1000, 12_000,
    ]);
    const rerun = (await run(dir)).runs[0];
    expect(rerun?.quarantinedByRule).toEqual({});
    expect(rerun).toMatchObject({ rowsRead: 12_000, rowsAccepted: 12_000 });
    expect(await storedWatermark(dir)).toBe("2026-01-02 03:36:39+00");

    const got = await contentHash(dir, { silver: ORDER_LINES });
    tally({ faults: 1, lost: 13_000 - got.silverKeys, duplicated: got.silverRows - got.silverKeys });
    expect(got).toMatchObject({ silverRows: 13_000, silverKeys: 13_000 });
  });
});
