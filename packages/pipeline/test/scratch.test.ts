import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dropScratch, openEngine, rows } from "../src/runner/warehouse.ts";

const dir = mkdtempSync(join(tmpdir(), "saleslake-scratch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("a run's scratch", () => {
  it("is dropped whole, and nothing persistent with it", async () => {
    const { instance, con } = await openEngine(join(dir, "warehouse.duckdb"));
    try {
      await con.run("CREATE SCHEMA silver");
      await con.run("CREATE TABLE silver.kept AS SELECT range AS id FROM range(10)");
      await con.run('CREATE TEMP TABLE "bronze_stage" AS SELECT range AS id FROM range(1000)');
      await con.run('CREATE TEMP TABLE "odd ""name""" AS SELECT 1 AS x');
      await con.run("CREATE TEMP VIEW landing_raw AS SELECT * FROM bronze_stage");
      const scratch = async () =>
        (
          await rows(
            con,
            "SELECT table_name AS n FROM duckdb_tables() WHERE temporary UNION ALL SELECT view_name FROM duckdb_views() WHERE temporary AND NOT internal ORDER BY 1",
          )
        ).map((r) => r.n);
      expect(await scratch()).toEqual(["bronze_stage", "landing_raw", 'odd "name"']);
      await dropScratch(con);
      expect(await scratch()).toEqual([]);
      expect(await rows(con, "SELECT count(*)::INT AS n FROM silver.kept")).toEqual([{ n: 10 }]);
      // Nothing left to drop is not an error.
      await dropScratch(con);
    } finally {
      con.closeSync();
      instance.closeSync();
    }
  });
});
