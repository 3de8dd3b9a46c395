import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { batchIdAfter, batchPath, salesOrderLines, schemaFingerprint } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import {
  IngestError,
  LocalLakeStore,
  landBatch,
  landRecords,
  listLandedBatches,
  listLandedManifests,
} from "../src/index.ts";

const work = mkdtempSync(join(tmpdir(), "saleslake-records-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => new LocalLakeStore(join(work, `lake-${++n}`));

const record = (i: number) => ({
  OrderID: `SO${String(i).padStart(8, "0")}`,
  LineNo: 1,
  order_date: "2026-01-05",
  customer_id: "C000001",
  product_id: "P-00001",
  quantity: i % 7,
  unit_price: "10.00",
  discount_pct: null,
  currency: "EUR",
  status: "open",
  channel: "web",
  updated_at: `2026-01-05T10:00:${String(i % 60).padStart(2, "0")}Z`,
  is_deleted: false,
});

async function* records(count: number, pulled?: { n: number }) {
  for (let i = 1; i <= count; i++) {
    if (pulled) pulled.n++;
    yield record(i);
  }
}

const window = { column: "updated_at", low: null, high: "2026-01-05T11:00:00Z" };
const source = { kind: "postgres" as const, name: "127.0.0.1/sales.public.order_lines" };

describe("landing records as JSON Lines parts", () => {
  it("declares the batch's columns: every key of its records, then each column the entity reads that no record has", async () => {
    // An API that leaves null values out: no record of this window has channel or discount_pct,
    // one has a key the entity does not know.
    async function* sparse() {
      for (let i = 1; i <= 3; i++) {
        const { channel, discount_pct, ...rest } = record(i);
        yield i === 2 ? { ...rest, promo_code: "X1" } : rest;
      }
    }
    const store = fresh();
    await landRecords({ store, entity: salesOrderLines, records: sparse(), source, window });
    const [batch] = await listLandedBatches(store, "sales_order_lines");
    const keys = Object.keys(record(1)).filter((k) => k !== "channel" && k !== "discount_pct");
    expect(batch!.manifest.columns).toEqual([...keys, "promo_code", "discount_pct", "channel"]);
    // Records with every key declare those keys alone.
    const full = fresh();
    await landRecords({ store: full, entity: salesOrderLines, records: records(2), source, window });
    const [whole] = await listLandedBatches(full, "sales_order_lines");
    expect(whole!.manifest.columns).toEqual(Object.keys(record(1)));
  });

  it("lands after a given batch as the first batch id after it that no landing uses", async () => {
    const store = fresh();
    const at = (iso: string) => ({ store, entity: salesOrderLines, source, window, now: new Date(iso) });
    const first = await landRecords({ ...at("2026-01-10T00:00:00Z"), records: records(1) });
    const later = await landRecords({ ...at("2026-01-10T00:00:01Z"), records: records(2) });
    // An unfinished landing (parts, no manifest) holds its id too.
    const taken = batchIdAfter(first!.batchId);
    await store.put(
      `${batchPath("landing", "sales_order_lines", taken)}/part-00000.jsonl`,
      Buffer.from("{}\n"),
    );
    const after = await landRecords({
      store,
      entity: salesOrderLines,
      records: records(3),
      source,
      window,
      force: true,
      after: first!.batchId,
    });
    expect(after!.batchId).toBe(batchIdAfter(taken));
    const ids = (await listLandedBatches(store, "sales_order_lines")).map((b) => b.batchId).sort();
    expect(ids).toEqual([first!.batchId, after!.batchId, later!.batchId]);
    await expect(
      landRecords({
        store,
        entity: salesOrderLines,
        records: records(1),
        source,
        window,
        force: true,
        after: "x",
      }),
    ).rejects.toThrow(/not a batch id: "x"/);
  });

  it("splits records into parts of rowsPerPart, keyed by source names, manifest last with the window", async () => {
    const store = fresh();
    const landed = await landRecords({
      store,
      entity: salesOrderLines,
      records: records(25),
      source,
      window,
      rowsPerPart: 10,
      now: new Date("2026-01-10T00:00:00Z"),
    });
    expect(landed).toMatchObject({ status: "landed", rows: 25 });
    const [batch] = await listLandedBatches(store, "sales_order_lines");
    expect(batch!.manifest).toMatchObject({
      source,
      window,
      format: "jsonl",
      compression: "none",
      rowCount: 25,
      schemaFingerprint: schemaFingerprint(salesOrderLines),
    });
    expect(batch!.manifest.files.map((f) => [f.path, f.rows])).toEqual([
      ["part-00000.jsonl", 10],
      ["part-00001.jsonl", 10],
      ["part-00002.jsonl", 5],
    ]);
    const lines = (await Promise.all(batch!.files.map((f) => store.get(f))))
      .map((b) => b.toString("utf8"))
      .join("")
      .trimEnd()
      .split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual(Array.from({ length: 25 }, (_, i) => record(i + 1)));
    expect(batch!.manifest.bytes).toBe(lines.join("\n").length + 1);
  });

  it("gzips parts on request; the manifest hashes the stored (compressed) bytes", async () => {
    const store = fresh();
    await landRecords({ store, entity: salesOrderLines, records: records(3), source, window, gzip: true });
    const [batch] = await listLandedBatches(store, "sales_order_lines");
    expect(batch!.manifest).toMatchObject({
      compression: "gzip",
      files: [{ path: "part-00000.jsonl.gz", rows: 3 }],
    });
    const stored = await store.get(batch!.files[0]!);
    expect(stored.length).toBe(batch!.manifest.files[0]!.bytes);
    expect(
      gunzipSync(stored)
        .toString()
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([record(1), record(2), record(3)]);
  });

  it("pulls records one part at a time rather than reading the source ahead", async () => {
    const store = fresh();
    const pulled = { n: 0 };
    const seen: number[] = [];
    const spy = {
      ...store,
      kind: store.kind,
      location: store.location,
      put: async (path: string, body: Parameters<LocalLakeStore["put"]>[1]) => {
        const r = await store.put(path, body);
        seen.push(pulled.n);
        return r;
      },
      putIfAbsent: (p: string, body: Uint8Array) => store.putIfAbsent(p, body),
      list: (p: string) => store.list(p),
      get: (p: string) => store.get(p),
      getStream: (p: string) => store.getStream(p),
      exists: (p: string) => store.exists(p),
      delete: (p: string) => store.delete(p),
      localPath: (p: string) => store.localPath(p),
    };
    await landRecords({
      store: spy,
      entity: salesOrderLines,
      records: records(30, pulled),
      source,
      window,
      rowsPerPart: 10,
    });
    // After each part is stored the source has been read at most one record past it.
    expect(seen).toEqual([11, 21, 30, 30]);
  });

  it("the same records and window are a duplicate (parts removed); another window or force lands", async () => {
    const store = fresh();
    const first = await landRecords({ store, entity: salesOrderLines, records: records(5), source, window });
    const again = await landRecords({ store, entity: salesOrderLines, records: records(5), source, window });
    expect(again).toMatchObject({ status: "duplicate", batchId: first!.batchId });
    expect(await store.list("landing/sales_order_lines/")).toHaveLength(2);
    const later = { ...window, low: window.high, high: "2026-01-05T12:00:00Z" };
    expect(
      await landRecords({ store, entity: salesOrderLines, records: records(5), source, window: later }),
    ).toMatchObject({
      status: "landed",
    });
    expect(
      await landRecords({ store, entity: salesOrderLines, records: records(5), source, window, force: true }),
    ).toMatchObject({ status: "landed" });
    expect(await listLandedManifests(store, "sales_order_lines")).toHaveLength(3);
  });

  it("names the quarantine entry each fixed record was fixed from, by its part and row there", async () => {
    const store = fresh();
    const first = "20260105T100000000Z-0000abcd";
    const entry = (row: number) => ({
      batchId: first,
      sourceFile: `${batchPath("landing", "sales_order_lines", first)}/part-00000.csv`,
      rowNumber: row,
    });
    const landed = await landRecords({
      store,
      entity: salesOrderLines,
      records: records(5),
      source,
      window: null,
      rowsPerPart: 2,
      after: first,
      fixes: [undefined, entry(7), entry(3), undefined, entry(9)],
    });
    const [batch] = await listLandedBatches(store, "sales_order_lines");
    expect(batch!.batchId).toBe(landed!.batchId);
    expect(batch!.manifest.files.map((f) => [f.path, f.fixes])).toEqual([
      ["part-00000.jsonl", [{ row: 2, entry: entry(7) }]],
      ["part-00001.jsonl", [{ row: 1, entry: entry(3) }]],
      ["part-00002.jsonl", [{ row: 1, entry: entry(9) }]],
    ]);
    // Records naming no entry leave the manifest as it was.
    const plain = fresh();
    await landRecords({
      store: plain,
      entity: salesOrderLines,
      records: records(2),
      source,
      window,
      fixes: [],
    });
    const [none] = await listLandedBatches(plain, "sales_order_lines");
    expect(none!.manifest.files.every((f) => f.fixes === undefined)).toBe(true);
    // More entries than records: refused, nothing landed.
    const over = fresh();
    await expect(
      landRecords({
        store: over,
        entity: salesOrderLines,
        records: records(1),
        source,
        window,
        fixes: [entry(1), entry(2)],
      }),
    ).rejects.toThrow(/2 quarantine entries for 1 record/);
    expect(await over.list("")).toEqual([]);
  });

  it("no records: no batch", async () => {
    const store = fresh();
    expect(
      await landRecords({ store, entity: salesOrderLines, records: records(0), source, window }),
    ).toBeUndefined();
    expect(await store.list("")).toEqual([]);
  });

  it("a source that fails after some parts leaves nothing behind and reports the source's error", async () => {
    const store = fresh();
    async function* failing() {
      yield* records(25);
      throw new Error("connection reset by peer");
    }
    await expect(
      landRecords({ store, entity: salesOrderLines, records: failing(), source, window, rowsPerPart: 10 }),
    ).rejects.toThrow("connection reset by peer");
    expect(await store.list("")).toEqual([]);
  });

  it("refuses a record holding half of a character alone, naming it, and lands nothing; a whole pair lands", async () => {
    const store = fresh();
    async function* cut() {
      yield* records(12);
      yield { ...record(13), customer_id: "C\ud83d" };
    }
    await expect(
      landRecords({ store, entity: salesOrderLines, records: cut(), source, window, rowsPerPart: 10 }),
    ).rejects.toMatchObject({
      code: "INVALID_RECORDS",
      message: `${source.name}: record 13 holds a lone UTF-16 surrogate ("C\\ud83d"), which is no character`,
      rule: "encoding.surrogate",
      row: 13,
    });
    expect(await store.list("")).toEqual([]);
    // A pair is one character; the literal text "\ud83d" is no surrogate at all.
    async function* whole() {
      yield { ...record(1), customer_id: "C\ud83d\ude00" };
      yield { ...record(2), customer_id: "C\\ud83d" };
    }
    const landed = await landRecords({ store, entity: salesOrderLines, records: whole(), source, window });
    expect(landed?.rows).toBe(2);
  });

  it("refuses an entity name that would escape the lake", async () => {
    const store = fresh();
    const evil = { ...salesOrderLines, name: "../../etc" };
    const e = await landBatch(store, evil, { kind: "records", records: records(1), source, window }).catch(
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(IngestError);
    expect(e).toMatchObject({ code: "UNSAFE_PATH" });
    expect(await store.list("")).toEqual([]);
  });
});

describe("listing landed batches", () => {
  it("ignores a batch folder without a manifest, sorts by batch id, and flags a broken manifest", async () => {
    const store = fresh();
    const late = await landRecords({
      store,
      entity: salesOrderLines,
      records: records(2),
      source,
      window,
      now: new Date("2026-02-02T00:00:00Z"),
    });
    const early = await landRecords({
      store,
      entity: salesOrderLines,
      records: records(3),
      source,
      window: { ...window, high: "2026-01-01T00:00:00Z" },
      now: new Date("2026-02-01T00:00:00Z"),
    });
    // A batch still being written: parts, no manifest.
    await store.put(
      "landing/sales_order_lines/ingest_date=2026-02-03/batch=20260203T000000000Z-0000abcd/part-00000.jsonl",
      Buffer.from(`${JSON.stringify(record(9))}\n`),
    );
    expect((await listLandedBatches(store, "sales_order_lines")).map((b) => b.batchId)).toEqual([
      early!.batchId,
      late!.batchId,
    ]);

    await store.put(`${early!.dir}/_manifest.json`, Buffer.from('{"version": 1, "entity": "sales_'));
    await expect(listLandedBatches(store, "sales_order_lines")).rejects.toMatchObject({
      code: "BAD_MANIFEST",
      file: `${early!.dir}/_manifest.json`,
    });
    await store.delete(`${early!.dir}/_manifest.json`);
    await store.delete(`${late!.dir}/part-00000.jsonl`);
    await expect(listLandedBatches(store, "sales_order_lines")).rejects.toThrow(
      /part-00000.jsonl, which is not in the lake/,
    );
  });
});
