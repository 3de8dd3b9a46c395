import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineEntity, salesOrderLines, t } from "@saleslake/schema";
import type { Connection, Request } from "tedious";
import { describe, expect, it } from "vitest";
import { PostgresWindowQuery } from "../src/database/postgres-window-query.ts";
import { readSqlServerWindow, sqlServerMark, tediousRunner } from "../src/database/sqlserver-source.ts";
import { SqlServerWindowQuery } from "../src/database/sqlserver-window-query.ts";
import type { WindowQuery } from "../src/database/window-query-compiler.ts";
import { LocalLakeStore, landSourceWindow } from "../src/index.ts";

// No SQL Server can run here: the T-SQL is checked as text (the PostgreSQL dialect of the same
// compiler runs against a real server in postgres.test.ts), and the tedious adapter against a
// stand-in connection that answers like tedious does.

const COLUMNS_PG = `"OrderID", "LineNo", "order_date", "customer_id", "product_id", "quantity", "unit_price", "discount_pct", "currency", "status", "channel", "updated_at", "is_deleted"`;
const COLUMNS_TSQL = `[OrderID] AS [OrderID], [LineNo] AS [LineNo], CONVERT(nvarchar(10), [order_date], 23) AS [order_date], [customer_id] AS [customer_id], [product_id] AS [product_id], [quantity] AS [quantity], CONVERT(nvarchar(64), [unit_price]) AS [unit_price], CONVERT(nvarchar(64), [discount_pct]) AS [discount_pct], [currency] AS [currency], [status] AS [status], [channel] AS [channel], CONVERT(nvarchar(33), CAST([updated_at] AS datetime2(6)), 126) + N'Z' AS [updated_at], [is_deleted] AS [is_deleted]`;

