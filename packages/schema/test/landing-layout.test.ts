import { describe, expect, it } from "vitest";
import { batchIdAfter, batchPath, isBatchId, newBatchId } from "../src/index.ts";

describe("batch ids", () => {
  it("sort by landing time, and the id after one sorts between it and any later landing", () => {
    const first = newBatchId(new Date("2026-03-01T10:00:00.123Z"), "0000abff");
    const later = newBatchId(new Date("2026-03-01T10:00:00.124Z"), "00000000");
    const next = batchIdAfter(first);
    expect(next).toBe("20260301T100000123Z-0000ac00");
    expect(isBatchId(next)).toBe(true);
    expect([later, next, first].sort()).toEqual([first, next, later]);
  });

  it("past the last suffix, the id after is the next millisecond's first, across a day", () => {
    const last = newBatchId(new Date("2026-12-31T23:59:59.999Z"), "ffffffff");
    const next = batchIdAfter(last);
    expect(next).toBe("20270101T000000000Z-00000000");
    expect(next > last).toBe(true);
    expect(batchPath("landing", "orders", next)).toBe("landing/orders/ingest_date=2027-01-01/batch=" + next);
  });

  it("refuses what is not a batch id", () => {
    expect(() => batchIdAfter("20260301T100000123Z-xyz")).toThrow(/not a batch id/);
  });
});
