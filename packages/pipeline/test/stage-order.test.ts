import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { carSales, customers, type Entity, quoteIdent, salesOrderLines } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { buildPlan, DuckdbCompiler, duckdbContext } from "../src/index.ts";
import {
  GROUPED_FILE_ROWS,
  type LandedBatch,
  landingRead,
  listLandedBatches,
} from "../src/runner/landing-batches.ts";
import { keepsOrder } from "../src/runner/local-runner.ts";
import { openEngine, STATE_DDL } from "../src/runner/warehouse.ts";
import { landBatch } from "./support/land.ts";
import { salesOrderLinesWithJoinedCheck } from "./support/reordering-entity.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * The stage statements of an incremental run over four landed batches of `entity`, each read
 * as a part of its own: a CSV file, a JSON-lines file, then two CSV files and two JSON-lines
 * files, each pair read together; with their answer to keepsOrder.
 */
async function stagePlans(entity: Entity): Promise<boolean[]> {
  const dir = mkdtempSync(join(tmpdir(), "saleslake-stage-order-"));
  dirs.push(dir);
  const header = [...new Set(entity.columns.flatMap((c) => c.composedFrom?.sources ?? [c.source]))];
  const csv = { name: "a.csv", bytes: `${header.join(",")}\n` };
  const json = {
    name: "b.jsonl",
    bytes: `${JSON.stringify(Object.fromEntries(header.map((h) => [h, "x"])))}\n`,
  };
  landBatch(join(dir, "lake"), entity, [csv], "csv");
  landBatch(join(dir, "lake"), entity, [json], "jsonl");
  landBatch(join(dir, "lake"), entity, [csv, csv], "csv");
  landBatch(join(dir, "lake"), entity, [json, json], "jsonl");
  const { instance, con } = await openEngine(join(dir, "warehouse.duckdb"));
  try {
    const parts = landingRead(entity, listLandedBatches(join(dir, "lake"), entity.name), () => ({
      columns: header,
    }));
    expect(parts.map((p) => p.files)).toEqual([1, 1, 2, 2]);
    for (const [i, p] of parts.entries()) {
      await con.run(`CREATE TEMP VIEW ${quoteIdent("duckdb", `landing_raw_${i}`)} AS ${p.relation}`);
    }
    const ctx = {
      ...duckdbContext("run-order", new Date(), "incremental"),
      landingParts: parts.length,
      groupedParts: [2, 3],
      partLineage: parts.map((p) => p.lineage),
    };
    const compiler = new DuckdbCompiler();
    for (const sql of STATE_DDL) await con.run(sql);
    for (const stmt of compiler.ddl(buildPlan(entity), ctx)) await con.run(stmt.sql);
    const stages = compiler
      .compile(buildPlan(entity), ctx)
      .flatMap((s) => s.statements)
      .filter((s) => s.stagesPart !== undefined);
    expect(stages.map((s) => s.stagesPart)).toEqual([0, 1, 2, 3]);
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
      expect(await stagePlans(entity)).toEqual([true, true, true, true]);
    },
  );

  it("not when a check is planned with a join", async () => {
    expect(await stagePlans(salesOrderLinesWithJoinedCheck)).toEqual([false, false, false, false]);
  });
});

