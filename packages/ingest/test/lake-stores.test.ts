import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { carSales } from "@saleslake/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AdlsLakeStore,
  defaultCacheDir,
  IngestError,
  type LakeStore,
  LocalLakeStore,
  landFiles,
  listLandedBatches,
} from "../src/index.ts";
import {
  AZURITE_ACCOUNT,
  type AzuriteServer,
  azuriteLakeStore,
  SKIP_AZURITE,
  startAzurite,
} from "./harness/azurite-server.ts";

if (SKIP_AZURITE) console.warn("SALESLAKE_SKIP_AZURITE=1: the ADLS (Azurite) lake store tests are skipped");

const work = mkdtempSync(join(tmpdir(), "saleslake-lake-"));
let azurite: AzuriteServer | undefined;
let caches = 0;

beforeAll(async () => {
  if (!SKIP_AZURITE) azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  rmSync(work, { recursive: true, force: true });
});

async function adlsStore(): Promise<AdlsLakeStore> {
  if (!azurite) throw new Error("Azurite is not running");
  return azuriteLakeStore(azurite, { cacheDir: join(work, `cache-${++caches}`) });
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
async function drain(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const stores: [string, () => Promise<LakeStore>, boolean][] = [
  ["local", async () => new LocalLakeStore(mkdtempSync(join(work, "local-"))), false],
  ["adls (Azurite)", adlsStore, SKIP_AZURITE],
];

describe.each(stores)("%s lake store", (_name, make, skip) => {
  it.skipIf(skip)("puts a stream, hashing and counting it on the way, and reads it back whole", async () => {
    const store = await make();
    // Several blocks for ADLS (1 MiB blocks): the commit at the end makes them one object.
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const chunks = async function* () {
      for (let i = 0; i < bytes.length; i += 65_536) yield bytes.subarray(i, i + 65_536);
    };
    const put = await store.put("landing/x/ingest_date=2026-01-01/batch=b/part-00000.csv", chunks());
    expect(put).toEqual({ bytes: bytes.length, sha256: sha(bytes) });
    expect((await store.get("landing/x/ingest_date=2026-01-01/batch=b/part-00000.csv")).equals(bytes)).toBe(
      true,
    );
    const streamed = await drain(
      await store.getStream("landing/x/ingest_date=2026-01-01/batch=b/part-00000.csv"),
    );
    expect(sha(streamed)).toBe(sha(bytes));
    const local = await store.localPath("landing/x/ingest_date=2026-01-01/batch=b/part-00000.csv");
    expect(sha(readFileSync(local))).toBe(sha(bytes));
    expect(local.endsWith("landing/x/ingest_date=2026-01-01/batch=b/part-00000.csv")).toBe(true);
  });

  it.skipIf(skip)(
    "lists by prefix, sorted; checks existence; deletes; replaces on a second put",
    async () => {
      const store = await make();
      for (const p of [
        "landing/b/2.json",
        "landing/a/1.csv",
        "landing/a/0.csv",
        "bronze/a/x.parquet",
        "landing/ab/z.csv",
      ])
        await store.put(p, Buffer.from(p));
      expect(await store.list("landing/a/")).toEqual(["landing/a/0.csv", "landing/a/1.csv"]);
      expect(await store.list("landing/a")).toEqual([
        "landing/a/0.csv",
        "landing/a/1.csv",
        "landing/ab/z.csv",
      ]);
      expect(await store.list("")).toHaveLength(5);
      expect(await store.list("silver/")).toEqual([]);
      expect(await store.exists("landing/a/0.csv")).toBe(true);
      expect(await store.exists("landing/a")).toBe(false);
      await store.put("landing/a/0.csv", Buffer.from("replaced"));
      expect((await store.get("landing/a/0.csv")).toString()).toBe("replaced");
      await store.delete("landing/a/0.csv");
      await store.delete("landing/a/0.csv");
      expect(await store.exists("landing/a/0.csv")).toBe(false);
      expect(await store.list("landing/a/")).toEqual(["landing/a/1.csv"]);
    },
  );

  it.skipIf(skip)(
    "a source that fails mid-stream leaves nothing visible and reports the source's error",
    async () => {
      const store = await make();
      const failing = async function* () {
        yield randomBytes(2 * 1024 * 1024);
        yield randomBytes(1024 * 1024);
        throw new Error("source broke at 3 MiB");
      };
      await expect(store.put("landing/x/part-00000.csv", failing())).rejects.toThrow("source broke at 3 MiB");
      expect(await store.list("")).toEqual([]);
      expect(await store.exists("landing/x/part-00000.csv")).toBe(false);
    },
  );

  it.skipIf(skip)("a missing object is NOT_FOUND; unsafe paths are UNSAFE_PATH before any I/O", async () => {
    const store = await make();
    await expect(store.get("landing/none.csv")).rejects.toMatchObject({
      code: "NOT_FOUND",
      file: "landing/none.csv",
    });
    await expect(store.getStream("landing/none.csv")).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(store.localPath("landing/none.csv")).rejects.toMatchObject({ code: "NOT_FOUND" });
    for (const bad of [
      "../x",
      "/etc/passwd",
      "landing/../../x",
      "landing//x",
      "landing\\x",
      "C:/x",
      "a/\u0000b",
      "a/./b",
    ]) {
      const e = await store.put(bad, Buffer.from("x")).catch((err: unknown) => err);
      expect(e, bad).toBeInstanceOf(IngestError);
      expect(e, bad).toMatchObject({ code: "UNSAFE_PATH" });
      await expect(store.list(`${bad}/`), bad).rejects.toMatchObject({ code: "UNSAFE_PATH" });
    }
    expect(await store.list("")).toEqual([]);
  });
});

describe.skipIf(SKIP_AZURITE)("adls lake store specifics", () => {
  it("keeps each zone in its own container when no file system is given, as the infra creates them", async () => {
    const service = new BlobServiceClient(
      azurite!.blobUrl,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT.accountName, AZURITE_ACCOUNT.accountKey),
    );
    const store = new AdlsLakeStore({
      accountUrl: azurite!.blobUrl,
      sharedKey: AZURITE_ACCOUNT,
      cacheDir: join(work, `cache-${++caches}`),
    });
    expect(store.location).toBe(`abfss://{zone}@127.0.0.1:${azurite!.port}`);
    await store.ensureZones();
    const names: string[] = [];
    for await (const c of service.listContainers()) names.push(c.name);
    expect(names).toEqual(expect.arrayContaining(["landing", "bronze", "silver", "gold", "quarantine"]));

    const seedFile = fileURLToPath(new URL("./fixtures/seed/SalesData.csv", import.meta.url));
    const landed = await landFiles({ store, entity: carSales, paths: [seedFile] });
    const [batch] = await listLandedBatches(store, "car_sales");
    expect(batch!.batchId).toBe(landed.batchId);
    expect(batch!.dir).toMatch(/^landing\/car_sales\/ingest_date=\d{4}-\d\d-\d\d\/batch=/);
    // In Azure terms: the container `landing`, blobs under `car_sales/…`, the manifest among them.
    const blobs: string[] = [];
    for await (const b of service.getContainerClient("landing").listBlobsFlat()) blobs.push(b.name);
    expect(blobs).toContain(`${batch!.dir.slice("landing/".length)}/_manifest.json`);
    expect(blobs.filter((b) => !b.startsWith("car_sales/"))).toEqual([
      expect.stringMatching(/^_claims\/car_sales\/[0-9a-f]{64}\.json$/),
    ]);
    const part = await store.get(batch!.files[0]!);
    expect(sha(part)).toBe(sha(readFileSync(seedFile)));
    expect(await store.list("")).toEqual(await store.list("landing/"));
    // Local mirror in the lake's layout, so lineage paths read the same as on a local lake.
    expect(await store.localPath(batch!.files[0]!)).toBe(join(store.localRoot, batch!.files[0]!));
    await expect(store.put("elsewhere/a.csv", Buffer.from("a"))).rejects.toMatchObject({
      code: "UNSAFE_PATH",
    });
    await expect(store.rename("landing/car_sales", "bronze/car_sales")).rejects.toMatchObject({
      code: "UNSAFE_PATH",
    });
  });

  it("hides hierarchical-namespace directory markers from listings", async () => {
    const store = await adlsStore();
    const container = new BlobServiceClient(
      azurite!.blobUrl,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT.accountName, AZURITE_ACCOUNT.accountKey),
    ).getContainerClient(store.fileSystem);
    await container
      .getBlockBlobClient("landing/car_sales")
      .upload("", 0, { metadata: { hdi_isfolder: "true" } });
    await store.put("landing/car_sales/a.csv", Buffer.from("a"));
    expect(await store.list("landing/")).toEqual(["landing/car_sales/a.csv"]);
  });

  it("names its location as an abfss URI without credentials", async () => {
    const store = await adlsStore();
    expect(store.location).toBe(`abfss://${store.fileSystem}@127.0.0.1:${azurite!.port}`);
    expect(store.location).not.toContain(AZURITE_ACCOUNT.accountKey);
  });

  it("keeps downloads in a folder of the user's own, by default under the user's cache folder", async () => {
    expect(defaultCacheDir({ XDG_CACHE_HOME: "/srv/cache" })).toBe("/srv/cache/saleslake/lake-cache");
    // A relative XDG_CACHE_HOME is ignored, as the XDG spec says.
    for (const env of [{}, { XDG_CACHE_HOME: "cache" }])
      expect(defaultCacheDir(env)).toBe(join(homedir(), ".cache", "saleslake", "lake-cache"));
    const cacheDir = join(work, `cache-${++caches}`, "private");
    const store = new AdlsLakeStore({ accountUrl: azurite!.blobUrl, sharedKey: AZURITE_ACCOUNT, cacheDir });
    await store.ensureZones();
    await store.put("landing/owned.csv", Buffer.from("x"));
    await store.localPath("landing/owned.csv");
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
  });

  it("reuses a cached download while the object is unchanged, and refreshes it when replaced", async () => {
    const store = await adlsStore();
    await store.put("landing/a.csv", Buffer.from("one"));
    const first = await store.localPath("landing/a.csv");
    expect(readFileSync(first, "utf8")).toBe("one");
    expect(await store.localPath("landing/a.csv")).toBe(first);
    await store.put("landing/a.csv", Buffer.from("two"));
    expect(readFileSync(await store.localPath("landing/a.csv"), "utf8")).toBe("two");
  });

  it("a missing container is LAKE_UNAVAILABLE and a wrong key LAKE_ACCESS_DENIED, neither showing the key", async () => {
    const missing = new AdlsLakeStore({
      accountUrl: azurite!.blobUrl,
      fileSystem: "nosuchcontainer",
      sharedKey: AZURITE_ACCOUNT,
    });
    const e1 = await missing.put("landing/a.csv", Buffer.from("a")).catch((e: unknown) => e);
    expect(e1).toMatchObject({ code: "LAKE_UNAVAILABLE" });
    expect((e1 as IngestError).message).toMatch(/container nosuchcontainer does not exist/);
    const store = await adlsStore();
    const wrongKey = Buffer.alloc(64, 7).toString("base64");
    const denied = new AdlsLakeStore({
      accountUrl: azurite!.blobUrl,
      fileSystem: store.fileSystem,
      sharedKey: { accountName: AZURITE_ACCOUNT.accountName, accountKey: wrongKey },
    });
    const e2 = await denied.list("").catch((e: unknown) => e);
    expect(e2).toMatchObject({ code: "LAKE_ACCESS_DENIED" });
    expect(JSON.stringify({ m: (e2 as IngestError).message, h: (e2 as IngestError).hint })).not.toContain(
      wrongKey,
    );
  });

  it("uploads a 24 MiB stream as staged blocks that read back identical", async () => {
    const store = await adlsStore();
    let produced = 0;
    const total = 24 * 1024 * 1024;
    const chunk = randomBytes(256 * 1024);
    const hash = createHash("sha256");
    const source = Readable.from(
      (async function* () {
        while (produced < total) {
          produced += chunk.length;
          hash.update(chunk);
          yield chunk;
        }
      })(),
    );
    const put = await store.put("landing/big.bin", source);
    expect(put).toEqual({ bytes: total, sha256: hash.digest("hex") });
    expect(sha(await drain(await store.getStream("landing/big.bin")))).toBe(put.sha256);
  }, 60_000);
});
