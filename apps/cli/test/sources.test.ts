import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  generateOrderLines,
  orderLinesTableSql,
  type PostgresServer,
  type SalesApiServer,
  startPostgres,
  startSalesApi,
} from "@saleslake/ingest/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliProcess } from "./support/cli-process.ts";

// `saleslake ingest --source`, as a user runs it: the real CLI process, a real PostgreSQL
// server, and the project's own sales API over HTTP.

const skip = process.env.SALESLAKE_SKIP_POSTGRES === "1";
if (skip) console.warn("SALESLAKE_SKIP_POSTGRES=1: the CLI's database and API source tests are skipped");

const work = mkdtempSync(join(tmpdir(), "saleslake-cli-sources-"));
const TOKEN = "tok_live_9d8c7b6a5f4e3d2c1b0a";
let server: PostgresServer;
let client: pg.Client;
let api: SalesApiServer;
let project: string;
let env: Record<string, string>;

/** The CLI as a child process; asynchronous, as the test's API server answers from this process. */
function cli(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  return cliProcess(args, { ...env, ...extraEnv }, work);
}

const put = (order: string, ts: string, qty: number) =>
  client.query(
    `INSERT INTO sales.order_lines VALUES ($1, 1, '2026-01-05', 'C000001', 'P-00001', $3, 10.00, NULL, 'EUR', 'open', 'web', $2, false)
     ON CONFLICT ("OrderID", "LineNo") DO UPDATE SET quantity = EXCLUDED.quantity, updated_at = EXCLUDED.updated_at`,
    [order, ts, qty],
  );

beforeAll(async () => {
  if (skip) return;
  server = await startPostgres();
  client = new pg.Client({ host: server.host, port: server.port, user: server.user, database: "postgres" });
  await client.connect();
  await client.query(`CREATE SCHEMA sales`);
  await client.query(orderLinesTableSql("sales.order_lines"));
  api = await startSalesApi();
  api.requireToken(TOKEN);
  project = join(work, "orders");
  mkdirSync(project);
  writeFileSync(
    join(project, "saleslake.config.ts"),
    `import { defineConfig } from "@saleslake/cli";
import { salesOrderLines } from "@saleslake/schema";

export default defineConfig({
  entities: [salesOrderLines],
  sources: {
    orders_db: {
      kind: "postgres",
      entity: "sales_order_lines",
      table: "sales.order_lines",
      connection: { env: "ORDERS_PG_URL" },
    },
    orders_api: {
      kind: "http",
      entity: "sales_order_lines",
      url: "${api.url}/v2/order-lines",
      recordsPath: "results",
      pagination: { kind: "cursor", nextCursorPath: "paging.next", pageSize: 4 },
      auth: { secret: { env: "ORDERS_API_TOKEN" } },
    },
  },
});
`,
  );
  env = { ORDERS_PG_URL: `postgres://${server.user}@${server.host}:${server.port}/postgres` };
}, 60_000);

afterAll(async () => {
  await client?.end();
  server?.stop();
  await api?.stop();
  rmSync(work, { recursive: true, force: true });
});

const silver = async () =>
  JSON.parse(
    (
      await cli([
        "query",
        "--dir",
        project,
        "--json",
        `SELECT order_id, quantity, strftime(updated_at, '%H:%M:%S.%f') AS at FROM silver.sales_order_lines WHERE order_id LIKE 'SO0000000%' ORDER BY order_id`,
      ])
    ).out,
  ) as { order_id: string; quantity: number; at: string }[];

