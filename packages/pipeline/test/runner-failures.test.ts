import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { salesOrderLines } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { projectPaths, type RunOptions, runPipeline, Warehouse } from "../src/index.ts";
import { landBatch } from "./support/land.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function project() {
  const dir = mkdtempSync(join(tmpdir(), "saleslake-failures-"));
  dirs.push(dir);
  landBatch(
    join(dir, "lake"),
    salesOrderLines,
    [
      {
        name: "orders.csv",
        bytes:
          "OrderID,LineNo,order_date,customer_id,product_id,quantity,unit_price,discount_pct,currency,status,channel,updated_at,is_deleted\n" +
          "SO00000001,1,2026-01-05,C000001,P-00001,1,10.00,,EUR,open,web,2026-01-05T10:00:00Z,false\n",
      },
    ],
    "csv",
  );
  const opts: RunOptions = { dir, entities: [salesOrderLines], stars: [] };
  return {
    dir,
    paths: projectPaths(dir),
    run: (extra: Partial<RunOptions> = {}) => runPipeline({ ...opts, ...extra }),
  };
}

describe("a run that fails to start", () => {
  it("releases the run lock when the warehouse cannot be opened", async () => {
    const p = project();
    mkdirSync(p.paths.warehouse, { recursive: true }); // a folder where the warehouse file should be
    await expect(p.run()).rejects.toMatchObject({ code: "ENGINE_ERROR" });
    expect(existsSync(p.paths.lock)).toBe(false);
    rmSync(p.paths.warehouse, { recursive: true });
    const { runs } = await p.run();
    expect(runs[0]).toMatchObject({ status: "succeeded", rowsInserted: 1 });
  });

  it("releases the run lock when the warehouse file is not a database", async () => {
    const p = project();
    mkdirSync(p.paths.state, { recursive: true });
    writeFileSync(
      p.paths.warehouse,
      "not a duckdb file, just some text that is long enough to have a header",
    );
    await expect(p.run()).rejects.toMatchObject({ code: "ENGINE_ERROR" });
    expect(existsSync(p.paths.lock)).toBe(false);
    rmSync(p.paths.warehouse);
    expect((await p.run()).runs[0]).toMatchObject({ status: "succeeded" });
  });

  it("releases the run lock and the warehouse when an engine option is refused", async () => {
    const p = project();
    await expect(p.run({ memoryLimit: "lots" })).rejects.toMatchObject({ code: "INVALID_OPTION" });
    expect(existsSync(p.paths.lock)).toBe(false);
    expect((await p.run()).runs[0]).toMatchObject({ status: "succeeded" });
  });
});

describe("reading a project without a warehouse", () => {
  it("says there is no warehouse, with its own code and a hint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "saleslake-failures-"));
    dirs.push(dir);
    await expect(Warehouse.open(dir)).rejects.toMatchObject({
      code: "NO_WAREHOUSE",
      message: `no warehouse in ${dir}`,
      hint: "Run `saleslake demo` or `saleslake run` first.",
    });
  });
});
