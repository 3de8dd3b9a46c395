import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generateWorkload, HEADER } from "../src/workload.ts";

const dir = mkdtempSync(join(tmpdir(), "saleslake-bench-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (p: string) => createHash("sha256").update(readFileSync(p)).digest("hex");

describe("the generated workload", () => {
  it("is deterministic for a seed and differs across seeds", async () => {
    const a = await generateWorkload(
      { base: 2000, delta: 500, seed: 1 },
      join(dir, "a1.csv"),
      join(dir, "a2.csv"),
    );
    await generateWorkload({ base: 2000, delta: 500, seed: 1 }, join(dir, "b1.csv"), join(dir, "b2.csv"));
    await generateWorkload({ base: 2000, delta: 500, seed: 2 }, join(dir, "c1.csv"), join(dir, "c2.csv"));
    expect(sha(join(dir, "a1.csv"))).toBe(sha(join(dir, "b1.csv")));
    expect(sha(join(dir, "a2.csv"))).toBe(sha(join(dir, "b2.csv")));
    expect(sha(join(dir, "a1.csv"))).not.toBe(sha(join(dir, "c1.csv")));
    expect(a.baseRows).toBe(2000);
    expect(readFileSync(join(dir, "a1.csv"), "utf8").split("\n")[0]).toBe(HEADER);
  });

  it("the knobs shape the delta: updates, duplicates, invalid rows", async () => {
    const spec = {
      base: 4000,
      delta: 2000,
      updateShare: 0.5,
      duplicateShare: 0.05,
      invalidShare: 0.1,
      seed: 3,
    };
    const { deltaRows } = await generateWorkload(spec, join(dir, "k1.csv"), join(dir, "k2.csv"));
    const base = new Set(
      readFileSync(join(dir, "k1.csv"), "utf8")
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(",").slice(0, 2).join()),
    );
    const rows = readFileSync(join(dir, "k2.csv"), "utf8").trim().split("\n").slice(1);
    expect(rows).toHaveLength(deltaRows);
    const updates = rows.filter((l) => base.has(l.split(",").slice(0, 2).join())).length;
    expect(updates / rows.length).toBeGreaterThan(0.4);
    expect(updates / rows.length).toBeLessThan(0.6);
    expect(new Set(rows).size).toBeLessThan(rows.length);
    const invalid = rows.filter((l) => l.split(",")[5] === "-1").length;
    expect(invalid / rows.length).toBeGreaterThan(0.05);
  });
});
