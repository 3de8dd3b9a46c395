import { describe, expect, it } from "vitest";
import { defineEntity, schemaDiff, t } from "../src/index.ts";

const v1 = defineEntity({
  name: "orders",
  columns: {
    order_id: t.string().maxLength(10),
    qty: t.int(),
    price: t.decimal(10, 2),
    status: t.enum(["open", "closed"]),
    note: t.string().nullable(),
    legacy: t.string().nullable(),
  },
  key: ["order_id"],
});

describe("schemaDiff", () => {
  it("reports no change for the same definition", () => {
    expect(schemaDiff(v1, v1)).toEqual({ entity: "orders", changes: [], compatible: true });
  });

  it("classifies widenings and a nullable addition as compatible", () => {
    const v2 = defineEntity({
      name: "orders",
      columns: {
        order_id: t.string().maxLength(20),
        qty: t.bigint(),
        price: t.decimal(12, 3),
        status: t.enum(["open", "closed", "void"]),
        note: t.string().nullable(),
        legacy: t.string().nullable(),
        channel: t.string().nullable(),
      },
      key: ["order_id"],
    });
    const d = schemaDiff(v1, v2);
    expect(d.changes.map((c) => [c.kind, c.column, c.compatible])).toEqual([
      ["widened", "order_id", true],
      ["widened", "qty", true],
      ["widened", "price", true],
      ["widened", "status", true],
      ["added", "channel", true],
    ]);
    expect(d.compatible).toBe(true);
  });

  it("calls a wider type breaking where stored tables cannot take it in place", () => {
    const v2 = defineEntity({
      name: "orders",
      columns: {
        order_id: t.string().maxLength(10),
        qty: t.double(),
        price: t.string(),
        status: t.string(),
        note: t.string().nullable(),
        legacy: t.string().nullable(),
      },
      key: ["order_id"],
    });
    const d = schemaDiff(v1, v2);
    expect(d.changes.map((c) => [c.kind, c.column, c.compatible, c.detail])).toEqual([
      ["widened", "qty", false, "qty: int → double (stored tables cannot change it in place)"],
      ["widened", "price", false, "price: decimal(10,2) → string (stored tables cannot change it in place)"],
      ["widened", "status", true, "status: enum → string"],
    ]);
  });

  it("classifies narrowing, removal, NOT NULL additions, renames and key changes as breaking", () => {
    const v2 = defineEntity({
      name: "orders",
      columns: {
        order_id: t.string().maxLength(5),
        line: t.int(),
        qty: t.int(),
        price: t.decimal(8, 2),
        status: t.enum(["open"]),
        remark: t.string().nullable().source("note"),
        region: t.string(),
      },
      key: ["order_id", "line"],
    });
    const d = schemaDiff(v1, v2);
    expect(d.changes.map((c) => [c.kind, c.column ?? null, c.compatible])).toEqual([
      ["narrowed", "order_id", false],
      ["added", "line", false],
      ["narrowed", "price", false],
      ["narrowed", "status", false],
      ["renamed", "remark", false],
      ["added", "region", false],
      ["removed", "legacy", false],
      ["changed", null, false],
    ]);
    expect(d.compatible).toBe(false);
  });

  it("reports a type change that is neither wider nor narrower", () => {
    const v2 = defineEntity({ ...v1Input(), columns: { ...v1Input().columns, qty: t.boolean() } });
    expect(schemaDiff(v1, v2).changes).toEqual([
      { kind: "changed", column: "qty", detail: "qty: int → boolean", compatible: false },
    ]);
  });

  it("names the column in every change of a column", () => {
    const v2 = defineEntity({
      ...v1Input(),
      columns: { ...v1Input().columns, qty: t.bigint(), note: t.string() },
    });
    expect(schemaDiff(v1, v2).changes.map((c) => c.detail)).toEqual([
      "qty: int → bigint",
      "note: NULL → NOT NULL",
    ]);
  });

  it("finds the changes in how a column is read: headers, formats", () => {
    const base = defineEntity({
      name: "sales",
      columns: {
        id: t.string().source("SaleID"),
        sold_on: t.date().format("d/M/yyyy"),
        amount: t.decimal(10, 2).numberFormat({ decimalSeparator: "," }),
      },
      key: ["id"],
    });
    const headers = (id: ReturnType<typeof t.string>) =>
      defineEntity({
        name: "sales",
        columns: {
          id,
          sold_on: t.date().format("d/M/yyyy"),
          amount: t.decimal(10, 2).numberFormat({ decimalSeparator: "," }),
        },
        key: ["id"],
      });
    // A new header name, the old one kept as an alias: files of either kind load.
    expect(schemaDiff(base, headers(t.string().source("sale_id", "SaleID"))).changes).toEqual([
      { kind: "widened", column: "id", detail: 'id: also read from "sale_id"', compatible: true },
    ]);
    const lost = schemaDiff(base, headers(t.string().source("sale_id")));
    expect(lost.changes).toEqual([
      {
        kind: "changed",
        column: "id",
        detail:
          'id: no longer read from "SaleID" (files with that header stop loading; keep it as an alias: .source("sale_id", "SaleID"))',
        compatible: false,
      },
    ]);
    const formats = defineEntity({
      name: "sales",
      columns: {
        id: t.string().source("SaleID"),
        sold_on: t.date(),
        amount: t.decimal(10, 2),
      },
      key: ["id"],
    });
    expect(schemaDiff(base, formats).changes.map((c) => [c.kind, c.column, c.detail, c.compatible])).toEqual([
      [
        "changed",
        "sold_on",
        'sold_on: format "d/M/yyyy" → none (files written the old way no longer parse)',
        false,
      ],
      [
        "changed",
        "amount",
        'amount: number format {"decimalSeparator":",","groupSeparator":""} → none (files written the old way no longer parse)',
        false,
      ],
    ]);
  });

  it("classifies tighter rules as breaking and looser ones as compatible", () => {
    const a = defineEntity({
      name: "lines",
      columns: {
        id: t.string().pattern("[A-Z]{2}[0-9]+"),
        qty: t.int().min(1).max(100),
        price: t.decimal(10, 2).min(0).check("cents", "price * 100 = floor(price * 100)", "whole cents"),
      },
      key: ["id"],
      checks: [{ id: "qty_price", sql: "qty * price < 1000000", message: "too large" }],
    });
    const looser = defineEntity({
      name: "lines",
      columns: {
        id: t.string(),
        qty: t.int().min(0).max(1000),
        price: t.decimal(10, 2).min(0),
      },
      key: ["id"],
      checks: [{ id: "qty_price", sql: "qty * price < 1000000", message: "too large", severity: "warn" }],
    });
    const d = schemaDiff(a, looser);
    expect(d.changes.map((c) => [c.kind, c.detail])).toEqual([
      ["widened", 'id: pattern "[A-Z]{2}[0-9]+" → none'],
      ["widened", "qty: min 1 → 0, max 100 → 1000"],
      ["widened", "price: check cents removed"],
      ["widened", "check qty_price changed: severity error → warn"],
    ]);
    expect(d.compatible).toBe(true);
    const back = schemaDiff(looser, a);
    expect(back.changes.map((c) => [c.kind, c.detail, c.compatible])).toEqual([
      ["narrowed", 'id: pattern none → "[A-Z]{2}[0-9]+" (rows accepted before may be quarantined)', false],
      ["narrowed", "qty: min 0 → 1, max 1000 → 100 (rows accepted before may be quarantined)", false],
      ["narrowed", "price: check cents added", false],
      ["changed", "check qty_price changed: severity warn → error", false],
    ]);
  });

  it("finds changes of sequence, watermark, delete flag, layout and contract", () => {
    const cols = {
      id: t.string(),
      updated_at: t.timestamp(),
      version: t.bigint(),
      day: t.date(),
      gone: t.boolean().nullable(),
      removed: t.boolean().nullable(),
    };
    const a = defineEntity({
      name: "o",
      columns: cols,
      key: ["id"],
      sequence: "updated_at",
      watermark: { column: "updated_at", lookback: "PT1H" },
      softDelete: "gone",
      partitionBy: ["day"],
    });
    const b = defineEntity({
      name: "o",
      columns: cols,
      key: ["id"],
      sequence: "version",
      watermark: { column: "updated_at", lookback: "PT6H" },
      softDelete: "removed",
      clusterBy: ["id"],
      contract: { unknownColumns: "reject" },
    });
    const d = schemaDiff(a, b);
    expect(d.changes.map((c) => [c.detail, c.compatible])).toEqual([
      ['sequence "updated_at" → "version" (which version of a key wins)', false],
      ["watermark lookback PT1H → PT6H", true],
      ['delete flag "gone" → "removed"', false],
      ["partitioned by (day) → () (the Delta tables are rewritten)", false],
      ["clustered by () → (id)", true],
      ["unknown columns: rescue → reject (batches that loaded before may be refused)", false],
    ]);
    const batch = defineEntity({ name: "o", columns: cols, key: ["id"], sequence: "updated_at" });
    expect(schemaDiff(a, batch).changes.map((c) => c.detail)).toContain(
      "watermark column updated_at → landing batches (the stored watermarks no longer apply)",
    );
    // Short CSV rows: reading their missing fields as NULL widens, quarantining them narrows.
    const padded = defineEntity({ name: "o", columns: cols, key: ["id"], contract: { shortRows: "null" } });
    const strict = defineEntity({ name: "o", columns: cols, key: ["id"] });
    expect(schemaDiff(strict, padded).changes.map((c) => [c.kind, c.detail, c.compatible])).toEqual([
      ["widened", "short rows: quarantine → null", true],
    ]);
    expect(schemaDiff(padded, strict).changes.map((c) => [c.kind, c.detail, c.compatible])).toEqual([
      ["narrowed", "short rows: null → quarantine (rows that loaded before may be quarantined)", false],
    ]);
  });
});

function v1Input() {
  return {
    name: "orders",
    columns: {
      order_id: t.string().maxLength(10),
      qty: t.int(),
      price: t.decimal(10, 2),
      status: t.enum(["open", "closed"]),
      note: t.string().nullable(),
      legacy: t.string().nullable(),
    },
    key: ["order_id"] as const,
  };
}