describe("window queries: one compiler, PostgreSQL and T-SQL", () => {
  const page = {
    low: "2026-01-05T11:00:00",
    high: "2026-01-05T13:30:00.1234567",
    after: ["2026-01-05T12:00:00", "SO00000003", 1],
    pageSize: 500,
  };

  it("PostgreSQL: the high mark, a first page and a keyset page", () => {
    const q = new PostgresWindowQuery(salesOrderLines, "sales.order_lines");
    expect(q.highQuery("2026-01-10T00:00:00.000Z")).toEqual({
      text: `SELECT (SELECT max("updated_at")::text FROM "sales"."order_lines" WHERE "updated_at" <= $1::timestamptz) AS high, (SELECT count(*) FROM "sales"."order_lines" WHERE "updated_at" > $2::timestamptz) AS ahead, (SELECT count(*) FROM "sales"."order_lines" WHERE "updated_at" IS NULL) AS unmarked, (SELECT count(*) FROM "sales"."order_lines" WHERE "OrderID" IS NULL OR "LineNo" IS NULL) AS keyless`,
      values: ["2026-01-10T00:00:00.000Z", "2026-01-10T00:00:00.000Z"],
    });
    expect(q.pageQuery({ low: null, high: page.high, pageSize: 500 })).toEqual({
      text: `SELECT ${COLUMNS_PG}, "updated_at"::text AS "__wm" FROM "sales"."order_lines" WHERE "updated_at" <= $1::timestamptz AND "OrderID" IS NOT NULL AND "LineNo" IS NOT NULL ORDER BY "updated_at", "OrderID", "LineNo" LIMIT $2`,
      values: [page.high, 500],
    });
    expect(q.pageQuery(page)).toEqual({
      text: `SELECT ${COLUMNS_PG}, "updated_at"::text AS "__wm" FROM "sales"."order_lines" WHERE "updated_at" <= $1::timestamptz AND "OrderID" IS NOT NULL AND "LineNo" IS NOT NULL AND "updated_at" > $2::timestamptz AND ("updated_at", "OrderID", "LineNo") > ($3::timestamptz, $4, $5) ORDER BY "updated_at", "OrderID", "LineNo" LIMIT $6`,
      values: [page.high, page.low, "2026-01-05T12:00:00", "SO00000003", 1, 500],
    });
  });

  it("T-SQL (datetime2): TOP, @p parameters, the keyset spelled out, exact text for marks, decimals and dates", () => {
    const q = new SqlServerWindowQuery(salesOrderLines, "sales.order_lines");
    expect(q.highQuery("2026-01-10T00:00:00")).toEqual({
      text: `SELECT (SELECT CONVERT(nvarchar(33), CAST(max([updated_at]) AS datetime2(7)), 126) FROM [sales].[order_lines] WHERE [updated_at] <= CONVERT(datetime2(7), @p1, 126)) AS high, (SELECT count(*) FROM [sales].[order_lines] WHERE [updated_at] > CONVERT(datetime2(7), @p2, 126)) AS ahead, (SELECT count(*) FROM [sales].[order_lines] WHERE [updated_at] IS NULL) AS unmarked, (SELECT count(*) FROM [sales].[order_lines] WHERE [OrderID] IS NULL OR [LineNo] IS NULL) AS keyless`,
      values: ["2026-01-10T00:00:00", "2026-01-10T00:00:00"],
    });
    expect(q.pageQuery({ low: null, high: page.high, pageSize: 500 })).toEqual({
      text: `SELECT TOP (@p2) ${COLUMNS_TSQL}, CONVERT(nvarchar(33), CAST([updated_at] AS datetime2(7)), 126) AS [__wm] FROM [sales].[order_lines] WHERE [updated_at] <= CONVERT(datetime2(7), @p1, 126) AND [OrderID] IS NOT NULL AND [LineNo] IS NOT NULL ORDER BY [updated_at], [OrderID], [LineNo]`,
      values: [page.high, 500],
    });
    const mark = "CONVERT(datetime2(7), @p3, 126)";
    expect(q.pageQuery(page)).toEqual({
      text: `SELECT TOP (@p6) ${COLUMNS_TSQL}, CONVERT(nvarchar(33), CAST([updated_at] AS datetime2(7)), 126) AS [__wm] FROM [sales].[order_lines] WHERE [updated_at] <= CONVERT(datetime2(7), @p1, 126) AND [OrderID] IS NOT NULL AND [LineNo] IS NOT NULL AND [updated_at] > CONVERT(datetime2(7), @p2, 126) AND ([updated_at] > ${mark} OR ([updated_at] = ${mark} AND [OrderID] > @p4) OR ([updated_at] = ${mark} AND [OrderID] = @p4 AND [LineNo] > @p5)) ORDER BY [updated_at], [OrderID], [LineNo]`,
      values: [page.high, page.low, "2026-01-05T12:00:00", "SO00000003", 1, 500],
    });
  });

  it("T-SQL (datetimeoffset): marks compared as UTC instants, read back as UTC text", () => {
    const q = new SqlServerWindowQuery(salesOrderLines, "order_lines", "datetimeoffset");
    expect(q.highQuery("2026-01-10T00:00:00").text).toBe(
      `SELECT (SELECT CONVERT(nvarchar(33), CAST(SWITCHOFFSET(max([updated_at]), '+00:00') AS datetime2(7)), 126) FROM [order_lines] WHERE [updated_at] <= TODATETIMEOFFSET(CONVERT(datetime2(7), @p1, 126), '+00:00')) AS high, (SELECT count(*) FROM [order_lines] WHERE [updated_at] > TODATETIMEOFFSET(CONVERT(datetime2(7), @p2, 126), '+00:00')) AS ahead, (SELECT count(*) FROM [order_lines] WHERE [updated_at] IS NULL) AS unmarked, (SELECT count(*) FROM [order_lines] WHERE [OrderID] IS NULL OR [LineNo] IS NULL) AS keyless`,
    );
    const text = q.pageQuery({ low: null, high: page.high, pageSize: 10 }).text;
    expect(text).toContain(
      `WHERE [updated_at] <= TODATETIMEOFFSET(CONVERT(datetime2(7), @p1, 126), '+00:00') AND [OrderID] IS NOT NULL AND [LineNo] IS NOT NULL ORDER BY`,
    );
    expect(text).toContain(
      `CONVERT(nvarchar(33), CAST(CAST(SWITCHOFFSET([updated_at], '+00:00') AS datetime2(7)) AS datetime2(6)), 126) + N'Z' AS [updated_at]`,
    );
  });

  it("a number watermark: no clock in the high mark, marks compared as numbers and read back as digits", () => {
    const by = (column: "seq" | "rate" | "amount") =>
      defineEntity({
        name: "events",
        columns: { id: t.int(), seq: t.bigint(), rate: t.double(), amount: t.decimal(12, 3) },
        key: ["id"],
        sequence: "seq",
        watermark: { column },
      });
    const events = by("seq");
    const keyless = (table: string) =>
      `(SELECT count(*) FROM ${table} WHERE [seq] IS NULL) AS unmarked, (SELECT count(*) FROM ${table} WHERE [id] IS NULL) AS keyless`;
    expect(new SqlServerWindowQuery(events, "dbo.events").highQuery("2026-01-10T00:00:00")).toEqual({
      text: `SELECT (SELECT CONVERT(nvarchar(48), max([seq])) FROM [dbo].[events]) AS high, 0 AS ahead, ${keyless("[dbo].[events]")}`,
      values: [],
    });
    expect(
      new SqlServerWindowQuery(events, "dbo.events").pageQuery({ low: "10", high: "20", pageSize: 5 }).text,
    ).toMatch(
      /, CONVERT\(nvarchar\(48\), \[seq\]\) AS \[__wm\] FROM \[dbo\]\.\[events\] WHERE \[seq\] <= CONVERT\(bigint, @p1\) AND \[id\] IS NOT NULL AND \[seq\] > CONVERT\(bigint, @p2\) ORDER BY/,
    );
    const byRate = by("rate");
    expect(
      new SqlServerWindowQuery(byRate, "dbo.events").pageQuery({ low: "0.5", high: "1e3", pageSize: 5 }).text,
    ).toContain(
      ", CONVERT(nvarchar(32), [rate], 3) AS [__wm] FROM [dbo].[events] WHERE [rate] <= CONVERT(float, @p1) AND",
    );
    const byAmount = by("amount");
    expect(
      new SqlServerWindowQuery(byAmount, "dbo.events").pageQuery({ low: null, high: "1.5", pageSize: 5 })
        .text,
    ).toContain("WHERE [amount] <= CONVERT(decimal(38, 3), @p1) AND");
    expect(new PostgresWindowQuery(events, "events").highQuery("2026-01-10T00:00:00Z")).toEqual({
      text: `SELECT (SELECT max("seq")::text FROM "events") AS high, 0 AS ahead, (SELECT count(*) FROM "events" WHERE "seq" IS NULL) AS unmarked, (SELECT count(*) FROM "events" WHERE "id" IS NULL) AS keyless`,
      values: [],
    });
  });

  it("refuses unsafe table names in both dialects; values never enter the text", () => {
    for (const make of [
      (t: string) => new PostgresWindowQuery(salesOrderLines, t),
      (t: string) => new SqlServerWindowQuery(salesOrderLines, t),
    ]) {
      expect(() => make("sales.order_lines; DROP TABLE x")).toThrow(/safe SQL identifier/);
      expect(() => make("a.b.c")).toThrow(/too many parts/);
      expect(() => make("[sales]")).toThrow(/safe SQL identifier/);
      const q = make("order_lines").pageQuery({ low: "x' OR 1=1 --", high: "y", pageSize: 1 });
      expect(q.text).not.toContain("OR 1=1");
      expect(q.values).toContain("x' OR 1=1 --");
    }
  });

  it("marks are normalised to UTC datetime2 text, keeping 100 ns; anything else is refused", () => {
    expect(sqlServerMark("2026-01-05T11:00:00Z")).toBe("2026-01-05T11:00:00");
    expect(sqlServerMark("2026-01-05T11:00:00.1234567Z")).toBe("2026-01-05T11:00:00.1234567");
    expect(sqlServerMark("2026-01-05T12:30:00.5+01:30")).toBe("2026-01-05T11:00:00.5");
    expect(sqlServerMark("2026-01-05 11:00:00+00")).toBe("2026-01-05T11:00:00"); // PostgreSQL's text form
    expect(sqlServerMark("2026-01-05T23:00:00-02:00")).toBe("2026-01-06T01:00:00");
    expect(sqlServerMark("2026-01-05T11:00:00")).toBe("2026-01-05T11:00:00"); // no zone: UTC
    for (const bad of ["2026-01-05", "2026-01-05' OR '1'='1", "2026-13-45T00:00:00Z", "yesterday"])
      expect(() => sqlServerMark(bad)).toThrow(expect.objectContaining({ code: "BAD_OPTIONS" }));
  });
});

