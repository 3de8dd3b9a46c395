import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { salesOrderLines } from "@saleslake/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acquireRunLock,
  PipelineError,
  projectPaths,
  type Row,
  runPipeline,
  Warehouse,
} from "../src/index.ts";
import { landJsonl } from "./support/land.ts";
import { line } from "./support/order-line.ts";

let dir: string;
let w: Warehouse;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "saleslake-query-"));
  landJsonl(join(dir, "lake"), salesOrderLines, [line(1), line(2)]);
  await runPipeline({ dir, entities: [salesOrderLines], stars: [] });
  w = await Warehouse.open(dir);
});

afterAll(() => {
  w?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Every row of a streamed answer, and the error that ended it, if one did. */
async function drain(
  chunks: AsyncIterable<Row[]>,
): Promise<{ rows: Row[]; chunks: number; error?: unknown }> {
  const rows: Row[] = [];
  let n = 0;
  try {
    for await (const chunk of chunks) {
      rows.push(...chunk);
      n++;
    }
  } catch (error) {
    return { rows, chunks: n, error };
  }
  return { rows, chunks: n };
}

/**
 * Fails on the row after the first `ok` of `n`, as a cast of a bad late value does. Late enough
 * that rows come first: DuckDB's threads run ahead of the reader by about 1 MB of results.
 */
const failingAfter = (ok: number, n: number) =>
  `SELECT CASE WHEN i < ${ok} THEN i ELSE error('row ' || i || ' is bad') END AS v FROM range(${n}) t(i)`;

describe("Warehouse.queryStream", () => {
  it("gives the columns, then every row in order, a chunk at a time", async () => {
    const { columns, chunks } = await w.queryStream(
      "SELECT i AS n, i * 2 AS twice FROM range(10000) t(i) ORDER BY i",
    );
    expect(columns).toEqual(["n", "twice"]);
    const got = await drain(chunks);
    expect(got.error).toBeUndefined();
    expect(got.chunks).toBeGreaterThan(1);
    expect(got.rows.map((r) => Number(r.n))).toEqual(Array.from({ length: 10000 }, (_, i) => i));
    expect(got.rows[9999]).toEqual({ n: "9999", twice: "19998" });
    expect(await w.query("SELECT count(*) AS n FROM silver.sales_order_lines")).toEqual([{ n: "2" }]);
    // A name given twice: the columns are the row objects' keys.
    const twice = await w.queryStream("SELECT 1 AS a, 2 AS a");
    expect(twice.columns).toEqual(["a", "a:1"]);
    expect((await drain(twice.chunks)).rows).toEqual([{ a: 1, "a:1": 2 }]);
  });

  it("fails, with the engine's error, when the answer fails part way through its rows", async () => {
    const { chunks } = await w.queryStream(failingAfter(900_000, 1_000_000));
    const got = await drain(chunks);
    expect(got.error).toBeInstanceOf(PipelineError);
    expect((got.error as PipelineError).code).toBe("ENGINE_ERROR");
    expect((got.error as PipelineError).message).toMatch(/^Invalid Input Error: row \d+ is bad$/);
    // Rows came before it, but not all of them: the failure is not taken for the answer's end.
    expect(got.rows.length).toBeGreaterThan(0);
    expect(got.rows.length).toBeLessThan(1_000_000);
    // The warehouse answers the next query.
    expect(await w.query("SELECT 42 AS answer")).toEqual([{ answer: 42 }]);
  });

  it("says the answer stopped part way when the error cannot be found again", async () => {
    // Two statements: the last one is streamed, and is not asked again as one subquery.
    const { chunks } = await w.queryStream(`SELECT 1; ${failingAfter(900_000, 1_000_000)}`);
    const got = await drain(chunks);
    expect((got.error as PipelineError).message).toBe(
      "the query failed part way through its rows: what was printed is not the whole answer",
    );
    expect(await w.query("SELECT 42 AS answer")).toEqual([{ answer: 42 }]);
  });

  it("a reader that stops early leaves the warehouse ready for the next query", async () => {
    const { chunks } = await w.queryStream("SELECT * FROM range(1000000)");
    for await (const chunk of chunks) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    expect(await w.query("SELECT count(*) AS n FROM range(5)")).toEqual([{ n: "5" }]);
  });

  it("refuses a statement that is not a query before anything runs", async () => {
    await expect(w.queryStream("SELECT 1; DELETE FROM silver.sales_order_lines")).rejects.toMatchObject({
      code: "READ_ONLY",
    });
    await expect(w.queryStream("SELECT * FROM no_such_table")).rejects.toMatchObject({
      code: "ENGINE_ERROR",
      message: expect.stringMatching(/no_such_table does not exist/),
    });
  });
});

describe("Warehouse.open while another process writes the warehouse", () => {
  it("names the run writing it, or says it is in use when no run holds the lock", async () => {
    const project = mkdtempSync(join(tmpdir(), "saleslake-query-"));
    try {
      landJsonl(join(project, "lake"), salesOrderLines, [line(1)]);
      await runPipeline({ dir: project, entities: [salesOrderLines], stars: [] });
      const paths = projectPaths(project);
      // A process that holds the warehouse open for writing, as a run does.
      const writer = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { DuckDBInstance } from "@duckdb/node-api";
await DuckDBInstance.create(process.argv[1]);
console.log("open");
setInterval(() => {}, 1000);`,
          paths.warehouse,
        ],
        { cwd: join(import.meta.dirname, ".."), stdio: ["ignore", "pipe", "inherit"] },
      );
      try {
        await new Promise<void>((resolve, reject) => {
          writer.stdout.once("data", () => resolve());
          writer.once("exit", (code) => reject(new Error(`the writer exited (${code})`)));
        });
        await expect(Warehouse.open(project)).rejects.toMatchObject({
          code: "RUN_IN_PROGRESS",
          message: expect.stringMatching(/is in use by another process$/),
        });
        const lock = acquireRunLock(paths.lock, "run-writing-now");
        try {
          await expect(Warehouse.open(project)).rejects.toMatchObject({
            code: "RUN_IN_PROGRESS",
            message: expect.stringMatching(
              /is being written by run run-writing-now \(pid \d+ on .+, started .+\), and cannot be read until it ends$/,
            ),
          });
        } finally {
          lock.release();
        }
      } finally {
        writer.kill();
        await new Promise((resolve) => writer.once("close", resolve));
      }
      const w2 = await Warehouse.open(project);
      w2.close();
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 60_000);
});
