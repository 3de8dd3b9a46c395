import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineEntity, salesOrderLines, t } from "@saleslake/schema";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  LocalLakeStore,
  landRecords,
  landSourceWindow,
  listLandedManifests,
  type PostgresSource,
  readPostgresWindow,
} from "../src/index.ts";
import { orderLinesTableSql, type PostgresServer, startPostgres } from "../src/testing/index.ts";

const skip = process.env.SALESLAKE_SKIP_POSTGRES === "1";
if (skip) console.warn("SALESLAKE_SKIP_POSTGRES=1: the PostgreSQL source tests are skipped");

let server: PostgresServer;
let client: pg.Client;
const work = mkdtempSync(join(tmpdir(), "saleslake-pgsrc-"));

beforeAll(async () => {
  if (skip) return;
  server = await startPostgres();
  client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: "postgres" });
  await client.connect();
  await client.query(`CREATE SCHEMA sales`);
  await client.query(orderLinesTableSql("sales.order_lines"));
}, 60_000);
afterAll(async () => {
  await client?.end();
  server?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function insert(rows: [string, number, string, number][]) {
  for (const [order, line, ts, qty] of rows) {
    await client.query(
      `INSERT INTO sales.order_lines VALUES ($1, $2, '2026-01-05', 'C000001', 'P-00001', $4, 10.00, NULL, 'EUR', 'open', 'web', $3, false)
       ON CONFLICT ("OrderID", "LineNo") DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = EXCLUDED.updated_at`,
      [order, line, ts, qty],
    );
  }
}

async function read(low: string | null, pageSize = 2) {
  const w = await readPostgresWindow({
    client,
    entity: salesOrderLines,
    table: "sales.order_lines",
    low,
    pageSize,
  });
  const got: string[] = [];
  for await (const r of w.records) got.push(`${r.OrderID}/${r.LineNo}@${r.updated_at}`);
  return { window: w, got };
}

describe.skipIf(skip)("PostgreSQL source: incremental windows on a real server", () => {
  it("three consecutive windows return exactly the rows in (low, high], boundary rows included", async () => {
    await insert([
      ["SO00000001", 1, "2026-01-05T10:00:00Z", 1],
      ["SO00000001", 2, "2026-01-05T10:00:00Z", 1],
      ["SO00000002", 1, "2026-01-05T11:00:00Z", 1],
    ]);
    const w1 = await read(null);
    expect(w1.window.high).toBe("2026-01-05 11:00:00+00");
    expect(w1.got).toEqual([
      "SO00000001/1@2026-01-05T10:00:00.000Z",
      "SO00000001/2@2026-01-05T10:00:00.000Z",
      "SO00000002/1@2026-01-05T11:00:00.000Z",
    ]);

    // Two rows share the next high mark; one more row shares the first boundary exactly.
    await insert([
      ["SO00000003", 1, "2026-01-05T12:00:00Z", 1],
      ["SO00000003", 2, "2026-01-05T12:00:00Z", 1],
      ["SO00000001", 1, "2026-01-05T12:00:00Z", 5],
    ]);
    const w2 = await read(w1.window.high);
    expect(w2.got).toEqual([
      "SO00000001/1@2026-01-05T12:00:00.000Z",
      "SO00000003/1@2026-01-05T12:00:00.000Z",
      "SO00000003/2@2026-01-05T12:00:00.000Z",
    ]);

    // A late commit at exactly the last high mark is caught by a one-hour lookback, once.
    await insert([
      ["SO00000004", 1, "2026-01-05T12:00:00Z", 1],
      ["SO00000005", 1, "2026-01-05T13:30:00Z", 1],
    ]);
    const w3 = await read("2026-01-05T11:00:00Z");
    expect(w3.got).toEqual([
      "SO00000001/1@2026-01-05T12:00:00.000Z",
      "SO00000003/1@2026-01-05T12:00:00.000Z",
      "SO00000003/2@2026-01-05T12:00:00.000Z",
      "SO00000004/1@2026-01-05T12:00:00.000Z",
      "SO00000005/1@2026-01-05T13:30:00.000Z",
    ]);
    expect(w3.window.high).toBe("2026-01-05 13:30:00+00");
  });

  it("lands a window with its manifest; an unchanged table lands no empty batch", async () => {
    const dir = join(work, "project");
    const store = new LocalLakeStore(join(dir, "lake"));
    let low: string | null = null;
    for (const i of [1, 2]) {
      const w = await readPostgresWindow({
        client,
        entity: salesOrderLines,
        table: "sales.order_lines",
        low,
        pageSize: 3,
      });
      const landed = await landRecords({
        store,
        entity: salesOrderLines,
        records: w.records,
        source: { kind: "postgres", name: `127.0.0.1/postgres.sales.order_lines` },
        window: { column: "updated_at", low, high: w.high! },
        now: new Date(Date.UTC(2026, 0, 10, 0, i)),
      });
      if (i === 1) expect(landed?.rows).toBe(7);
      else expect(landed).toBeUndefined(); // nothing changed since: no empty batch
      low = w.high;
    }
    const [m] = await listLandedManifests(store, "sales_order_lines");
    expect(m).toMatchObject({
      format: "jsonl",
      rowCount: 7,
      source: { kind: "postgres" },
      window: { column: "updated_at", low: null, high: "2026-01-05 13:30:00+00" },
    });
    const lines = (await store.get(`${(await store.list("landing/")).find((p) => p.endsWith(".jsonl"))}`))
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.OrderID}/${l.LineNo}`).sort()).toEqual([
      "SO00000001/1",
      "SO00000001/2",
      "SO00000002/1",
      "SO00000003/1",
      "SO00000003/2",
      "SO00000004/1",
      "SO00000005/1",
    ]);
    expect(lines[0]).toMatchObject({
      unit_price: "10.00",
      quantity: expect.any(Number),
      updated_at: expect.stringMatching(/Z$/),
      // A date column lands as the date it is, which the entity's date rule accepts.
      order_date: "2026-01-05",
    });
  });

  it("a timestamp without time zone is read as UTC, whatever the machine's zone", async () => {
    await client.query(`CREATE TABLE sales.order_lines_naive (LIKE sales.order_lines)`);
    await client.query(`ALTER TABLE sales.order_lines_naive ALTER COLUMN updated_at TYPE timestamp`);
    await client.query(
      `INSERT INTO sales.order_lines_naive VALUES ('SO1', 1, '2026-01-05', 'C000001', 'P-00001', 1, 10.00, NULL, 'EUR', 'open', 'web', '2026-01-05 10:00:00.25', false)`,
    );
    const w = await readPostgresWindow({
      client,
      entity: salesOrderLines,
      table: "sales.order_lines_naive",
      low: null,
    });
    const rows: Record<string, unknown>[] = [];
    for await (const r of w.records) rows.push(r);
    expect(rows.map((r) => [r.updated_at, r.order_date])).toEqual([
      ["2026-01-05T10:00:00.25Z", "2026-01-05"],
    ]);
  });

  it("dates and timestamps land in the pattern of a column of a declared format, when the pattern holds them whole", async () => {
    // An entity declared for CSV files (d/M/yyyy, M/d/yyyy H:mm) fed by a table: a date, or a
    // timestamp at midnight, is the day it names; a second the pattern has no field for is kept,
    // for the rules to refuse. A text column's ISO 8601 date is a date too; its other text is kept.
    const returns = defineEntity({
      name: "returns",
      columns: {
        return_id: t.string(),
        day: t.date().format("d/M/yyyy"),
        day_text: t.date().format("d/M/yyyy"),
        midnight: t.date().nullable(),
        returned_at: t.timestamp().format("M/d/yyyy H:mm"),
        changed_at: t.timestamp(),
      },
      key: ["return_id"],
      watermark: { column: "changed_at", lookback: "PT0S" },
    });
    await client.query(
      `CREATE TABLE sales.returns (return_id text PRIMARY KEY, day date, day_text text, midnight timestamptz, returned_at timestamp, changed_at timestamptz)`,
    );
    await client.query(
      `INSERT INTO sales.returns VALUES
         ('R1', '2026-01-05', '5/1/2026', '2026-01-05 00:00:00+00', '2026-01-05 10:00:00', '2026-01-05 10:00:00.5+00'),
         ('R2', '0005-11-30', '2026-01-05', '2026-01-05 00:00:01+00', '2026-01-05 10:00:01', '2026-01-05 11:00:00+00'),
         ('R3', '2026-12-31', NULL, NULL, '2026-12-31 23:59:00.000001', '2026-01-05 12:00:00+00')`,
    );
    const w = await readPostgresWindow({ client, entity: returns, table: "sales.returns", low: null });
    const rows: Record<string, unknown>[] = [];
    for await (const r of w.records) rows.push(r);
    expect(rows).toEqual([
      {
        return_id: "R1",
        day: "5/1/2026",
        day_text: "5/1/2026",
        midnight: "2026-01-05",
        returned_at: "1/5/2026 10:00",
        changed_at: "2026-01-05T10:00:00.500Z",
      },
      {
        return_id: "R2",
        day: "30/11/0005",
        day_text: "5/1/2026",
        midnight: "2026-01-05T00:00:01.000Z",
        returned_at: "2026-01-05T10:00:01Z",
        changed_at: "2026-01-05T11:00:00.000Z",
      },
      {
        return_id: "R3",
        day: "31/12/2026",
        day_text: null,
        midnight: null,
        returned_at: "2026-12-31T23:59:00.000001Z",
        changed_at: "2026-01-05T12:00:00.000Z",
      },
    ]);
  });

  it("a composed column's parts are read, as stored, beside the stored columns", async () => {
    // The date is built in bronze from three columns, as from a file's Day, Month and Year; a
    // part another column also reads is read once.
    const visits = defineEntity({
      name: "visits",
      columns: {
        visit_id: t.string(),
        day: t.date().format("d/M/yyyy").composedFrom(["d", "m", "y"], "/"),
        y: t.int(),
        changed_at: t.timestamp(),
      },
      key: ["visit_id"],
      watermark: { column: "changed_at", lookback: "PT0S" },
    });
    await client.query(
      `CREATE TABLE sales.visits (visit_id text PRIMARY KEY, d int, m text, y int, changed_at timestamptz)`,
    );
    await client.query(
      `INSERT INTO sales.visits VALUES ('V1', 29, '2', 2019, '2026-01-05 10:00:00+00'), ('V2', 5, NULL, 2026, '2026-01-05 11:00:00+00')`,
    );
    const w = await readPostgresWindow({ client, entity: visits, table: "sales.visits", low: null });
    const rows: Record<string, unknown>[] = [];
    for await (const r of w.records) rows.push(r);
    expect(rows).toEqual([
      { visit_id: "V1", y: 2019, changed_at: "2026-01-05T10:00:00.000Z", d: 29, m: "2" },
      { visit_id: "V2", y: 2026, changed_at: "2026-01-05T11:00:00.000Z", d: 5, m: null },
    ]);
  });

  it("a float's NaN and infinities land as PostgreSQL writes them, not as null", async () => {
    await client.query(`CREATE TABLE sales.order_lines_float (LIKE sales.order_lines)`);
    await client.query(`ALTER TABLE sales.order_lines_float ALTER COLUMN unit_price TYPE double precision`);
    const prices = ["NaN", "Infinity", "-Infinity", "1.5"];
    for (const [i, price] of prices.entries()) {
      await client.query(
        `INSERT INTO sales.order_lines_float VALUES ('SO1', $1, '2026-01-05', 'C000001', 'P-00001', 1, $2, NULL, 'EUR', 'open', 'web', '2026-01-05 10:00:00+00', false)`,
        [i + 1, price],
      );
    }
    const w = await readPostgresWindow({
      client,
      entity: salesOrderLines,
      table: "sales.order_lines_float",
      low: null,
    });
    const store = new LocalLakeStore(join(work, "float-project", "lake"));
    const landed = await landRecords({
      store,
      entity: salesOrderLines,
      records: w.records,
      source: { kind: "postgres", name: "127.0.0.1/postgres.sales.order_lines_float" },
      window: { column: "updated_at", low: null, high: w.high! },
    });
    expect(landed?.rows).toBe(4);
    const part = (await store.list("landing/")).find((p) => p.endsWith(".jsonl"))!;
    const lines = (await store.get(part))
      .toString()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // Text the decimal rule refuses (unit_price.parse, quarantined with the value), not a NULL.
    expect(lines.map((l) => l.unit_price)).toEqual([...prices.slice(0, 3), 1.5]);
  });

  it("a dropped connection is a typed error naming the table, not a driver error", async () => {
    const victim = new pg.Client({
      host: server.host,
      port: server.port,
      user: server.user,
      database: "postgres",
    });
    await victim.connect();
    victim.on("error", () => {}); // the terminated connection also reports on the client
    const pid = (await victim.query("SELECT pg_backend_pid() AS pid")).rows[0].pid as number;
    const w = await readPostgresWindow({
      client: victim,
      entity: salesOrderLines,
      table: "sales.order_lines",
      low: null,
      pageSize: 1,
    });
    const it = w.records[Symbol.asyncIterator]();
    await it.next();
    await client.query("SELECT pg_terminate_backend($1)", [pid]);
    const e = await (async () => {
      for (;;) if ((await it.next()).done) return undefined;
    })().catch((err: unknown) => err);
    expect(e).toMatchObject({ name: "IngestError", code: "SOURCE_UNAVAILABLE" });
    expect((e as Error).message).toMatch(/^PostgreSQL read of sales\.order_lines failed/);
    await victim.end().catch(() => {});
  });

  it("identifiers are validated and values bound: injection attempts fail safely", async () => {
    await expect(
      readPostgresWindow({
        client,
        entity: salesOrderLines,
        table: "sales.order_lines; DROP TABLE x",
        low: null,
      }),
    ).rejects.toThrow(/safe SQL identifier/);
    // A value is a bound parameter: SQL in it is just an invalid timestamp.
    await expect(read("2026-01-05' OR '1'='1")).rejects.toMatchObject({
      code: "SOURCE_UNAVAILABLE",
      message: expect.stringMatching(/SQLSTATE 22007\): invalid input syntax for type timestamp/),
    });
  });
});

/** The records of a landed batch's JSON Lines part, each as `show` gives it. */
async function landedRecords(
  store: LocalLakeStore,
  batchId: string,
  show: (r: Record<string, unknown>) => string,
): Promise<string[]> {
  const part = (await store.list("landing/")).find((p) => p.includes(batchId) && p.endsWith(".jsonl"));
  return (await store.get(part!))
    .toString()
    .trim()
    .split("\n")
    .map((l) => show(JSON.parse(l)));
}

describe.skipIf(skip)("landSourceWindow: the next window of a PostgreSQL source", () => {
  const URL_VAR = "SALESLAKE_TEST_ORDERS_PG_URL";
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 10, 0, minute));

  it("starts where the last landed window ended, less the lookback; then lands nothing new", async () => {
    await client.query(`CREATE TABLE sales.lines_src (LIKE sales.order_lines INCLUDING ALL)`);
    const put = async (order: string, ts: string, qty: number) =>
      client.query(
        `INSERT INTO sales.lines_src VALUES ($1, 1, '2026-01-05', 'C000001', 'P-00001', $3, 10.00, NULL, 'EUR', 'open', 'web', $2, false)
         ON CONFLICT ("OrderID", "LineNo") DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = EXCLUDED.updated_at`,
        [order, ts, qty],
      );
    await put("SO00000001", "2026-01-05T10:00:00.000001Z", 1);
    await put("SO00000002", "2026-01-05T11:00:00.000002Z", 1);
    process.env[URL_VAR] = `postgres://${server.user}@${server.host}:${server.port}/postgres`;
    const store = new LocalLakeStore(join(work, "source-window", "lake"));
    const source: PostgresSource = {
      kind: "postgres",
      table: "sales.lines_src",
      connection: { env: URL_VAR },
      pageSize: 2,
    };
    const land = (minute: number) =>
      landSourceWindow({ store, entity: salesOrderLines, source, now: at(minute) });
    const lines = (batchId: string) => landedRecords(store, batchId, (r) => `${r.OrderID}@${r.updated_at}`);

    const first = await land(1);
    expect(first).toMatchObject({
      source: { kind: "postgres", name: `127.0.0.1:${server.port}/postgres/sales.lines_src` },
      window: { column: "updated_at", low: null, high: "2026-01-05 11:00:00.000002+00" },
      landed: { status: "landed", rows: 2 },
    });
    expect(first.previous).toBeUndefined();

    // A new row, and a change to the first: the window starts an hour (the lookback) before the last high.
    await put("SO00000003", "2026-01-05T11:30:00Z", 1);
    await put("SO00000001", "2026-01-05T12:00:00Z", 5);
    const second = await land(2);
    expect(second.previous).toEqual({
      column: "updated_at",
      low: null,
      high: "2026-01-05 11:00:00.000002+00",
    });
    expect(second.window).toEqual({
      column: "updated_at",
      low: "2026-01-05T10:00:00.000002Z",
      high: "2026-01-05 12:00:00+00",
    });
    expect(await lines(second.landed!.batchId)).toEqual([
      "SO00000002@2026-01-05T11:00:00.000002Z", // microseconds kept
      "SO00000003@2026-01-05T11:30:00.000Z",
      "SO00000001@2026-01-05T12:00:00.000Z",
    ]);

    // Unchanged: the rows inside the lookback once more; then that same window, which is not landed again.
    const third = await land(3);
    expect(third.window.low).toBe("2026-01-05T11:00:00Z");
    expect(third.landed).toMatchObject({ status: "landed", rows: 3 }); // SO00000002 is just after 11:00
    const fourth = await land(4);
    expect(fourth.landed).toMatchObject({ status: "duplicate", batchId: third.landed!.batchId });
    expect((await listLandedManifests(store, "sales_order_lines")).map((m) => m.window?.low)).toEqual([
      null,
      "2026-01-05T10:00:00.000002Z",
      "2026-01-05T11:00:00Z",
    ]);
  });

  it("a window ends at the clock: rows dated after it, with no watermark or no key, are counted, and later changes still land", async () => {
    await client.query(`CREATE TABLE sales.future_src (LIKE sales.order_lines INCLUDING ALL)`);
    // No primary key: a key column can be NULL too.
    await client.query(`ALTER TABLE sales.future_src DROP CONSTRAINT future_src_pkey`);
    await client.query(
      `ALTER TABLE sales.future_src ALTER COLUMN updated_at DROP NOT NULL, ALTER COLUMN "LineNo" DROP NOT NULL`,
    );
    const put = (order: string, ts: string | null, line: number | null = 1) =>
      client.query(
        `INSERT INTO sales.future_src VALUES ($1, $3, '2026-01-05', 'C000001', 'P-00001', 1, 10.00, NULL, 'EUR', 'open', 'web', $2, false)`,
        [order, ts, line],
      );
    // A row with no LineNo: counted, not landed (in pages of one row, it would end a page whose
    // keyset no row compares after: SQL Server sorts it first, and would skip the rest).
    await put("SO00000000", "2026-01-05T10:00:00Z", null);
    await put("SO00000001", "2026-01-05T10:00:00Z");
    await put("SO00000002", "2206-01-05T10:00:00Z"); // a typo two centuries ahead
    await put("SO00000003", "infinity");
    await put("SO00000004", null);
    process.env[URL_VAR] = `postgres://${server.user}@${server.host}:${server.port}/postgres`;
    const store = new LocalLakeStore(join(work, "future-window", "lake"));
    const source: PostgresSource = {
      kind: "postgres",
      table: "sales.future_src",
      connection: { env: URL_VAR },
      pageSize: 1,
    };
    const land = (now: Date) => landSourceWindow({ store, entity: salesOrderLines, source, now });

    const first = await land(new Date("2026-01-10T00:00:00Z"));
    expect(first.window).toEqual({ column: "updated_at", low: null, high: "2026-01-05 10:00:00+00" });
    expect(first.landed).toMatchObject({ status: "landed", rows: 1 });
    expect(first.unread).toEqual({ at: "2026-01-10T00:00:00.000Z", ahead: 2, unmarked: 1, keyless: 1 });

    // A change after the first read lands with the next window: the future rows did not carry
    // the watermark past it.
    await put("SO00000005", "2026-01-11T08:00:00Z");
    const second = await land(new Date("2026-01-12T00:00:00Z"));
    expect(second.window).toEqual({
      column: "updated_at",
      low: "2026-01-05T09:00:00Z",
      high: "2026-01-11 08:00:00+00",
    });
    expect(second.landed).toMatchObject({ status: "landed", rows: 2 });
    expect(second.unread).toMatchObject({ ahead: 2, unmarked: 1, keyless: 1 });
  });

  it("a server in another time zone and date style: windows of a timestamp column still meet, dates land as ISO", async () => {
    await client.query(`CREATE TABLE sales.zoned_src (LIKE sales.order_lines INCLUDING ALL)`);
    await client.query(`ALTER TABLE sales.zoned_src ALTER COLUMN updated_at TYPE timestamp`);
    const put = (order: string, ts: string) =>
      client.query(
        `INSERT INTO sales.zoned_src VALUES ($1, 1, '2026-01-05', 'C000001', 'P-00001', 1, 10.00, NULL, 'EUR', 'open', 'web', $2, false)`,
        [order, ts],
      );
    await put("SO00000001", "2026-01-05 10:00:00");
    // As `ALTER DATABASE … SET timezone` or a role's settings would give every session.
    const settings = encodeURIComponent(
      "-c TimeZone=Asia/Tokyo -c DateStyle=SQL,DMY -c extra_float_digits=0",
    );
    process.env[URL_VAR] =
      `postgres://${server.user}@${server.host}:${server.port}/postgres?options=${settings}`;
    const store = new LocalLakeStore(join(work, "zoned-window", "lake"));
    const source: PostgresSource = {
      kind: "postgres",
      table: "sales.zoned_src",
      connection: { env: URL_VAR },
    };
    const land = (now: string) =>
      landSourceWindow({ store, entity: salesOrderLines, source, now: new Date(now) });
    const lines = (batchId: string) =>
      landedRecords(store, batchId, (r) => `${r.OrderID} ${r.order_date} ${r.updated_at}`);

    const first = await land("2026-01-05T10:30:00Z");
    expect(first.window.high).toBe("2026-01-05 10:00:00");
    expect(await lines(first.landed!.batchId)).toEqual(["SO00000001 2026-01-05 2026-01-05T10:00:00Z"]);
    // Later rows, stored in UTC: the next window (from 09:00, the lookback) reads both.
    await put("SO00000002", "2026-01-05 12:00:00");
    await put("SO00000003", "2026-01-05 15:00:00");
    const second = await land("2026-01-05T20:00:00Z");
    expect(second.window).toMatchObject({ low: "2026-01-05T09:00:00Z", high: "2026-01-05 15:00:00" });
    expect(await lines(second.landed!.batchId)).toEqual([
      "SO00000001 2026-01-05 2026-01-05T10:00:00Z",
      "SO00000002 2026-01-05 2026-01-05T12:00:00Z",
      "SO00000003 2026-01-05 2026-01-05T15:00:00Z",
    ]);
  });

  it("a number watermark: each window starts at the last high less the lookback, with no clock", async () => {
    await client.query(
      `CREATE TABLE sales.events_src (id int PRIMARY KEY, seq bigint, amount int, at timestamptz NOT NULL)`,
    );
    const put = (id: number, seq: string | null) =>
      client.query(`INSERT INTO sales.events_src VALUES ($1, $2, $1, '2026-01-05T10:00:00Z')`, [id, seq]);
    await put(1, "10");
    await put(2, "9007199254740993"); // past a JavaScript number's exact integers
    await put(3, null);
    const events = defineEntity({
      name: "events",
      columns: { id: t.int(), seq: t.bigint(), amount: t.int(), at: t.timestamp() },
      key: ["id"],
      sequence: "seq",
      watermark: { column: "seq", lookback: 5 },
    });
    process.env[URL_VAR] = `postgres://${server.user}@${server.host}:${server.port}/postgres`;
    const store = new LocalLakeStore(join(work, "number-window", "lake"));
    const source: PostgresSource = {
      kind: "postgres",
      table: "sales.events_src",
      connection: { env: URL_VAR },
    };
    // The clock is long before every row's time: a number watermark does not look at it.
    const land = () =>
      landSourceWindow({ store, entity: events, source, now: new Date("2000-01-01T00:00:00Z") });
    const ids = (batchId: string) => landedRecords(store, batchId, (r) => `${r.id}@${r.seq}`);

    const first = await land();
    expect(first.window).toEqual({ column: "seq", low: null, high: "9007199254740993" });
    expect(first.unread).toMatchObject({ ahead: 0, unmarked: 1, keyless: 0 });
    expect(await ids(first.landed!.batchId)).toEqual(["1@10", "2@9007199254740993"]);
    await put(4, "9007199254740990"); // inside the lookback
    await put(5, "9007199254741000");
    const second = await land();
    expect(second.window).toEqual({ column: "seq", low: "9007199254740988", high: "9007199254741000" });
    expect(await ids(second.landed!.batchId)).toEqual([
      "4@9007199254740990",
      "2@9007199254740993",
      "5@9007199254741000",
    ]);
  });

  it("a connection that fails names the server, never the password; a missing variable is named", async () => {
    const store = new LocalLakeStore(join(work, "source-down", "lake"));
    const source: PostgresSource = {
      kind: "postgres",
      table: "sales.lines_src",
      connection: { env: URL_VAR },
    };
    process.env[URL_VAR] = "postgres://reader:pg-pass-w0rd@127.0.0.1:1/orders";
    const e = await landSourceWindow({ store, entity: salesOrderLines, source }).catch((err: unknown) => err);
    expect(e).toMatchObject({ code: "SOURCE_UNAVAILABLE" });
    expect((e as Error).message).toMatch(
      /^cannot connect to PostgreSQL at 127\.0\.0\.1:1\/orders: .*ECONNREFUSED/,
    );
    expect(JSON.stringify({ m: (e as Error).message, h: (e as { hint: string }).hint })).not.toContain(
      "pg-pass-w0rd",
    );
    process.env[URL_VAR] = "postgres://reader:pg#pass-w0rd@127.0.0.1:5432/orders";
    const unparsed = await landSourceWindow({ store, entity: salesOrderLines, source }).catch(
      (err: unknown) => err,
    );
    expect(unparsed).toMatchObject({
      code: "BAD_OPTIONS",
      message: `the PostgreSQL connection string in ${URL_VAR} does not parse (not shown: it may hold a password)`,
    });
    expect(JSON.stringify(unparsed)).not.toContain("pass-w0rd");
    delete process.env[URL_VAR];
    await expect(landSourceWindow({ store, entity: salesOrderLines, source })).rejects.toMatchObject({
      code: "SECRET_UNAVAILABLE",
      message: `environment variable ${URL_VAR} is not set (it should hold the PostgreSQL connection string)`,
    });
    expect(await store.list("landing/")).toEqual([]);
  });
});