describe("SQL Server source: windows and keyset pages through a query runner", () => {
  const line = (order: number, lineNo: number, mark: string) => ({
    OrderID: `SO${String(order).padStart(8, "0")}`,
    LineNo: lineNo,
    order_date: "2026-01-05",
    customer_id: "C000001",
    product_id: "P-00001",
    quantity: 2,
    unit_price: "10.00",
    discount_pct: null,
    currency: "EUR",
    status: "open",
    channel: "web",
    updated_at: `${mark.slice(0, 26)}Z`,
    is_deleted: false,
    __wm: mark,
  });

  it("reads the high mark first, then pages after the last (watermark, key) until a short page", async () => {
    const pages = [
      [line(1, 1, "2026-01-05T12:00:00.1234567"), line(1, 2, "2026-01-05T12:00:00.1234567")],
      [line(2, 1, "2026-01-05T12:00:00.1234567"), line(3, 1, "2026-01-05T13:00:00")],
      [line(4, 1, "2026-01-05T13:30:00")],
    ];
    const sent: WindowQuery[] = [];
    const run = async (q: WindowQuery) => {
      sent.push(q);
      return sent.length === 1
        ? [{ high: "2026-01-05T13:30:00", ahead: 2, unmarked: 1 }]
        : (pages[sent.length - 2] ?? []);
    };
    const w = await readSqlServerWindow(
      {
        entity: salesOrderLines,
        table: "sales.order_lines",
        low: "2026-01-05T12:00:00+01:00",
        pageSize: 2,
        clock: () => new Date("2026-01-06T00:00:00Z"),
      },
      run,
    );
    expect(w).toMatchObject({
      column: "updated_at",
      low: "2026-01-05T12:00:00+01:00",
      high: "2026-01-05T13:30:00Z",
      unread: { at: "2026-01-06T00:00:00.000Z", ahead: 2, unmarked: 1, keyless: 0 },
    });
    const got = [];
    for await (const r of w.records) got.push(r);
    expect(got.map((r) => `${r.OrderID}/${r.LineNo}`)).toEqual([
      "SO00000001/1",
      "SO00000001/2",
      "SO00000002/1",
      "SO00000003/1",
      "SO00000004/1",
    ]);
    expect(got[0]).toEqual({ ...line(1, 1, "2026-01-05T12:00:00.1234567"), __wm: undefined });
    expect(Object.keys(got[0]!)).not.toContain("__wm");
    expect(sent.map((q) => q.values)).toEqual([
      ["2026-01-06T00:00:00.000", "2026-01-06T00:00:00.000"],
      ["2026-01-05T13:30:00", "2026-01-05T11:00:00", 2],
      ["2026-01-05T13:30:00", "2026-01-05T11:00:00", "2026-01-05T12:00:00.1234567", "SO00000001", 2, 2],
      ["2026-01-05T13:30:00", "2026-01-05T11:00:00", "2026-01-05T13:00:00", "SO00000003", 1, 2],
    ]);
  });

  it("a query the server refuses is a typed error naming the table and the server's error number", async () => {
    const refused = Object.assign(new Error("Invalid column name 'updated_at'."), { number: 207 });
    const e = await readSqlServerWindow(
      { entity: salesOrderLines, table: "sales.order_lines", low: null },
      () => Promise.reject(refused),
    ).catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: "SOURCE_UNAVAILABLE",
      message: "SQL Server read of sales.order_lines failed (error 207): Invalid column name 'updated_at'.",
    });
  });

  it("a page that ends where the page before it did is an error, not an endless read", async () => {
    // A runner that keeps answering with the same page, as a server whose column the marks do
    // not fit would.
    const same = [line(1, 1, "2026-01-05T12:00:00"), line(1, 2, "2026-01-05T12:00:00")];
    let sent = 0;
    const w = await readSqlServerWindow(
      { entity: salesOrderLines, table: "sales.order_lines", low: null, pageSize: 2 },
      async () => (++sent === 1 ? [{ high: "2026-01-05T13:00:00" }] : same),
    );
    const e = await (async () => {
      for await (const _ of w.records);
    })().catch((x: unknown) => x);
    expect(e).toMatchObject({
      code: "SOURCE_UNAVAILABLE",
      message:
        'the read of sales_order_lines stopped: a page ended at the same (watermark, key) ["2026-01-05T12:00:00","SO00000001",2] as the page before it',
    });
    expect(sent).toBe(3);
  });

  it("a number watermark: the low mark bound as its digits, the high returned as the server wrote it", async () => {
    const events = defineEntity({
      name: "events",
      columns: { id: t.int(), seq: t.bigint() },
      key: ["id"],
      sequence: "seq",
      watermark: { column: "seq" },
    });
    const sent: WindowQuery[] = [];
    const run = async (q: WindowQuery) => {
      sent.push(q);
      return sent.length === 1 ? [{ high: "9007199254740993" }] : [{ id: 7, seq: "12", __wm: "12" }];
    };
    const w = await readSqlServerWindow({ entity: events, table: "dbo.events", low: "10", pageSize: 5 }, run);
    expect(w).toMatchObject({ column: "seq", low: "10", high: "9007199254740993" });
    const got = [];
    for await (const r of w.records) got.push(r);
    expect(got).toEqual([{ id: 7, seq: "12" }]);
    expect(sent.map((q) => q.values)).toEqual([[], ["9007199254740993", "10", 5]]);
    await expect(
      readSqlServerWindow({ entity: events, table: "dbo.events", low: "2026-01-05" }, run),
    ).rejects.toMatchObject({
      code: "BAD_OPTIONS",
      message: 'watermark "2026-01-05" is not a number, as seq is',
    });
  });

  it("an empty table has no high mark and sends no page query", async () => {
    const sent: WindowQuery[] = [];
    const w = await readSqlServerWindow({ entity: salesOrderLines, table: "t", low: null }, async (q) => {
      sent.push(q);
      return [{ high: null }];
    });
    expect(w.high).toBeNull();
    for await (const _ of w.records) throw new Error("no records expected");
    expect(sent).toHaveLength(1);
  });
});

