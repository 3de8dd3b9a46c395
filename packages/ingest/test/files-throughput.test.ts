import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LocalLakeStore, listLandedBatches, measureLandingThroughput } from "../src/index.ts";

const work = mkdtempSync(join(tmpdir(), "saleslake-throughput-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Figures are measured by `pnpm bench` (2 GB); this only checks that the report is whole and consistent.
describe("landing throughput measurement", () => {
  it("lands a generated CSV of the asked size and reports rates and memory next to a plain copy", async () => {
    const dir = join(work, "run");
    const report = await measureLandingThroughput({ dir, bytes: 4 * 1024 * 1024 });
    expect(report.bytes).toBeGreaterThanOrEqual(4 * 1024 * 1024);
    expect(report.bytes).toBeLessThan(4 * 1024 * 1024 + 1024 * 1024);
    expect(report.rows).toBeGreaterThan(10_000);
    expect(report.landBytesPerSecond).toBeCloseTo(report.bytes / report.landSeconds);
    expect(report.copyBytesPerSecond).toBeCloseTo(report.bytes / report.copySeconds);
    expect(report.peakRssBytes).toBeGreaterThanOrEqual(report.rssBeforeBytes);
    // Cleaned up: no generated file, copy or lake left behind.
    expect(readdirSync(dir)).toEqual([]);
  });

  it("lands into a given store and keeps it, for inspection", async () => {
    const store = new LocalLakeStore(join(work, "kept-lake"));
    const report = await measureLandingThroughput({ dir: join(work, "run2"), bytes: 1024 * 1024, store });
    const [batch] = await listLandedBatches(store, "car_sales");
    expect(batch!.manifest).toMatchObject({ rowCount: report.rows, bytes: report.bytes });
    expect(existsSync(join(work, "run2", "throughput-source.csv"))).toBe(false);
  });
});
