import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { openEngine, tablesToCompact } from "../src/runner/warehouse.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

it("counts deleted rows in the tables a run wrote, and in no other", async () => {
  const dir = mkdtempSync(join(tmpdir(), "saleslake-dead-rows-"));
  dirs.push(dir);
  const { instance, con } = await openEngine(join(dir, "warehouse.duckdb"));
  try {
    for (const t of ["silver.a", "silver.b", "gold.c"]) {
      await con.run(`CREATE SCHEMA IF NOT EXISTS ${t.split(".")[0]}`);
      await con.run(`CREATE TABLE ${t} AS SELECT range AS id FROM range(1000)`);
    }
    await con.run("DELETE FROM silver.a WHERE id < 300");
    await con.run("DELETE FROM silver.b WHERE id < 300");
    await con.run("DELETE FROM gold.c WHERE id < 100");
    expect(await tablesToCompact(con, ["silver.a", "gold.c"])).toEqual([
      { table: "silver.a", stored: 1000, dead: 300 },
    ]);
    expect(await tablesToCompact(con, ["silver.a", "silver.b", "gold.c"], 0.05)).toEqual([
      { table: "gold.c", stored: 1000, dead: 100 },
      { table: "silver.a", stored: 1000, dead: 300 },
      { table: "silver.b", stored: 1000, dead: 300 },
    ]);
  } finally {
    con.closeSync();
    instance.closeSync();
  }
});
