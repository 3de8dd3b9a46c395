import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareIncrements, type LocalSpark, startLocalSpark } from "../src/index.ts";

const skip = process.env.SALESLAKE_SKIP_SPARK === "1";
if (skip) console.warn("SALESLAKE_SKIP_SPARK=1: the increment comparison suite is skipped");

const work = mkdtempSync(join(tmpdir(), "saleslake-increments-"));
let spark: LocalSpark;
beforeAll(async () => {
  if (skip) return;
  mkdirSync(join(work, "spark"), { recursive: true });
  spark = await startLocalSpark({ warehouseDir: join(work, "spark") });
}, 300_000);
afterAll(async () => {
  await spark?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skip)("the increment comparison (what pnpm bench reports)", () => {
  it("times both approaches per increment; the original re-reads all of bronze and duplicates silver", async () => {
    const r = await compareIncrements({ spark, workDir: work, increments: 2, baseRows: 40, deltaRows: 10 });
    expect(r.timings.map((t) => [t.increment, t.rows, t.bronzeRows])).toEqual([
      [0, 40, 40],
      [1, 10, 50],
      [2, 10, 60],
    ]);
    for (const t of r.timings) {
      expect(t.original).toBeGreaterThan(0);
      expect(t.saleslake).toBeGreaterThan(0);
    }
    // Half of each increment updates existing lines: 40 + 5 + 5 keys.
    expect(r.distinctKeys).toBe(50);
    expect(r.silverRows).toEqual({ original: 40 + 50 + 60, saleslake: 50 });
  }, 1_500_000);
});
