import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AdlsLakeStore,
  IngestError,
  type LakeStore,
  landFiles,
  listLandedBatches,
  listLandedManifests,
} from "@saleslake/ingest";
import { runPipeline } from "@saleslake/pipeline";
import { carSales, carSalesSeedFiles } from "@saleslake/schema";
import { afterAll, beforeAll, describe, it } from "vitest";
import { AZURITE_ACCOUNT, AzuriteProcess, SKIP_AZURITE } from "./azurite-process.ts";
import { writeCarSalesCsv } from "./car-sales-records.ts";
import { contentHash } from "./content-hash.ts";
import { spawnLanding } from "./spawn-landing.ts";
import { stallingUploads } from "./stalling-uploads.ts";
import { tally } from "./tally.ts";

if (SKIP_AZURITE) console.warn("SALESLAKE_SKIP_AZURITE=1: the Azurite-backed landing faults are skipped");

const work = mkdtempSync(join(tmpdir(), "saleslake-faults-azurite-"));
const big = join(work, "big.csv");
const BIG_ROWS = 20_000;
/** Bytes of an upload sent before a fault strikes: several 64 KiB blocks staged, most of the file not. */
const HOLD_AT = 256 * 1024;
const emulators: AzuriteProcess[] = [];

beforeAll(() => writeCarSalesCsv(big, BIG_ROWS));
afterAll(async () => {
  for (const az of emulators) await az.kill();
  rmSync(work, { recursive: true, force: true });
});

async function emulator(name: string): Promise<AzuriteProcess> {
  const az = new AzuriteProcess(mkdtempSync(join(work, `${name}-azurite-`)));
  emulators.push(az);
  await az.start();
  return az;
}

/**
 * The local engine reads a local lake: every landed (manifested) batch is fetched through the
 * store's own download cache, whose folder has the lake's layout, parts first, manifest last.
 */
async function runOnMirror(store: AdlsLakeStore, dir: string, cacheDir: string) {
  for (const b of await listLandedBatches(store, "car_sales")) {
    for (const f of b.files) await store.localPath(f);
    await store.localPath(`${b.dir}/_manifest.json`);
  }
  return runPipeline({ dir, lakeRoot: join(cacheDir, store.fileSystem) });
}

const seed = [carSalesSeedFiles.initial, carSalesSeedFiles.incremental];
const rowCounts = async (store: LakeStore) =>
  (await listLandedManifests(store, "car_sales")).map((m) => m.rowCount);

describe.skipIf(SKIP_AZURITE).concurrent("Azurite-backed landing under faults", () => {
  it("SIGKILL during an upload to Azurite: no visible batch; the rerun lands it once; the run equals an uninterrupted one", async ({
    expect,
  }) => {
    const az = await emulator("kill-landing");
    const cache = join(work, "kill-landing-cache");

    // The uninterrupted run: seed files and the big file landed, then processed.
    const ref = await az.createLake("reference", cache);
    for (const p of [...seed, big]) await landFiles({ store: ref, entity: carSales, paths: [p] });
    const refDir = join(work, "kill-landing-reference");
    await runOnMirror(ref, refDir, cache);
    const reference = await contentHash(refDir, { sameBatchIds: false });

    // The same landings, the big one killed while its blocks are being staged.
    const lake = await az.createLake("crashed", cache);
    for (const p of seed) await landFiles({ store: lake, entity: carSales, paths: [p] });
    const adls = az.lakeOptions("crashed", cache);
    const child = spawnLanding({ kind: "files", lake: { adls }, paths: [big], stallAfterBytes: HOLD_AT });
    await child.waitFor("stalled");
    // The blocks before the hold are staged by requests still in flight when it holds.
    await expect.poll(() => az.uncommittedBlobs("crashed"), { timeout: 10_000 }).toHaveLength(1);
    await child.kill();
    expect(await child.exit).toMatchObject({ signal: "SIGKILL" }); // on failure, shows what the child printed
    expect(await rowCounts(lake)).toEqual([1849, 4]);

    const rerun = spawnLanding({ kind: "files", lake: { adls }, paths: [big] });
    expect(JSON.parse((await rerun.exit).out)).toMatchObject({ status: "landed", rows: BIG_ROWS });
    const again = spawnLanding({ kind: "files", lake: { adls }, paths: [big] });
    expect(JSON.parse((await again.exit).out)).toMatchObject({ status: "duplicate" });
    expect(await rowCounts(lake)).toEqual([1849, 4, BIG_ROWS]);

    const dir = join(work, "kill-landing-crashed");
    const { runs } = await runOnMirror(lake, dir, cache);
    expect(runs[0]).toMatchObject({ rowsRead: 1853 + BIG_ROWS });
    const got = await contentHash(dir, { sameBatchIds: false });
    tally({
      faults: 1,
      lost: Math.max(0, reference.silverRows - got.silverRows),
      duplicated: got.silverRows - got.silverKeys,
    });
    expect(got).toEqual(reference);
  });

  it("Azurite killed mid-upload: the landing fails with a typed error, nothing visible; after a restart the rerun lands it once", async ({
    expect,
  }) => {
    const az = await emulator("server-down");
    const cache = join(work, "server-down-cache");
    const lake = await az.createLake("lake", cache);
    await landFiles({ store: lake, entity: carSales, paths: [carSalesSeedFiles.incremental] });
    // What was committed before the crash must survive it: wait for the emulator's own save.
    await az.persistedSince(Date.now());

    let held!: () => void;
    const holding = new Promise<void>((r) => {
      held = r;
    });
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    const landing = landFiles({
      store: stallingUploads(az.lake("lake", cache), HOLD_AT, held, released),
      entity: carSales,
      paths: [big],
    });
    landing.catch(() => {}); // awaited below
    await holding;
    await expect.poll(() => az.uncommittedBlobs("lake"), { timeout: 10_000 }).toHaveLength(1);
    await az.kill();
    release();
    const error = await landing.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IngestError);
    // One line and a hint for the user, and never the account key.
    const { message, hint } = error as IngestError;
    expect(hint).toMatch(/retry/);
    expect(`${message}${hint}`).not.toContain(AZURITE_ACCOUNT.accountKey);
    expect(error).toMatchObject({
      code: "LAKE_UNAVAILABLE",
      message: expect.stringContaining("upload to abfss://lake@"),
    });

    await az.start();
    expect(await rowCounts(lake)).toEqual([4]);
    expect(await landFiles({ store: lake, entity: carSales, paths: [big] })).toMatchObject({
      status: "landed",
      rows: BIG_ROWS,
    });
    expect(await landFiles({ store: lake, entity: carSales, paths: [big] })).toMatchObject({
      status: "duplicate",
    });
    expect(await rowCounts(lake)).toEqual([4, BIG_ROWS]);

    const dir = join(work, "server-down-run");
    const { runs } = await runOnMirror(lake, dir, cache);
    const got = await contentHash(dir);
    expect(runs[0]).toMatchObject({ rowsRead: 4 + BIG_ROWS, rowsAccepted: 4 + BIG_ROWS });
    tally({ faults: 1, lost: got.bronzeKeys - got.silverKeys, duplicated: got.silverRows - got.silverKeys });
    expect(got.silverRows).toBe(got.silverKeys);
    expect(got.silverKeys).toBe(got.bronzeKeys);
  });
});
