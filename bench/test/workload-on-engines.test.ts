import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Warehouse } from "@saleslake/pipeline";
import { afterAll, describe, expect, it } from "vitest";
import { floorMerge } from "../src/contenders/floor-merge.ts";
import { saleslakeLocal } from "../src/contenders/saleslake-local.ts";
import { writeBaseFile, writeDeltaFile } from "../src/workload/order-lines-workload.ts";

const dir = mkdtempSync(join(tmpdir(), "saleslake-bench-engines-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// The generator's tally is what the harness checks every contender against: prove it on the
// real engines (DuckDB floor, the saleslake pipeline and its quality rules).
describe("the generated workload on the real engines", () => {
  it("the floor and saleslake merge exactly the keys the generator says, and quarantine exactly the broken rows", async () => {
    const base = await writeBaseFile({ rows: 6000 }, join(dir, "base.csv"));
    const delta = await writeDeltaFile(
      { base: 6000, rows: 3000, lateShare: 0.05, duplicateShare: 0.01, invalidShare: 0.02 },
      join(dir, "delta.csv"),
    );

    const f0 = await floorMerge(join(dir, "floor"), base.path);
    expect(f0.counts).toMatchObject({ inserted: 6000, updated: 0 });
    const f1 = await floorMerge(join(dir, "floor"), delta.path);
    expect(f1.counts).toMatchObject({
      ...delta.tally.anyRow,
      silverRows: 6000 + delta.tally.anyRow.inserted,
    });

    const s0 = await saleslakeLocal(join(dir, "saleslake"), base.path);
    expect(s0.counts).toMatchObject({ read: 6000, quarantined: 0, inserted: 6000, updated: 0 });
    const s1 = await saleslakeLocal(join(dir, "saleslake"), delta.path);
    expect(s1.counts).toMatchObject({
      read: delta.rows,
      quarantined: delta.tally.invalidRows,
      ...delta.tally.validRows,
    });
    expect(Object.keys(s1.steps ?? {})).toEqual(["landing", "bronze", "silver"]);
    // Late rows on keys changed after them are stale: never applied.
    expect(s1.counts.stale).toBeGreaterThan(0);
    // Each broken row breaks exactly the rule the generator meant, by the schema's own rules.
    const w = await Warehouse.open(join(dir, "saleslake"));
    try {
      const byRule = await w.query(
        "SELECT rule_ids[1] AS rule, count(*) AS n, max(len(rule_ids)) AS most FROM quarantine.sales_order_lines GROUP BY 1",
      );
      expect(byRule.every((r) => Number(r.most) === 1)).toBe(true);
      const repeatsOf = (rule: string) => Number(byRule.find((r) => r.rule === rule)?.n ?? 0);
      const total = Object.keys(delta.tally.invalidByRule).reduce((a, rule) => a + repeatsOf(rule), 0);
      expect(total).toBe(delta.tally.invalidRows);
      for (const [rule, n] of Object.entries(delta.tally.invalidByRule))
        expect(repeatsOf(rule)).toBeGreaterThanOrEqual(n);
    } finally {
      w.close();
    }
  }, 60_000);
});
