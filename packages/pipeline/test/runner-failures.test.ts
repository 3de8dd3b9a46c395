import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { salesOrderLines } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import {
  MIN_MEMORY_LIMIT_BYTES,
  projectPaths,
  type RunOptions,
  runPipeline,
  sizeInBytes,
  Warehouse,
} from "../src/index.ts";
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

  it("refuses a memory limit too small for the engine to start, naming the least it takes", async () => {
    const p = project();
    await expect(p.run({ memoryLimit: "1KB" })).rejects.toMatchObject({
      code: "INVALID_OPTION",
      message: "memory limit 1KB is below the engine's least, 64MB",
    });
    expect(existsSync(p.paths.lock)).toBe(false);
    expect((await p.run({ memoryLimit: "64MB" })).runs[0]).toMatchObject({ status: "succeeded" });
  });

  it("reads sizes as DuckDB does: KB is 1000 bytes, KiB 1024", () => {
    expect(sizeInBytes("2GB")).toBe(2e9);
    expect(sizeInBytes("512 MiB")).toBe(512 * 2 ** 20);
    expect(sizeInBytes("1.5kb")).toBe(1500);
    expect(sizeInBytes("lots")).toBeUndefined();
    expect(sizeInBytes("12")).toBeUndefined();
    expect(MIN_MEMORY_LIMIT_BYTES).toBe(sizeInBytes("64MB"));
  });
});

const HEADER =
  "OrderID,LineNo,order_date,customer_id,product_id,quantity,unit_price,discount_pct,currency,status,channel,updated_at,is_deleted\n";

/** A CSV of `n` order lines, one order each. */
function orderLines(n: number, from = 0): string {
  let text = HEADER;
  for (let i = from; i < from + n; i++)
    text += `SO${String(i).padStart(8, "0")},1,2026-01-05,C000001,P-00001,1,10.00,,EUR,open,web,2026-01-05T10:00:00Z,false\n`;
  return text;
}

/** What a run commits: silver's keys, the watermarks and the processed batches. */
async function committed(dir: string) {
  const w = await Warehouse.open(dir);
  try {
    return {
      silver: await w.query("SELECT order_id FROM silver.sales_order_lines ORDER BY ALL"),
      watermarks: await w.query("SELECT * FROM saleslake.watermarks"),
      processed: await w.query("SELECT batch_id FROM saleslake.processed_batches ORDER BY ALL"),
    };
  } finally {
    w.close();
  }
}

