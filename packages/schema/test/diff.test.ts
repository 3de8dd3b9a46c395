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
      { kind: "changed", column: "qty", detail: "int → boolean", compatible: false },
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