describe("tedious adapter", () => {
  /** Answers `execSql` as tedious does: `row` events with column metadata, then the completion callback. */
  function standIn(rows: Record<string, unknown>[], seen: Request[]): Connection {
    return {
      execSql(request: Request) {
        seen.push(request);
        queueMicrotask(() => {
          for (const r of rows)
            request.emit(
              "row",
              Object.entries(r).map(([colName, value]) => ({ metadata: { colName }, value })),
            );
          request.callback(undefined, rows.length, []);
        });
      },
    } as unknown as Connection;
  }

  it("binds values as @p1… with types by value, and turns rows into objects by column name", async () => {
    const seen: Request[] = [];
    const run = tediousRunner(standIn([{ high: "2026-01-05T13:30:00" }], seen));
    const rows = await run({
      text: "SELECT 1",
      values: ["2026-01-05T13:30:00", "SO00000003", 1, 2 ** 40, 1.5, true, null],
    });
    expect(rows).toEqual([{ high: "2026-01-05T13:30:00" }]);
    expect(seen[0]!.sqlTextOrProcedure).toBe("SELECT 1");
    expect(seen[0]!.parameters.map((p) => [p.name, p.type.name, p.value])).toEqual([
      ["p1", "NVarChar", "2026-01-05T13:30:00"],
      ["p2", "NVarChar", "SO00000003"],
      ["p3", "Int", 1],
      ["p4", "BigInt", 2 ** 40],
      ["p5", "Float", 1.5],
      ["p6", "Bit", true],
      ["p7", "NVarChar", null],
    ]);
  });

  it("a failed request rejects with the driver's error", async () => {
    const connection = {
      execSql(request: Request) {
        queueMicrotask(() => request.callback(new Error("Invalid object name 'sales.order_lines'.")));
      },
    } as unknown as Connection;
    await expect(tediousRunner(connection)({ text: "SELECT 1", values: [] })).rejects.toThrow(
      /Invalid object name/,
    );
  });
});