describe("a run interrupted through its signal", () => {
  async function ledger(dir: string) {
    const w = await Warehouse.open(dir);
    try {
      return {
        runs: await w.runs(10),
        silver: Number((await w.query("SELECT count(*) AS n FROM silver.sales_order_lines"))[0]!.n),
        watermarks: await w.query("SELECT * FROM saleslake.watermarks"),
        processed: await w.query("SELECT * FROM saleslake.processed_batches"),
      };
    } finally {
      w.close();
    }
  }

  it("stops inside a statement, rolls back, records the run as failed and releases the lock", async () => {
    const p = project();
    landBatch(join(p.dir, "lake"), salesOrderLines, [{ name: "big.csv", bytes: orderLines(800_000, 10) }]);
    const abort = new AbortController();
    const steps: string[] = [];
    const run = p.run({
      signal: abort.signal,
      onProgress: (e) => {
        if (e.type === "step-start") steps.push(e.step);
        // The stage of 800k rows (about a second) is read before the first step starts: the abort
        // lands in it, after the statements prepared before it, on a busy machine too.
        if (e.type === "run-start") setTimeout(() => abort.abort(), 400);
      },
    });
    const err = await run.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toMatchObject({
      code: "INTERRUPTED",
      message:
        "sales_order_lines: the run was interrupted before it committed; its data and watermarks are as they were",
    });
    // The engine stopped the statement it was running, not the runner between two of them.
    expect(String((err?.cause as Error | undefined)?.message)).toMatch(/: INTERRUPT Error: Interrupted!$/);
    expect(steps).toEqual([]);
    expect(existsSync(p.paths.lock)).toBe(false);
    const after = await ledger(p.dir);
    expect(after.runs).toHaveLength(1);
    expect(after.runs[0]).toMatchObject({ status: "failed" });
    expect(String(after.runs[0]!.error)).toMatch(/^INTERRUPTED: /);
    expect(after).toMatchObject({ silver: 0, watermarks: [], processed: [] });
    const { runs } = await p.run();
    expect(runs[0]).toMatchObject({ status: "succeeded", rowsRead: 800_001, rowsInserted: 800_001 });
  });

  it("stops between statements, and keeps what entities committed before it", async () => {
    const p = project();
    const second = { ...salesOrderLines, name: "order_lines_b" };
    landBatch(join(p.dir, "lake"), second, [{ name: "b.csv", bytes: orderLines(3) }]);
    const abort = new AbortController();
    const run = p.run({
      entities: [salesOrderLines, second],
      signal: abort.signal,
      onProgress: (e) => {
        if (e.type === "step-start" && e.entity === "order_lines_b" && e.step === "silver") abort.abort();
      },
    });
    await expect(run).rejects.toMatchObject({
      code: "INTERRUPTED",
      message: expect.stringMatching(
        /^order_lines_b: the run was interrupted before it committed; .*; committed before it: sales_order_lines \(run run-[0-9a-f-]+-1\)$/,
      ),
    });
    const after = await ledger(p.dir);
    expect(after.silver).toBe(1);
    expect(after.runs.map((r) => [r.entity, r.status]).sort()).toEqual([
      ["order_lines_b", "failed"],
      ["sales_order_lines", "succeeded"],
    ]);
    const w = await Warehouse.open(p.dir);
    try {
      expect(await w.query("SELECT count(*)::INT AS n FROM silver.order_lines_b")).toEqual([{ n: 0 }]);
    } finally {
      w.close();
    }
    const { runs } = await p.run({ entities: [salesOrderLines, second] });
    expect(runs.map((r) => [r.entity, r.status, r.rowsInserted])).toEqual([
      ["sales_order_lines", "nothing_to_do", 0],
      ["order_lines_b", "succeeded", 3],
    ]);
  });
});

describe("a landed file the engine cannot read", () => {
  it("is named, with the hint to fix it, and the run leaves data and watermark as they were", async () => {
    const p = project();
    expect((await p.run()).runs[0]).toMatchObject({ status: "succeeded", rowsInserted: 1 });
    const row = (n: number) =>
      `SO0000000${n},1,2026-01-05,C000001,P-00001,1,10.00,,EUR,open,web,2026-01-06T10:00:00Z,false\n`;
    // Three small files read together; the second is no longer UTF-8 (changed after landing).
    landBatch(
      join(p.dir, "lake"),
      salesOrderLines,
      [2, 3, 4].map((n) => ({ name: `o${n}.csv`, bytes: HEADER + row(n) })),
      "csv",
    );
    const [bad] = readdirSync(join(p.dir, "lake"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith("part-00001.csv"))
      .map((f) => join(p.dir, "lake", f));
    writeFileSync(bad!, Buffer.concat([Buffer.from(HEADER), Buffer.from([0x53, 0x4f, 0xff, 0xfe, 0x0a])]));
    const before = await committed(p.dir);
    const error = await p.run().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "ENGINE_ERROR",
      file: bad,
      hint: `Fix or remove the landed file ${bad}, then run again; nothing was committed.`,
    });
    expect(await committed(p.dir)).toEqual(before);
  });
});

describe("a batch folder that is not where its manifest says", () => {
  it("is refused, naming the manifest, and nothing is loaded; a manifest that is not JSON too", async () => {
    const p = project();
    const landing = join(p.dir, "lake", "landing", salesOrderLines.name);
    const [day] = readdirSync(landing);
    const [batch] = readdirSync(join(landing, day!));
    // The same batch under a folder whose name DuckDB would read as a pattern over every batch.
    renameSync(join(landing, day!, batch!), join(landing, day!, "batch=*"));
    const manifest = join(landing, day!, "batch=*", "_manifest.json");
    const error = await p.run().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BAD_MANIFEST", file: manifest });
    expect((error as Error).message).toBe(
      `${manifest}: names batch ${batch!.slice("batch=".length)} of sales_order_lines, but lies in ${join(landing, day!, "batch=*")}`,
    );
    // Nothing was loaded: back in its folder, the batch loads whole.
    renameSync(join(landing, day!, "batch=*"), join(landing, day!, batch!));
    expect((await p.run()).runs[0]).toMatchObject({ status: "succeeded", rowsRead: 1, rowsInserted: 1 });
    writeFileSync(join(landing, day!, batch!, "_manifest.json"), "{ not json");
    expect(await p.run().catch((e: unknown) => e)).toMatchObject({
      code: "BAD_MANIFEST",
      message: expect.stringMatching(/_manifest\.json: not valid JSON/),
    });
  });
});

