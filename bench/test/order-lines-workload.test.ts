import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { salesOrderLines } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import {
  baseWatermark,
  HEADER,
  INVALID_RULES,
  writeBaseFile,
  writeDeltaFile,
} from "../src/workload/order-lines-workload.ts";

const dir = mkdtempSync(join(tmpdir(), "saleslake-bench-workload-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");
const lines = (p: string) => readFileSync(p, "utf8").trimEnd().split("\n").slice(1);
const key = (l: string) => l.split(",").slice(0, 2).join(",");
const col = (l: string, name: string) => l.split(",")[HEADER.split(",").indexOf(name)]!;

describe("the base file", () => {
  it("has the entity's source columns as header", async () => {
    const f = await writeBaseFile({ rows: 10 }, join(dir, "h.csv"));
    expect(readFileSync(f.path, "utf8").split("\n")[0]).toBe(
      salesOrderLines.columns.map((c) => c.source).join(","),
    );
    expect(HEADER.split(",")).toContain("OrderID");
  });

  it("is the same bytes for a seed, different for another seed", async () => {
    await writeBaseFile({ rows: 3000, seed: 1 }, join(dir, "a.csv"));
    await writeBaseFile({ rows: 3000, seed: 1 }, join(dir, "b.csv"));
    await writeBaseFile({ rows: 3000, seed: 2 }, join(dir, "c.csv"));
    expect(sha(join(dir, "a.csv"))).toBe(sha(join(dir, "b.csv")));
    expect(sha(join(dir, "a.csv"))).not.toBe(sha(join(dir, "c.csv")));
  });

  it("has one row per key, increasing updated_at, all in the past, ending at the watermark", async () => {
    const f = await writeBaseFile({ rows: 5000 }, join(dir, "base.csv"));
    const rows = lines(f.path);
    expect(rows).toHaveLength(5000);
    expect(f.rows).toBe(5000);
    expect(new Set(rows.map(key)).size).toBe(5000);
    const times = rows.map((l) => Date.parse(col(l, "updated_at")));
    expect(times.every((t, i) => i === 0 || t > times[i - 1]!)).toBe(true);
    expect(times.at(-1)).toBe(baseWatermark(5000));
    expect(times.at(-1)!).toBeLessThan(Date.now());
  });

  it("writes the same bytes gzip-compressed", async () => {
    await writeBaseFile({ rows: 2000, seed: 3 }, join(dir, "p.csv"));
    await writeBaseFile({ rows: 2000, seed: 3, gzip: true }, join(dir, "p.csv.gz"));
    expect(gunzipSync(readFileSync(join(dir, "p.csv.gz"))).equals(readFileSync(join(dir, "p.csv")))).toBe(
      true,
    );
  });
});

describe("the delta file's knobs", () => {
  const spec = {
    base: 4000,
    rows: 4000,
    updateShare: 0.3,
    lateShare: 0.05,
    duplicateShare: 0.02,
    invalidShare: 0.03,
  };

  it("is deterministic for a seed", async () => {
    await writeDeltaFile(spec, join(dir, "d1.csv"));
    await writeDeltaFile(spec, join(dir, "d2.csv"));
    await writeDeltaFile({ ...spec, seed: 99 }, join(dir, "d3.csv"));
    expect(sha(join(dir, "d1.csv"))).toBe(sha(join(dir, "d2.csv")));
    expect(sha(join(dir, "d1.csv"))).not.toBe(sha(join(dir, "d3.csv")));
  });

  it("writes the share of updates, late rows, repeats and rule breaks it was asked for", async () => {
    const d = await writeDeltaFile(spec, join(dir, "knobs.csv"));
    const rows = lines(d.path);
    expect(rows).toHaveLength(d.rows);
    expect(d.rows).toBe(spec.rows + d.tally.duplicates);

    const baseKeys = new Set(lines(join(dir, "base.csv")).slice(0, 4000).map(key));
    const updates = rows.slice(0, spec.rows).filter((l) => baseKeys.has(key(l))).length;
    expect(updates).toBe(d.tally.updates);
    expect(updates / spec.rows).toBeGreaterThan(0.25);
    expect(updates / spec.rows).toBeLessThan(0.35);

    const lateAt = baseWatermark(spec.base) - 30 * 60_000;
    const late = rows.slice(0, spec.rows).filter((l) => Date.parse(col(l, "updated_at")) === lateAt).length;
    expect(late).toBe(d.tally.late);
    expect(late / spec.rows).toBeGreaterThan(0.03);
    expect(late / spec.rows).toBeLessThan(0.07);
    // Every other row is newer than anything in the base.
    expect(
      rows.every(
        (l) =>
          Date.parse(col(l, "updated_at")) === lateAt ||
          Date.parse(col(l, "updated_at")) > baseWatermark(spec.base),
      ),
    ).toBe(true);

    const counts = new Map<string, number>();
    for (const l of rows) counts.set(l, (counts.get(l) ?? 0) + 1);
    const repeats = [...counts.values()].reduce((a, n) => a + n - 1, 0);
    expect(repeats).toBe(d.tally.duplicates);
    expect(d.tally.duplicates).toBeGreaterThan(40);

    expect(d.tally.invalid / spec.rows).toBeGreaterThan(0.02);
    expect(Object.keys(d.tally.invalidByRule).sort()).toEqual([...INVALID_RULES].sort());
    expect(rows.filter((l) => col(l, "currency") === "BTC").length).toBeGreaterThanOrEqual(
      d.tally.invalidByRule["currency.enum"]!,
    );
  });

  it("turns each knob off at 0", async () => {
    const d = await writeDeltaFile(
      { base: 1000, rows: 2000, updateShare: 0, lateShare: 0, duplicateShare: 0, invalidShare: 0 },
      join(dir, "off.csv"),
    );
    const rows = lines(d.path);
    expect(d.tally).toMatchObject({ updates: 0, late: 0, duplicates: 0, invalid: 0 });
    expect(new Set(rows.map(key)).size).toBe(2000);
    expect(rows.every((l) => Number(col(l, "LineNo")) >= 1)).toBe(true);
    expect(d.tally.anyRow).toEqual({ inserted: 2000, updated: 0 });
  });

  it("an initial delta (no base) only inserts", async () => {
    const d = await writeDeltaFile({ base: 0, rows: 500, duplicateShare: 0 }, join(dir, "init.csv"));
    expect(d.tally.updates).toBe(0);
    expect(d.tally.anyRow.inserted).toBe(500);
  });
});