describe("landSourceWindow on SQL Server", () => {
  it("a server that cannot be reached: a typed error naming it, never the password, nothing landed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "saleslake-mssql-"));
    const store = new LocalLakeStore(join(dir, "lake"));
    process.env.SALESLAKE_TEST_MSSQL_PASSWORD = "Mssql-Pa55-w0rd";
    try {
      const e = await landSourceWindow({
        store,
        entity: salesOrderLines,
        source: {
          kind: "sqlserver",
          server: "127.0.0.1",
          port: 1,
          database: "sales",
          table: "dbo.order_lines",
          authentication: { kind: "sql", user: "reader", password: { env: "SALESLAKE_TEST_MSSQL_PASSWORD" } },
          connectTimeoutMs: 5_000,
        },
      }).catch((err: unknown) => err);
      expect(e).toMatchObject({ name: "IngestError", code: "SOURCE_UNAVAILABLE" });
      expect((e as Error).message).toMatch(/^cannot connect to SQL Server at 127\.0\.0\.1:1\/sales: /);
      expect(JSON.stringify({ m: (e as Error).message, h: (e as { hint: string }).hint })).not.toContain(
        "Mssql-Pa55-w0rd",
      );
      expect(await store.list("landing/")).toEqual([]);
    } finally {
      delete process.env.SALESLAKE_TEST_MSSQL_PASSWORD;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
