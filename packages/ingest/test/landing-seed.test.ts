import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { carSales, schemaFingerprint } from "@saleslake/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LakeStore, LocalLakeStore, landFiles, listLandedBatches } from "../src/index.ts";
import {
  AZURITE_ACCOUNT,
  type AzuriteServer,
  azuriteLakeStore,
  SKIP_AZURITE,
  startAzurite,
} from "./harness/azurite-server.ts";

if (SKIP_AZURITE) console.warn("SALESLAKE_SKIP_AZURITE=1: landing into ADLS (Azurite) is skipped");

const seed = (name: string) => fileURLToPath(new URL(`./fixtures/seed/${name}`, import.meta.url));
const initial = seed("SalesData.csv");
const incremental = seed("IncrementalSales.csv");
const packageDir = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "saleslake-landing-"));
let azurite: AzuriteServer | undefined;
let n = 0;

beforeAll(async () => {
  if (!SKIP_AZURITE) azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  rmSync(work, { recursive: true, force: true });
});

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const HEADER = [
  "Branch_ID",
  "Dealer_ID",
  "Model_ID",
  "Revenue",
  "Units_Sold",
  "Date_ID",
  "Day",
  "Month",
  "Year",
  "BranchName",
  "DealerName",
  "Product_Name",
];

interface StoreCase {
  make: () => Promise<LakeStore>;
  /** How the child process builds the same store (source text). */
  childStore: (store: LakeStore) => string;
  /** True once a part upload is under way and not yet visible. */
  uploading: (store: LakeStore) => Promise<boolean>;
}

const local: StoreCase = {
  make: async () => new LocalLakeStore(join(work, `lake-${++n}`)),
  childStore: (s) => `new LocalLakeStore(${JSON.stringify(s.location)})`,
  uploading: async (s) => {
    const walk = (d: string): boolean =>
      readdirSync(d, { withFileTypes: true }).some((e) =>
        e.isDirectory()
          ? walk(join(d, e.name))
          : e.name.startsWith(".tmp-") && statSync(join(d, e.name)).size > 0,
      );
    try {
      return walk(join(s.location, "landing"));
    } catch {
      return false;
    }
  },
};

const adls: StoreCase = {
  make: async () => {
    if (!azurite) throw new Error("Azurite is not running");
    return azuriteLakeStore(azurite, { cacheDir: join(work, `cache-${++n}`) });
  },
  childStore: (s) => {
    const fileSystem = /^abfss:\/\/([^@]+)@/.exec(s.location)![1];
    return `new AdlsLakeStore({ accountUrl: ${JSON.stringify(azurite!.blobUrl)}, fileSystem: ${JSON.stringify(fileSystem)}, sharedKey: ${JSON.stringify(AZURITE_ACCOUNT)}, blockSize: 1048576, concurrency: 1 })`;
  },
  uploading: async (s) => {
    // Staged blocks of a blob not yet committed: the upload is in flight and nothing is visible.
    const fileSystem = /^abfss:\/\/([^@]+)@/.exec(s.location)![1]!;
    const container = new BlobServiceClient(
      azurite!.blobUrl,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT.accountName, AZURITE_ACCOUNT.accountKey),
    ).getContainerClient(fileSystem);
    for await (const b of container.listBlobsFlat({ includeUncommitedBlobs: true, prefix: "landing/" })) {
      const blocks = await container.getBlockBlobClient(b.name).getBlockList("uncommitted");
      if ((blocks.uncommittedBlocks?.length ?? 0) > 0) return true;
    }
    return false;
  },
};

