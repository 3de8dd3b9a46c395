import { describe, expect, it } from "vitest";
import { compareIncrements } from "../src/index.ts";
import { sparkSuite } from "./support/spark-suite.ts";

const suite = sparkSuite("increments");
const { skip, work } = suite;

describe.skipIf(skip)("the increment comparison (what pnpm bench reports)", () => {
  it("times both approaches per increment; the original re-reads all of bronze and duplicates silver", async () => {
    const r = await compareIncrements({
      spark: suite.spark,
      workDir: work,
      increments: 2,
      baseRows: 40,
      deltaRows: 10,
    });
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
