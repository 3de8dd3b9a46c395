import { createHash } from "node:crypto";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";
import { defineEntity, t } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { IngestError, type LakeStore, LocalLakeStore, landFiles } from "../src/index.ts";

const work = mkdtempSync(join(tmpdir(), "saleslake-staged-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let n = 0;

const orders = defineEntity({
  name: "drop_orders",
  columns: { order_id: t.string().source("OrderID"), amount: t.int().source("Amount") },
  key: ["order_id"],
  watermark: "batch",
});

/** Every file under `dir`, hidden ones (a write in progress) included. */
const onDisk = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)))
    .sort();

/** A CSV of `rows` order lines, a few MB: several reads of landing's, so a copy is under way when a late row fails. */
const csv = (rows: number, last = "") => {
  const lines = ["OrderID,Amount"];
  for (let i = 0; i < rows; i++) lines.push(`SO${i},${i % 97}`);
  return `${lines.join("\n")}\n${last}`;
};
const file = (name: string, bytes: string | Buffer) => {
  const p = join(work, `${++n}-${name}`);
  writeFileSync(p, bytes);
  return p;
};
const sha256 = (b: Buffer) => createHash("sha256").update(b).digest("hex");

describe("landing into the local lake copies each file in the read that checks it", () => {
  it("lands the bytes as they are, hashed as the manifest says, and leaves no staged file", async () => {
    const root = join(work, `lake-${++n}`);
    const plain = file("a.csv", csv(300_000));
    const packed = file("b.csv.gz", gzipSync(csv(1000)));
    for (const path of [plain, packed]) {
      const r = await landFiles({ store: new LocalLakeStore(root), entity: orders, paths: [path] });
      const manifest = JSON.parse(readFileSync(join(root, r.dir, "_manifest.json"), "utf8"));
      const part = readFileSync(join(root, r.dir, manifest.files[0].path));
      expect(part.equals(readFileSync(path))).toBe(true);
      expect(manifest.files[0]).toMatchObject({ bytes: part.length, sha256: sha256(part) });
    }
    expect(onDisk(root).filter((p) => p.includes(".tmp-"))).toEqual([]);
  });

  it("leaves nothing when a file fails its checks after its copy has begun, or another file of the batch does", async () => {
    const root = join(work, `lake-${++n}`);
    const store = new LocalLakeStore(root);
    // Invalid UTF-8 in the last row, megabytes in.
    const late = file(
      "late.csv",
      Buffer.concat([Buffer.from(csv(300_000)), Buffer.from([0x53, 0xff, 0x2c, 0x31, 0x0a])]),
    );
    const e = await landFiles({ store, entity: orders, paths: [late] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IngestError);
    expect(e).toMatchObject({ code: "INVALID_ENCODING", row: 300_002 });
    // Both files check out and are staged; the batch then refuses them: the second has a column
    // the first lacks, and one batch takes one format.
    const good = file("good.csv", csv(1000));
    const other = file("other.csv", "OrderID,Amount,Colour\nSO1,1,red\n");
    await expect(landFiles({ store, entity: orders, paths: [good, other] })).rejects.toMatchObject({
      code: "MIXED_FORMATS",
    });
    expect(onDisk(root)).toEqual([]);
  });

  it("leaves nothing new when the content was landed before", async () => {
    const root = join(work, `lake-${++n}`);
    const store = new LocalLakeStore(root);
    const path = file("a.csv", csv(5000));
    const first = await landFiles({ store, entity: orders, paths: [path] });
    const before = onDisk(root);
    const again = await landFiles({ store, entity: orders, paths: [path] });
    expect(again).toMatchObject({ status: "duplicate", batchId: first.batchId });
    expect(onDisk(root)).toEqual(before);
  });

  it("a store without staged writes is written with put, from a second read", async () => {
    const root = join(work, `lake-${++n}`);
    const local = new LocalLakeStore(root);
    let puts = 0;
    const store: LakeStore = {
      kind: "local",
      location: local.location,
      put: (p, b) => {
        puts++;
        return local.put(p, b);
      },
      putIfAbsent: (p, b) => local.putIfAbsent(p, b),
      get: (p) => local.get(p),
      getStream: (p) => local.getStream(p),
      exists: (p) => local.exists(p),
      list: (p) => local.list(p),
      delete: (p) => local.delete(p),
      localPath: (p) => local.localPath(p),
    };
    const path = file("a.csv", csv(5000));
    const r = await landFiles({ store, entity: orders, paths: [path] });
    expect(puts).toBeGreaterThanOrEqual(2); // the part and the manifest
    const manifest = JSON.parse(readFileSync(join(root, r.dir, "_manifest.json"), "utf8"));
    expect(readFileSync(join(root, r.dir, manifest.files[0].path)).equals(readFileSync(path))).toBe(true);
  });
});

describe("LocalLakeStore.stage", () => {
  it("publishes whole once ended, refuses a write not ended, and discards what was not published", async () => {
    const root = join(work, `lake-${++n}`);
    const store = new LocalLakeStore(root);
    const a = await store.stage("landing/x");
    a.stream.end("hello");
    await a.publish("landing/x/a.txt");
    await a.discard(); // published: kept
    expect(readFileSync(join(root, "landing/x/a.txt"), "utf8")).toBe("hello");

    const b = await store.stage("landing/x");
    b.stream.write("half");
    await b.discard();
    const c = await store.stage("landing/x");
    c.stream.destroy(new Error("disk full"));
    await expect(c.publish("landing/x/c.txt")).rejects.toThrow("disk full");
    await c.discard();
    expect(onDisk(root)).toEqual(["landing/x/a.txt"]);
    expect(await store.list("")).toEqual(["landing/x/a.txt"]);
  });
});

describe("a file written to while it lands", () => {
  it("is refused, and leaves nothing", async () => {
    const root = join(work, `lake-${++n}`);
    const local = new LocalLakeStore(root);
    const path = file("growing.csv", csv(300_000));
    // A writer appends a row while the landing's one read is under way.
    const store: LakeStore = Object.assign(Object.create(local) as LakeStore, {
      stage: async (folder: string) => {
        const s = await local.stage(folder);
        const write = s.stream.write.bind(s.stream);
        let first = true;
        s.stream.write = ((chunk: unknown, ...rest: never[]) => {
          if (first) appendFileSync(path, "SO_LATE,1\n");
          first = false;
          return write(chunk as Buffer, ...rest);
        }) as typeof s.stream.write;
        return s;
      },
    });
    await expect(landFiles({ store, entity: orders, paths: [path] })).rejects.toMatchObject({
      code: "CORRUPT_FILE",
      message: expect.stringContaining("changed while it was being landed"),
    });
    expect(onDisk(root)).toEqual([]);
  });
});
