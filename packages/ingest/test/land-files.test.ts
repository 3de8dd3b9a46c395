import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { carSales, carSalesSeedFiles, type Entity, salesOrderLines } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { IngestError, LocalLakeStore, landFiles, listLandedManifests } from "../src/index.ts";

const work = mkdtempSync(join(tmpdir(), "saleslake-ingest-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => new LocalLakeStore(join(work, `lake-${++n}`));
const file = (name: string, bytes: string | Buffer) => {
  const p = join(work, `${++n}-${name}`);
  writeFileSync(p, bytes);
  return p;
};
const H =
  "Branch_ID,Dealer_ID,Model_ID,Revenue,Units_Sold,Date_ID,Day,Month,Year,BranchName,DealerName,Product_Name";
const R = "BR0001,DLR0001,BMW-M1,13363978,2,DT00001,1,1,2017,AC Cars Motors,AC Cars Motors,BMW";

async function landError(path: string, entity: Entity = carSales): Promise<IngestError> {
  try {
    await landFiles({ store: fresh(), entity, paths: [path] });
  } catch (e) {
    expect(e).toBeInstanceOf(IngestError);
    return e as IngestError;
  }
  throw new Error("expected an IngestError");
}

describe("landing files into the local lake", () => {
  it("lands the seed files as-is with a manifest written last, and recognises the same content", async () => {
    const store = fresh();
    const first = await landFiles({
      store,
      entity: carSales,
      paths: [carSalesSeedFiles.initial],
      now: new Date("2026-03-01T10:00:00Z"),
    });
    expect(first).toMatchObject({ status: "landed", rows: 1849 });
    const second = await landFiles({
      store,
      entity: carSales,
      paths: [carSalesSeedFiles.incremental],
      now: new Date("2026-03-02T10:00:00Z"),
    });
    expect(second).toMatchObject({ status: "landed", rows: 4 });
    const manifests = await listLandedManifests(store, "car_sales");
    expect(manifests.map((m) => [m.rowCount, m.format, m.csv?.columns[0], m.source.name])).toEqual([
      [1849, "csv", "Branch_ID", "SalesData.csv"],
      [4, "csv", "Branch_ID", "IncrementalSales.csv"],
    ]);
    const files = await store.list("landing/car_sales/");
    expect(files).toEqual([
      `landing/car_sales/ingest_date=2026-03-01/batch=${first.batchId}/_manifest.json`,
      `landing/car_sales/ingest_date=2026-03-01/batch=${first.batchId}/part-00000.csv`,
      `landing/car_sales/ingest_date=2026-03-02/batch=${second.batchId}/_manifest.json`,
      `landing/car_sales/ingest_date=2026-03-02/batch=${second.batchId}/part-00000.csv`,
    ]);
    const landed = await store.get(files[1]!);
    expect(landed.equals(readFileSync(carSalesSeedFiles.initial))).toBe(true);
    expect(manifests[0]!.files[0]!.sha256).toBe(createHash("sha256").update(landed).digest("hex"));

    expect(await landFiles({ store, entity: carSales, paths: [carSalesSeedFiles.initial] })).toMatchObject({
      status: "duplicate",
      batchId: first.batchId,
    });
    expect(
      await landFiles({ store, entity: carSales, paths: [carSalesSeedFiles.initial], force: true }),
    ).toMatchObject({ status: "landed" });
    expect(await listLandedManifests(store, "car_sales")).toHaveLength(3);
  });

  it("lands JSON Lines, JSON arrays and gzip", async () => {
    const store = fresh();
    const rec = {
      OrderID: "SO00000001",
      LineNo: 1,
      order_date: "2026-01-05",
      customer_id: "C000001",
      product_id: "P-00001",
      quantity: 2,
      unit_price: "1.00",
      discount_pct: null,
      currency: "EUR",
      status: "open",
      channel: null,
      updated_at: "2026-01-05T10:00:00Z",
      is_deleted: false,
      extra: true,
    };
    expect(
      await landFiles({
        store,
        entity: salesOrderLines,
        paths: [file("a.jsonl", `${JSON.stringify(rec)}\n${JSON.stringify({ ...rec, LineNo: 2 })}\n`)],
      }),
    ).toMatchObject({ rows: 2 });
    expect(
      await landFiles({ store, entity: salesOrderLines, paths: [file("b.json", JSON.stringify([rec]))] }),
    ).toMatchObject({ rows: 1 });
    expect(
      await landFiles({ store, entity: carSales, paths: [file("c.csv.gz", gzipSync(`${H}\n${R}\n`))] }),
    ).toMatchObject({ rows: 1 });
  });

  const bad: [string, IngestError["code"], string | Buffer, RegExp][] = [
    ["empty.csv", "EMPTY_FILE", "", /empty/],
    ["blank.csv", "EMPTY_FILE", "\n \n", /empty/],
    [
      "utf16.csv",
      "INVALID_ENCODING",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${H}\n`, "utf16le")]),
      /UTF-16/,
    ],
    [
      "latin1.csv",
      "INVALID_ENCODING",
      Buffer.concat([
        Buffer.from(`${H}\n${R}\nBR2,D,M,1,1,DT1,1,1,2017,Caf`),
        Buffer.from([0xe9]),
        Buffer.from(",x,y\n"),
      ]),
      /invalid UTF-8 at byte \d+, row 3/,
    ],
    [
      "nul.csv",
      "INVALID_ENCODING",
      Buffer.concat([Buffer.from(`${H}\n`), Buffer.from([0x41, 0x00, 0x42])]),
      /NUL byte\) at byte \d+, row 2/,
    ],
    ["quote.csv", "MALFORMED_CSV", `${H}\n${R}\nBR1,"open,D\n`, /row \d/],
    [
      "semicolon.csv",
      "MISSING_COLUMNS",
      `${H.replace(/,/g, ";")}\n${R.replace(/,/g, ";")}\n`,
      /missing columns Branch_ID/,
    ],
    ["dup.csv", "DUPLICATE_COLUMNS", `${H},Revenue\n${R},1\n`, /Revenue/],
    [
      "bomb.csv.gz",
      "DECOMPRESSION_LIMIT",
      gzipSync(Buffer.from("0,0,0\n".repeat(20 * 1024 * 1024))),
      /decompression bomb/,
    ],
    ["corrupt.csv.gz", "CORRUPT_FILE", gzipSync(`${H}\n${R}\n`).subarray(0, 30), /gzip/],
  ];
  it.each(bad)(
    "refuses %s with %s, landing nothing",
    { timeout: 60_000 },
    async (name, code, bytes, message) => {
      const store = fresh();
      const path = file(name, bytes);
      const err = await landError(path);
      expect(err.code).toBe(code);
      expect(err.message).toMatch(message);
      expect(err.message).toContain(path);
      expect(err.hint.length).toBeGreaterThan(5);
      expect(await store.list("")).toEqual([]);
    },
  );

  it("refuses truncated JSON and a bad JSON line, naming the line", async () => {
    expect((await landError(file("t.json", '[{"OrderID": "SO1"}, {"Ord'), salesOrderLines)).code).toBe(
      "MALFORMED_JSON",
    );
    const e = await landError(
      file("b.jsonl", '{"OrderID":"SO1"}\n{"OrderID": \n{"OrderID":"SO3"}\n'),
      salesOrderLines,
    );
    expect(e).toMatchObject({ code: "MALFORMED_JSON", row: 2 });
    expect(e.message).toMatch(/line 2/);
  });

  it("a landing killed mid-upload leaves no visible batch; the rerun lands it once", async () => {
    const lake = join(work, "killed-lake");
    const big = file("big.csv", `${H}\n${`${R}\n`.repeat(400_000)}`);
    const script = `import { carSales } from "@saleslake/schema";
import { landFiles, LocalLakeStore } from "./src/index.ts";
await landFiles({ store: new LocalLakeStore(${JSON.stringify(lake)}), entity: carSales, paths: [${JSON.stringify(big)}] });`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      cwd: new URL("..", import.meta.url).pathname,
    });
    // Kill as soon as the part file is being written.
    const { existsSync, readdirSync } = await import("node:fs");
    const started = Date.now();
    const partWritten = () => {
      const dayDir = join(lake, "landing", "car_sales");
      if (!existsSync(dayDir)) return false;
      for (const d of readdirSync(dayDir))
        for (const b of readdirSync(join(dayDir, d)))
          if (readdirSync(join(dayDir, d, b)).length > 0) return true;
      return false;
    };
    while (!partWritten() && Date.now() - started < 30_000) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const store = new LocalLakeStore(lake);
    expect(await listLandedManifests(store, "car_sales")).toEqual([]);
    expect((await store.list("landing/")).filter((p) => p.endsWith(".csv"))).toEqual([]);
    const rerun = await landFiles({ store, entity: carSales, paths: [big] });
    expect(rerun).toMatchObject({ status: "landed", rows: 400_000 });
    expect(await listLandedManifests(store, "car_sales")).toHaveLength(1);
  }, 60_000);
});
