import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { carSales, customers, type Entity, quoteIdent, salesOrderLines } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { buildPlan, DuckdbCompiler, duckdbContext } from "../src/index.ts";
import { batchRead, listLandedBatches } from "../src/runner/landing-batches.ts";
import { keepsOrder } from "../src/runner/local-runner.ts";
import { openEngine, STATE_DDL } from "../src/runner/warehouse.ts";
import { landBatch } from "./support/land.ts";
import { salesOrderLinesWithJoinedCheck } from "./support/reordering-entity.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * The stage statements of an incremental run over two landed batches of `entity`, a CSV file
 * and a JSON-lines file, with their answer to keepsOrder.
 */
async function stagePlans(entity: Entity): Promise<boolean[]> {
  const dir = mkdtempSync(join(tmpdir(), "saleslake-stage-order-"));
  dirs.push(dir);
  const header = [...new Set(entity.columns.flatMap((c) => c.composedFrom?.sources ?? [c.source]))];
  landBatch(join(dir, "lake"), entity, [{ name: "a.csv", bytes: `${header.join(",")}\n` }], "csv");
  const json = JSON.stringify(Object.fromEntries(header.map((h) => [h, "x"])));
  landBatch(join(dir, "lake"), entity, [{ name: "b.jsonl", bytes: `${json}\n` }], "jsonl");
  const { instance, con } = await openEngine(join(dir, "warehouse.duckdb"));
  try {
    const parts = listLandedBatches(join(dir, "lake"), entity.name).flatMap((b) =>
      batchRead(entity, b, () => header),
    );
    for (const [i, p] of parts.entries()) {
      await con.run(`CREATE TEMP VIEW ${quoteIdent("duckdb", `landing_raw_${i}`)} AS ${p.relation}`);
    }
    const ctx = { ...duckdbContext("run-order", new Date(), "incremental"), landingParts: parts.length };
    const compiler = new DuckdbCompiler();
    for (const sql of STATE_DDL) await con.run(sql);
    for (const stmt of compiler.ddl(buildPlan(entity), ctx)) await con.run(stmt.sql);
    const stages = compiler
      .compile(buildPlan(entity), ctx)
      .flatMap((s) => s.statements)
      .filter((s) => s.stagesPart !== undefined);
    expect(stages).toHaveLength(parts.length);
    return await Promise.all(stages.map((s) => keepsOrder(con, s.sql)));
  } finally {
    con.closeSync();
    instance.closeSync();
  }
}

// A stage that does not keep the file's order is still numbered right (numbered as it is read,
// see the scenario test), but on one thread: every shipped entity's stage must keep it.
describe("the stage of a landed file keeps the file's order, so row ids number its rows", () => {
  it.each([salesOrderLines, carSales, customers].map((e) => [e.name, e] as const))(
    "%s",
    async (_name, entity) => {
      expect(await stagePlans(entity)).toEqual([true, true]);
    },
  );

  it("not when a check is planned with a join", async () => {
    expect(await stagePlans(salesOrderLinesWithJoinedCheck)).toEqual([false, false]);
  });
});

describe("the shape of a landed part", () => {
  it("is one for the files of a batch that are read alike, whatever their names and batch", () => {
    const dir = mkdtempSync(join(tmpdir(), "saleslake-stage-shape-"));
    dirs.push(dir);
    const e = salesOrderLines;
    const header = [...new Set(e.columns.map((c) => c.source))];
    const csv = `${header.join(",")}\n`;
    landBatch(
      join(dir, "lake"),
      e,
      [
        { name: "a.csv", bytes: csv },
        { name: "b.csv", bytes: csv },
      ],
      "csv",
    );
    landBatch(join(dir, "lake"), e, [{ name: "c.csv", bytes: csv }], "csv");
    landBatch(join(dir, "lake"), e, [{ name: "d.jsonl", bytes: "{}\n" }], "jsonl");
    const parts = listLandedBatches(join(dir, "lake"), e.name).flatMap((b) => batchRead(e, b, () => header));
    expect(parts.map((p) => /read_(csv|json_objects)\(/.exec(p.relation)?.[1])).toEqual([
      "csv",
      "csv",
      "csv",
      "json_objects",
    ]);
    expect(new Set(parts.map((p) => p.relation)).size).toBe(4);
    expect(parts.map((p) => parts.findIndex((q) => q.shape === p.shape))).toEqual([0, 0, 0, 3]);
  });
});