describe("a run out of memory", () => {
  it("fails with its own code and hint, leaves data and watermark as they were, and reads the file with more", async () => {
    const p = project();
    expect((await p.run()).runs[0]).toMatchObject({ status: "succeeded", rowsInserted: 1 });
    // A 40 MB value: DuckDB reads the file in buffers of two such lines, which 64 MB cannot hold
    // and no spilling makes room for.
    const long = `SO00000002,1,2026-01-05,C000001,P-00001,1,10.00,,EUR,open,${"x".repeat(40_000_000)},2026-01-06T10:00:00Z,false\n`;
    landBatch(join(p.dir, "lake"), salesOrderLines, [{ name: "long.csv", bytes: HEADER + long }], "csv");
    const before = await committed(p.dir);
    const error = await p.run({ memoryLimit: "64MB" }).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "OUT_OF_MEMORY",
      message: expect.stringMatching(/^sales_order_lines bronze: Out of Memory Error: /),
      hint: expect.stringContaining("Raise the memory limit (saleslake run --memory-limit"),
    });
    expect(existsSync(p.paths.lock)).toBe(false);
    expect(await committed(p.dir)).toEqual(before);
    // Buffers of two lines' worth (256 MiB here, not DuckDB's 16 lines', 2 GiB) fit in 1 GB.
    expect((await p.run({ memoryLimit: "1GB" })).runs[0]).toMatchObject({
      status: "succeeded",
      rowsRead: 1,
      rowsQuarantined: 1,
    });
  });
});

describe("a landed JSON file that is not JSON", () => {
  // A batch that declares its columns (a Copy, sealed) is read by them, without a scan of its
  // keys before the run: its bad file is named when the stage fails.
  it.each([
    ["its rows' keys", undefined],
    ["declared columns", salesOrderLines.columns.map((c) => c.source)],
  ])("is named among its batch's files, read by %s, and nothing is committed", async (_, columns) => {
    const p = project();
    const ok = `${JSON.stringify({ OrderID: "SO00000002" })}\n`;
    landBatch(
      join(p.dir, "lake"),
      salesOrderLines,
      [
        { name: "a.jsonl", bytes: ok },
        { name: "b.jsonl", bytes: '{"OrderID": "SO00000003",\n' },
        { name: "c.jsonl", bytes: ok },
      ],
      "jsonl",
      null,
      columns,
    );
    const [bad] = readdirSync(join(p.dir, "lake"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith("part-00001.jsonl"))
      .map((f) => join(p.dir, "lake", f));
    await expect(p.run()).rejects.toMatchObject({
      code: "ENGINE_ERROR",
      file: bad,
      message: expect.stringMatching(new RegExp(`^${bad}: `)),
      hint: "The landed file is not valid for its declared format.",
    });
    const w = await Warehouse.open(p.dir);
    try {
      expect(await w.query("SELECT count(*)::INT AS n FROM saleslake.processed_batches")).toEqual([{ n: 0 }]);
    } finally {
      w.close();
    }
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

describe('a project folder with "?" in its path', () => {
  it("is refused before the engine opens, with its own code and a hint; the lock is released", async () => {
    const parent = mkdtempSync(join(tmpdir(), "saleslake-failures-"));
    dirs.push(parent);
    const dir = join(parent, "sales?2026");
    const refused = {
      code: "UNSUPPORTED_PATH",
      message: `the warehouse ${join(dir, "state", "warehouse.duckdb")} has "?" in its path: DuckDB reads what follows it as options, and cannot write the warehouse's log there`,
      hint: 'Move or rename the project folder to a path without "?".',
    };
    await expect(runPipeline({ dir })).rejects.toMatchObject(refused);
    // Not RUN_IN_PROGRESS: the failed run left no lock behind.
    await expect(runPipeline({ dir })).rejects.toMatchObject(refused);
  });
});