describe.skipIf(skip)("saleslake ingest --source", () => {
  // A dozen CLI processes in a row, each starting Node and opening the warehouse: about 30 s
  // alone, twice that on a machine busy with other suites. The limit guards against a hang only.
  it("lands a PostgreSQL table window by window, from the last high mark less the lookback", {
    timeout: 180_000,
  }, async () => {
    await put("SO00000001", "2026-01-05T10:00:00.000001Z", 1);
    await put("SO00000002", "2026-01-05T11:00:00Z", 1);
    const first = await cli(["ingest", "--dir", project, "--source", "orders_db"]);
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    expect(first.out).toMatch(
      new RegExp(
        `^orders_db \\(postgres 127\\.0\\.0\\.1:${server.port}/postgres/sales\\.order_lines\\): landed 2 rows as batch \\S+\\n  window: updated_at in \\(the start, 2026-01-05 11:00:00\\+00\\]\\n$`,
      ),
    );
    // Before any run, status shows what each source landed, read from the manifests alone.
    const batch = /as batch (\S+)/.exec(first.out)?.[1];
    const waiting = await cli(["status", "--dir", project, "--json"]);
    expect(waiting.code).toBe(0);
    expect(JSON.parse(waiting.out)).toEqual({
      entities: [],
      sources: [
        {
          name: "orders_db",
          entity: "sales_order_lines",
          kind: "postgres",
          batches: 1,
          lastBatchId: batch,
          landedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          rows: 2,
          window: { column: "updated_at", low: null, high: "2026-01-05 11:00:00+00" },
          nextLow: "2026-01-05T10:00:00Z",
          processed: false,
        },
        expect.objectContaining({ name: "orders_api", batches: 0, lastBatchId: null, processed: null }),
      ],
    });
    const text = (await cli(["status", "--dir", project])).out;
    expect(text).toMatch(
      /^no runs yet in .*: saleslake run processes what is landed\n {2}sales_order_lines: 1 batch landed\n\n/,
    );
    expect(text.trimEnd().split("\n").slice(-4)).toEqual([
      "sources:",
      expect.stringMatching(
        new RegExp(
          `^  orders_db   postgres → sales_order_lines: 1 batch landed; the last, ${batch}, 2 rows at \\S+Z$`,
        ),
      ),
      "              updated_at in (the start, 2026-01-05 11:00:00+00]; the next window starts at 2026-01-05 10:00:00+00; waiting for a run",
      "  orders_api  http → sales_order_lines: never landed",
    ]);

    expect((await cli(["run", "--dir", project])).code).toBe(0);
    const after = JSON.parse((await cli(["status", "--dir", project, "--json"])).out);
    expect(after.entities[0]).toMatchObject({ entity: "sales_order_lines", last_status: "succeeded" });
    expect(after.sources[0]).toMatchObject({ name: "orders_db", lastBatchId: batch, processed: true });
    expect((await cli(["status", "--dir", project])).out).toMatch(
      /^\s+updated_at in \(the start, .*; processed$/m,
    );
    expect(await silver()).toEqual([
      { order_id: "SO00000001", quantity: 1, at: "10:00:00.000001" },
      { order_id: "SO00000002", quantity: 1, at: "11:00:00.000000" },
    ]);

    // A change to the first row and a new row: the next window starts an hour before the last high.
    await put("SO00000001", "2026-01-05T11:30:00Z", 7);
    await put("SO00000003", "2026-01-05T11:45:00Z", 2);
    const second = await cli(["ingest", "--dir", project, "--source", "orders_db", "--json"]);
    expect(second.code).toBe(0);
    const [landing] = JSON.parse(second.out);
    expect(landing).toMatchObject({
      name: "orders_db",
      entity: "sales_order_lines",
      kind: "postgres",
      status: "landed",
      rows: 3,
      window: { column: "updated_at", low: "2026-01-05T10:00:00Z", high: "2026-01-05 11:45:00+00" },
      previous: { high: "2026-01-05 11:00:00+00" },
    });
    const run = await cli(["run", "--dir", project]);
    expect(run.out).toMatch(/silver: +1 inserted, 1 updated, 1 unchanged or stale/);
    expect(await silver()).toEqual([
      { order_id: "SO00000001", quantity: 7, at: "11:30:00.000000" },
      { order_id: "SO00000002", quantity: 1, at: "11:00:00.000000" },
      { order_id: "SO00000003", quantity: 2, at: "11:45:00.000000" },
    ]);

    // Nothing changed: the lookback's rows once more (10:45, 11:45], SO00000002's 11:00 included;
    // then that window is known, and not landed again.
    expect((await cli(["ingest", "--dir", project, "--source", "orders_db"])).out).toMatch(
      /: landed 3 rows as batch/,
    );
    const again = await cli(["ingest", "--dir", project, "--source", "orders_db"]);
    expect(again.code).toBe(0);
    expect(again.out).toMatch(/: this window was landed before, as batch \S+: nothing written/);

    // A row dated two centuries ahead: not in the window (which ends at the clock), and said so.
    await put("SO00000009", "2206-01-05T10:00:00Z", 1);
    try {
      const ahead = await cli(["ingest", "--dir", project, "--source", "orders_db"]);
      expect(ahead.code).toBe(0);
      expect(ahead.out).toMatch(
        /\n {2}1 row with updated_at after \d{4}-\d\d-\d\dT[\d:.]+Z, when the read began, not landed: a later window takes them once that time has passed \(a value far ahead is likely a mistake in the source\)\n/,
      );
      const [json] = JSON.parse(
        (await cli(["ingest", "--dir", project, "--source", "orders_db", "--json"])).out,
      );
      expect(json.window.high).toBe("2026-01-05 11:45:00+00");
      expect(json.unread).toEqual({ at: expect.stringMatching(/Z$/), ahead: 1, unmarked: 0, keyless: 0 });
    } finally {
      await client.query(`DELETE FROM sales.order_lines WHERE "OrderID" = 'SO00000009'`);
    }
  });

  it("lands an API window; its token never shows, and a missing one is named", async () => {
    api.upsert(generateOrderLines({ count: 9, firstOrder: 900, updatedFrom: "2026-01-05T09:00:00.000Z" }));
    const r = await cli(["ingest", "--dir", project, "--source", "orders_api", "--json"], {
      ORDERS_API_TOKEN: TOKEN,
    });
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const [landing] = JSON.parse(r.out);
    expect(landing).toMatchObject({
      name: "orders_api",
      kind: "http",
      from: `${api.url}/v2/order-lines`,
      status: "landed",
      rows: 9,
      window: { column: "updated_at", low: null },
      invalid: { count: 0, issues: [] },
    });
    expect(api.requests.every((q) => q.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    const missing = await cli(["ingest", "--dir", project, "--source", "orders_api"], {
      ORDERS_API_TOKEN: undefined,
    });
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(
      /^error SECRET_UNAVAILABLE: source orders_api: environment variable ORDERS_API_TOKEN is not set \(it should hold the API credential\)\nhint: /,
    );
    for (const out of [r.out, r.err, missing.out, missing.err]) expect(out).not.toContain(TOKEN);
  });

  it("a source that cannot be reached fails with its server named and lands nothing", async () => {
    const r = await cli(["ingest", "--dir", project, "--source", "orders_db"], {
      ORDERS_PG_URL: "postgres://reader:Pg-s3cret@127.0.0.1:1/orders",
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error SOURCE_UNAVAILABLE: source orders_db: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/orders: /,
    );
    expect(r.err).not.toContain("Pg-s3cret");
  });

  it("usage errors: an unknown source, files and a source together, nothing to land", async () => {
    const unknown = await cli(["ingest", "--dir", project, "--source", "crm"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^usage error: no source named crm; configured: orders_db, orders_api\n/);
    const both = await cli(["ingest", "--dir", project, "--source", "orders_db", "some.csv"]);
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/^usage error: give files or --source, not both\n/);
    const delimiter = await cli(["ingest", "--dir", project, "--source", "orders_db", "--delimiter", ";"]);
    expect(delimiter.code).toBe(2);
    expect(delimiter.err).toMatch(/^usage error: --delimiter is for CSV files: a source lands JSON Lines\n/);
    const none = await cli(["ingest", "--dir", project]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(
      /^usage error: give files or folders to land, or --source \(configured: orders_db, orders_api\)\n/,
    );
  });

  it("a source of an entity that is not configured is a config error naming it", async () => {
    const d = join(work, "bad-source");
    mkdirSync(d);
    writeFileSync(
      join(d, "saleslake.config.ts"),
      `import { defineConfig } from "@saleslake/cli";
export default defineConfig({
  sources: { crm: { kind: "postgres", entity: "customers", table: "crm.customers" } },
});
`,
    );
    const r = await cli(["ingest", "--dir", d, "--source", "crm"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /^error INVALID_PROJECT_FILE: \S+saleslake\.config\.ts: sources\.crm: entity "customers" is not configured \(entities: car_sales\)\n/,
    );
  });
});