describe.each([
  ["local", local, false],
  ["adls (Azurite)", adls, SKIP_AZURITE],
] as const)("landing the seed car-sales files into the %s lake", (_name, store, skip) => {
  it.skipIf(skip)(
    "lands both files as-is with manifests; a re-land is a duplicate; force lands again",
    async () => {
      const lake = await store.make();
      const first = await landFiles({
        store: lake,
        entity: carSales,
        paths: [initial],
        now: new Date("2026-03-01T10:00:00Z"),
      });
      expect(first).toMatchObject({ status: "landed", rows: 1849, bytes: statSync(initial).size, drift: [] });
      const second = await landFiles({
        store: lake,
        entity: carSales,
        paths: [incremental],
        now: new Date("2026-03-02T10:00:00Z"),
      });
      expect(second).toMatchObject({ status: "landed", rows: 4 });

      const batches = await listLandedBatches(lake, "car_sales");
      expect(batches.map((b) => b.batchId)).toEqual([first.batchId, second.batchId]);
      expect(batches.map((b) => b.dir)).toEqual([
        `landing/car_sales/ingest_date=2026-03-01/batch=${first.batchId}`,
        `landing/car_sales/ingest_date=2026-03-02/batch=${second.batchId}`,
      ]);
      expect(await lake.list("landing/car_sales/")).toEqual([
        `${batches[0]!.dir}/_manifest.json`,
        `${batches[0]!.dir}/part-00000.csv`,
        `${batches[1]!.dir}/_manifest.json`,
        `${batches[1]!.dir}/part-00000.csv`,
      ]);
      for (const [i, file] of [initial, incremental].entries()) {
        const b = batches[i]!;
        const original = readFileSync(file);
        const landed = await lake.get(b.files[0]!);
        expect(landed.equals(original)).toBe(true);
        expect(readFileSync(await lake.localPath(b.files[0]!)).equals(original)).toBe(true);
        expect(b.manifest).toMatchObject({
          version: 1,
          entity: "car_sales",
          batchId: b.batchId,
          source: { kind: "file", name: i === 0 ? "SalesData.csv" : "IncrementalSales.csv" },
          window: null,
          format: "csv",
          compression: "none",
          csv: { delimiter: ",", quote: '"', header: true, encoding: "utf-8", columns: HEADER },
          files: [
            {
              path: "part-00000.csv",
              rows: i === 0 ? 1849 : 4,
              bytes: original.length,
              sha256: sha(original),
            },
          ],
          rowCount: i === 0 ? 1849 : 4,
          bytes: original.length,
          contentSha256: sha(Buffer.from(sha(original))),
          schemaFingerprint: schemaFingerprint(carSales),
        });
      }
      // The seed's byte-order mark is kept in the landed bytes but not in the recorded header.
      expect(readFileSync(initial).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      expect(batches[0]!.manifest.csv!.columns[0]).toBe("Branch_ID");

      const again = await landFiles({ store: lake, entity: carSales, paths: [initial] });
      expect(again).toMatchObject({ status: "duplicate", batchId: first.batchId, rows: 1849 });
      expect(await listLandedBatches(lake, "car_sales")).toHaveLength(2);
      expect(await lake.list("landing/car_sales/")).toHaveLength(4);

      const forced = await landFiles({ store: lake, entity: carSales, paths: [initial], force: true });
      expect(forced.status).toBe("landed");
      expect(forced.batchId).not.toBe(first.batchId);
      const after = await listLandedBatches(lake, "car_sales");
      expect(after).toHaveLength(3);
      expect(after.at(-1)!.manifest.contentSha256).toBe(after[0]!.manifest.contentSha256);
    },
  );

  it.skipIf(skip)(
    "a landing killed mid-upload leaves no visible batch; the rerun lands it once",
    async () => {
      const lake = await store.make();
      const row = "BR0001,DLR0001,BMW-M1,13363978,2,DT00001,1,1,2017,AC Cars Motors,AC Cars Motors,BMW\n";
      const big = join(work, `big-${++n}.csv`);
      writeFileSync(big, `${HEADER.join(",")}\n${row.repeat(600_000)}`);
      const script = `import { carSales } from "@saleslake/schema";
import { AdlsLakeStore, LocalLakeStore, landFiles } from "./src/index.ts";
await landFiles({ store: ${store.childStore(lake)}, entity: carSales, paths: [${JSON.stringify(big)}] });
console.log("landed");`;
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
        cwd: packageDir,
        stdio: "pipe",
      });
      let output = "";
      child.stdout.on("data", (d: Buffer) => (output += d));
      child.stderr.on("data", (d: Buffer) => (output += d));
      const exited = new Promise((r) => child.once("exit", r));
      const started = Date.now();
      let caught = false;
      while (child.exitCode === null && Date.now() - started < 60_000) {
        if (await store.uploading(lake)) {
          caught = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill("SIGKILL");
      await exited;
      expect(caught, `the upload was never seen in flight:\n${output}`).toBe(true);
      expect(output).not.toContain("landed");

      expect(await listLandedBatches(lake, "car_sales")).toEqual([]);
      // Of the killed landing, at most its claim on the content is left (killed once it had
      // claimed it): the rerun takes it over, its process being gone.
      const left = await lake.list("landing/");
      expect(left.length).toBeLessThanOrEqual(1);
      for (const p of left) expect(p).toMatch(/^landing\/_claims\/car_sales\/[0-9a-f]{64}\.json$/);

      const rerun = await landFiles({ store: lake, entity: carSales, paths: [big] });
      expect(rerun).toMatchObject({ status: "landed", rows: 600_000 });
      const batches = await listLandedBatches(lake, "car_sales");
      expect(batches).toHaveLength(1);
      expect(sha(readFileSync(await lake.localPath(batches[0]!.files[0]!)))).toBe(sha(readFileSync(big)));
      expect(await landFiles({ store: lake, entity: carSales, paths: [big] })).toMatchObject({
        status: "duplicate",
      });
      expect(await listLandedBatches(lake, "car_sales")).toHaveLength(1);
    },
    120_000,
  );
});
