import { defineEntity, salesOrderLines, t } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { windowLowAfter } from "../src/index.ts";

const entity = (watermark: { column: string; lookback?: string | number } | "batch") =>
  defineEntity({
    name: "events",
    columns: { id: t.bigint(), seq: t.bigint(), day: t.date(), at: t.timestamp() },
    key: ["id"],
    sequence: "seq",
    watermark: watermark as never,
  });

describe("the low mark of the next window", () => {
  it("steps a timestamp back by the lookback, keeping every fractional digit, in UTC", () => {
    // sales_order_lines: updated_at with a one-hour lookback.
    expect(windowLowAfter(salesOrderLines, "2026-01-05 13:30:00.123456+00")).toBe(
      "2026-01-05T12:30:00.123456Z",
    );
    expect(windowLowAfter(salesOrderLines, "2026-01-05T00:30:00.1234567Z")).toBe(
      "2026-01-04T23:30:00.1234567Z",
    );
    expect(windowLowAfter(salesOrderLines, "2026-01-05 13:30:00+01")).toBe("2026-01-05T11:30:00Z");
    expect(windowLowAfter(salesOrderLines, "2026-01-05T13:30:00-05:30")).toBe("2026-01-05T18:00:00Z");
    expect(windowLowAfter(entity({ column: "at" }), "2026-03-01T00:00:00.5Z")).toBe("2026-03-01T00:00:00.5Z");
    expect(windowLowAfter(entity({ column: "at", lookback: "P1DT30M" }), "2026-03-01T00:00:00Z")).toBe(
      "2026-02-27T23:30:00Z",
    );
  });

  it("steps a date back by whole days, at least one, a number by the number", () => {
    expect(windowLowAfter(entity({ column: "day", lookback: "PT1H" }), "2026-03-01")).toBe("2026-02-28");
    expect(windowLowAfter(entity({ column: "day", lookback: "P2D" }), "2026-03-01")).toBe("2026-02-27");
    // The last high's day may still be filling: the next window (2026-02-28, …] reads it again.
    expect(windowLowAfter(entity({ column: "day" }), "2026-03-01")).toBe("2026-02-28");
    expect(windowLowAfter(entity({ column: "seq", lookback: 100 }), "9007199254740993")).toBe(
      "9007199254740893",
    );
    expect(windowLowAfter(entity({ column: "seq" }), "42")).toBe("42");
  });

  it("refuses a mark that is not the column's, and an entity without a watermark column", () => {
    expect(() => windowLowAfter(salesOrderLines, "yesterday")).toThrow(
      /sales_order_lines: the last landed window ends at "yesterday", which is not a value of updated_at/,
    );
    expect(() => windowLowAfter(entity({ column: "seq", lookback: 1 }), "x")).toThrow(/not a value of seq/);
    expect(() => windowLowAfter(entity("batch"), "1")).toThrow(/events has no watermark column/);
  });
});