describe("the parts of a run", () => {
  const e = salesOrderLines;
  const header = [...new Set(e.columns.map((c) => c.source))];
  const csv = { name: "x.csv", bytes: `${header.join(",")}\n` };
  const json = { name: "y.jsonl", bytes: "{}\n" };
  function landed(...batches: { name: string; bytes: string }[][]): LandedBatch[] {
    const dir = mkdtempSync(join(tmpdir(), "saleslake-stage-parts-"));
    dirs.push(dir);
    for (const files of batches)
      landBatch(join(dir, "lake"), e, files, files[0]?.name.endsWith(".csv") ? "csv" : "jsonl");
    return listLandedBatches(join(dir, "lake"), e.name);
  }
  /** The batch with its files' row counts as the manifest gives them. */
  const sized = (b: LandedBatch, rows: number[]): LandedBatch => ({
    ...b,
    manifest: {
      ...b.manifest,
      files: b.manifest.files.map((f, i) => ({ ...f, rows: rows[i] ?? f.rows })),
    },
  });

  it("read small files alike together, across batches, in order", () => {
    const parts = landingRead(e, landed([csv, csv], [csv], [json], [csv]), () => ({ columns: header }));
    expect(parts.map((p) => [p.files, /read_(csv|json_objects)\(/.exec(p.relation)?.[1]])).toEqual([
      [3, "csv"],
      [1, "json_objects"],
      [1, "csv"],
    ]);
    // Each row's batch and file are told by the file it was read from.
    expect(parts[0]!.relation).toMatch(/filename = '_saleslake_file'/);
    expect(parts[0]!.relation.match(/ WHEN '[^']+part-0000[01]\.csv' THEN /g)).toHaveLength(6);
    expect(parts[2]!.relation).not.toMatch(/_saleslake_file/);
  });

  it("read a file over GROUPED_FILE_ROWS alone, and start a new part after it", () => {
    const [a, b] = landed([csv, csv, csv], [csv, csv]);
    const parts = landingRead(
      e,
      [sized(a!, [10, GROUPED_FILE_ROWS + 1, 10]), sized(b!, [GROUPED_FILE_ROWS, 10])],
      () => ({ columns: header }),
    );
    expect(parts.map((p) => p.files)).toEqual([1, 1, 3]);
  });

  it("read Parquet files together while their column types agree", () => {
    const [b] = landed([csv, csv, csv, csv]);
    const parquet = { ...b!, manifest: { ...b!.manifest, format: "parquet" as const } };
    // The third file's types differ: a read with the others would cast its values to theirs.
    const types = (path: string) => (path.endsWith("part-00002.csv") ? "amount DOUBLE" : "amount TEXT");
    const parts = landingRead(e, [parquet], (path) => ({ columns: header, signature: types(path) }));
    expect(parts.map((p) => [p.files, p.numbered, /read_parquet\(/.test(p.relation)])).toEqual([
      [2, true, true],
      [1, true, true],
      [1, true, true],
    ]);
    expect(parts[0]!.relation).toMatch(
      /file_row_number = true, hive_partitioning = false, filename = '_saleslake_file'/,
    );
    // Without the types (a schema not read), each file is read alone.
    expect(landingRead(e, [parquet], () => ({ columns: header })).map((p) => p.files)).toEqual([1, 1, 1, 1]);
  });

  it("read a CSV file alone when a column of its own takes the name of the file column", () => {
    const [b] = landed([csv, csv]);
    const withColumn = {
      ...b!,
      manifest: { ...b!.manifest, csv: { ...b!.manifest.csv!, columns: [...header, "_saleslake_file"] } },
    };
    expect(
      landingRead({ ...e, contract: { ...e.contract, unknownColumns: "ignore" } }, [withColumn], () => ({
        columns: header,
      })).map((p) => p.files),
    ).toEqual([1, 1]);
  });
});

describe("the shape of a landed part", () => {
  it("is one for the parts that are read alike, whatever their files and batches", () => {
    const dir = mkdtempSync(join(tmpdir(), "saleslake-stage-shape-"));
    dirs.push(dir);
    const e = salesOrderLines;
    const header = [...new Set(e.columns.map((c) => c.source))];
    const csv = `${header.join(",")}\n`;
    const lake = join(dir, "lake");
    landBatch(lake, e, [{ name: "a.csv", bytes: csv }], "csv");
    landBatch(lake, e, [{ name: "b.jsonl", bytes: "{}\n" }], "jsonl");
    landBatch(lake, e, [{ name: "c.csv", bytes: csv }], "csv");
    landBatch(lake, e, [{ name: "d.jsonl", bytes: "{}\n" }], "jsonl");
    landBatch(
      lake,
      e,
      [
        { name: "e.csv", bytes: csv },
        { name: "f.csv", bytes: csv },
      ],
      "csv",
    );
    landBatch(lake, e, [{ name: "g.jsonl", bytes: "{}\n" }], "jsonl");
    landBatch(
      lake,
      e,
      [
        { name: "h.csv", bytes: csv },
        { name: "i.csv", bytes: csv },
        { name: "j.csv", bytes: csv },
      ],
      "csv",
    );
    const parts = landingRead(e, listLandedBatches(lake, e.name), () => ({ columns: header }));
    expect(parts.map((p) => p.files)).toEqual([1, 1, 1, 1, 2, 1, 3]);
    expect(new Set(parts.map((p) => p.relation)).size).toBe(7);
    // One file of CSV, one of JSON, several of CSV: three plans.
    expect(parts.map((p) => parts.findIndex((q) => q.shape === p.shape))).toEqual([0, 1, 0, 1, 4, 1, 4]);
  });
});
