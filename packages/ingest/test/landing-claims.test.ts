import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { carSales, salesOrderLines } from "@saleslake/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  claimPath,
  IngestError,
  type LakeStore,
  type LandFilesResult,
  LocalLakeStore,
  landFiles,
  landRecords,
  listLandedBatches,
} from "../src/index.ts";
import {
  type AzuriteServer,
  azuriteLakeStore,
  SKIP_AZURITE,
  startAzurite,
} from "./harness/azurite-server.ts";

if (SKIP_AZURITE) console.warn("SALESLAKE_SKIP_AZURITE=1: content claims in ADLS (Azurite) are skipped");

const initial = fileURLToPath(new URL("./fixtures/seed/SalesData.csv", import.meta.url));
const work = mkdtempSync(join(tmpdir(), "saleslake-claims-"));
let azurite: AzuriteServer | undefined;
let n = 0;

beforeAll(async () => {
  if (!SKIP_AZURITE) azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  rmSync(work, { recursive: true, force: true });
});

const stores: [string, () => Promise<LakeStore>, boolean][] = [
  ["local", async () => new LocalLakeStore(join(work, `lake-${++n}`)), false],
  [
    "adls (Azurite)",
    async () => {
      if (!azurite) throw new Error("Azurite is not running");
      return azuriteLakeStore(azurite, { cacheDir: join(work, `cache-${++n}`) });
    },
    SKIP_AZURITE,
  ],
];

/** The content hash of the seed file as landFiles computes it (the hash of its one part's hash). */
async function seedClaim(store: LakeStore): Promise<string> {
  const probe = await landFiles({ store, entity: carSales, paths: [initial], force: true });
  const path = claimPath("car_sales", probe.contentSha256, null);
  for (const p of await store.list(`${probe.dir}/`)) await store.delete(p);
  return path;
}

/** A process id no process has: one that has just ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "0"]);
  return r.pid!;
}

const holder = (over: Record<string, unknown>) =>
  Buffer.from(
    JSON.stringify({
      batchId: "20260101T000000000Z-0badc0de",
      claimedAt: new Date().toISOString(),
      host: hostname(),
      pid: process.pid,
      ...over,
    }),
  );

describe.each(stores)("content claims in the %s lake", (_name, make, skip) => {
  it.skipIf(skip)("putIfAbsent: of writers racing for one path, exactly one writes", async () => {
    const store = await make();
    const wins = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        store.putIfAbsent("landing/_claims/x/k.json", Buffer.from(`w${i}`)),
      ),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    const winner = wins.indexOf(true);
    expect((await store.get("landing/_claims/x/k.json")).toString()).toBe(`w${winner}`);
    expect(await store.putIfAbsent("landing/_claims/x/k.json", Buffer.from("late"))).toBe(false);
    expect(await store.list("landing/_claims/")).toEqual(["landing/_claims/x/k.json"]);
    await expect(store.putIfAbsent("../k.json", Buffer.from("x"))).rejects.toMatchObject({
      code: "UNSAFE_PATH",
    });
  });

  it.skipIf(skip)("two landings of one file at once land it once", async () => {
    const store = await make();
    const results = await Promise.allSettled(
      [0, 1, 2].map(() => landFiles({ store, entity: carSales, paths: [initial] })),
    );
    const landed = results.filter(
      (r): r is PromiseFulfilledResult<LandFilesResult> =>
        r.status === "fulfilled" && r.value.status === "landed",
    );
    expect(landed).toHaveLength(1);
    const batchId = landed[0]!.value.batchId;
    for (const r of results) {
      if (r.status === "fulfilled") expect(r.value.batchId).toBe(batchId);
      else {
        expect(r.reason).toBeInstanceOf(IngestError);
        expect(r.reason).toMatchObject({ code: "LANDING_IN_PROGRESS" });
        expect((r.reason as Error).message).toContain(`as batch ${batchId}, by pid ${process.pid}`);
      }
    }
    expect((await listLandedBatches(store, "car_sales")).map((b) => b.batchId)).toEqual([batchId]);
    // Nothing of the landings that lost is left behind: one batch's parts, its manifest, one claim.
    expect((await store.list("landing/")).filter((p) => !p.includes(batchId))).toEqual([
      expect.stringMatching(/^landing\/_claims\/car_sales\/[0-9a-f]{64}\.json$/),
    ]);
    const again = await landFiles({ store, entity: carSales, paths: [initial] });
    expect(again).toMatchObject({ status: "duplicate", batchId });
  });

  it.skipIf(skip)("two landings of one source window at once land it once", async () => {
    const store = await make();
    const window = { column: "updated_at", low: null, high: "2026-01-05T10:00:00Z" };
    const rows = async function* () {
      for (let i = 1; i <= 50; i++)
        yield {
          OrderID: `SO${String(i).padStart(8, "0")}`,
          LineNo: 1,
          order_date: "2026-01-05",
          customer_id: "C1",
          product_id: "P1",
          quantity: 1,
          unit_price: "1.00",
          currency: "EUR",
          status: "open",
          channel: "web",
          updated_at: "2026-01-05T10:00:00Z",
          is_deleted: false,
        };
    };
    const source = { kind: "postgres" as const, name: "orders_db" };
    const results = await Promise.allSettled(
      [0, 1].map(() =>
        landRecords({ store, entity: salesOrderLines, records: rows(), source, window, rowsPerPart: 10 }),
      ),
    );
    const batches = await listLandedBatches(store, "sales_order_lines");
    expect(batches).toHaveLength(1);
    for (const r of results) {
      if (r.status === "fulfilled") expect(r.value?.batchId).toBe(batches[0]!.batchId);
      else expect(r.reason).toMatchObject({ code: "LANDING_IN_PROGRESS" });
    }
    expect((await store.list("landing/sales_order_lines/")).filter((p) => p.endsWith(".jsonl"))).toHaveLength(
      5,
    );
  });

  it.skipIf(skip)(
    "a claim whose landing is under way elsewhere refuses, naming it; force lands anyway",
    async () => {
      const store = await make();
      const path = await seedClaim(store);
      await store.put(path, holder({ host: "build-agent-7", pid: 4242 }));
      const e = await landFiles({ store, entity: carSales, paths: [initial] }).catch((x: unknown) => x);
      expect(e).toMatchObject({
        code: "LANDING_IN_PROGRESS",
        message: expect.stringMatching(
          /^the same content is being landed now as batch 20260101T000000000Z-0badc0de, by pid 4242 on build-agent-7 since /,
        ),
        hint: expect.stringContaining(`land again with --force (force: true), or delete ${path}`),
      });
      expect(await listLandedBatches(store, "car_sales")).toEqual([]);
      expect(await landFiles({ store, entity: carSales, paths: [initial], force: true })).toMatchObject({
        status: "landed",
      });
    },
  );

  it.skipIf(skip)(
    "a claim left by a landing that died (its process gone, or a day old) is taken over",
    async () => {
      for (const dead of [
        holder({ pid: deadPid() }),
        holder({ host: "build-agent-7", claimedAt: new Date(Date.now() - 25 * 3600_000).toISOString() }),
        Buffer.from("{ half-writ"),
      ]) {
        const store = await make();
        const path = await seedClaim(store);
        await store.put(path, dead);
        const r = await landFiles({ store, entity: carSales, paths: [initial] });
        expect(r.status).toBe("landed");
        expect(JSON.parse((await store.get(path)).toString())).toMatchObject({
          batchId: r.batchId,
          pid: process.pid,
        });
      }
    },
  );

  it.skipIf(skip)(
    "two landings that find the same dead claim: one takes it over, the other does not land",
    async () => {
      const store = await make();
      const path = await seedClaim(store);
      const dead = holder({ pid: deadPid() });
      await store.put(path, dead);
      // The second landing reads the dead claim, then waits until the first has claimed the
      // content in its place: what it does next must not undo that claim.
      let claimedByFirst!: () => void;
      const firstClaimed = new Promise<void>((r) => {
        claimedByFirst = r;
      });
      const first: LakeStore = Object.assign(Object.create(store) as LakeStore, {
        put: async (p: string, body: Parameters<LakeStore["put"]>[1]) => {
          const r = await store.put(p, body);
          if (p === path) claimedByFirst();
          return r;
        },
        putIfAbsent: async (p: string, body: Uint8Array) => {
          const won = await store.putIfAbsent(p, body);
          if (p === path && won) claimedByFirst();
          return won;
        },
      });
      let reads = 0;
      const second: LakeStore = Object.assign(Object.create(store) as LakeStore, {
        get: async (p: string) => {
          const bytes = await store.get(p);
          if (p === path && reads++ === 0) {
            expect(bytes.equals(dead)).toBe(true);
            await firstClaimed;
          }
          return bytes;
        },
      });
      const slow = landFiles({ store: second, entity: carSales, paths: [initial] }).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 50)); // the second landing is waiting, the dead claim read
      const landed = await landFiles({ store: first, entity: carSales, paths: [initial] });
      expect(landed.status).toBe("landed");
      const other = await slow;
      if (other instanceof Error) expect(other).toMatchObject({ code: "LANDING_IN_PROGRESS" });
      else expect(other).toMatchObject({ status: "duplicate", batchId: landed.batchId });
      expect((await listLandedBatches(store, "car_sales")).map((b) => b.batchId)).toEqual([landed.batchId]);
      expect(await store.list("landing/_claims/")).toEqual([path]);
      expect(JSON.parse((await store.get(path)).toString())).toMatchObject({ batchId: landed.batchId });
    },
  );

  it.skipIf(skip)(
    "a takeover left half done by a landing that ended is taken over in turn; a live one is waited for",
    async () => {
      const lockOf = (path: string, claim: Buffer) =>
        `${path.replace(/\.json$/, "")}.takeover-${createHash("sha256").update(claim).digest("hex").slice(0, 16)}.json`;
      for (const deadLock of [
        holder({ batchId: "20260101T000000000Z-0deadbee", pid: deadPid() }),
        Buffer.from("{ half-writ"),
      ]) {
        const store = await make();
        const path = await seedClaim(store);
        const dead = holder({ pid: deadPid() });
        await store.put(path, dead);
        await store.put(lockOf(path, dead), deadLock);
        const r = await landFiles({ store, entity: carSales, paths: [initial] });
        expect(r.status).toBe("landed");
        expect(JSON.parse((await store.get(path)).toString())).toMatchObject({ batchId: r.batchId });
        // Both locks (the dead one, and the one taken to replace it) are gone.
        expect(await store.list("landing/_claims/")).toEqual([path]);
      }
      // A takeover under way in a live process is not taken from it.
      const store = await make();
      const path = await seedClaim(store);
      const dead = holder({ pid: deadPid() });
      await store.put(path, dead);
      const live = holder({ batchId: "20260101T000000000Z-00a11fe0" });
      await store.put(lockOf(path, dead), live);
      await expect(landFiles({ store, entity: carSales, paths: [initial] })).rejects.toMatchObject({
        code: "LANDING_IN_PROGRESS",
      });
      expect(await listLandedBatches(store, "car_sales")).toEqual([]);
      expect((await store.get(lockOf(path, dead))).equals(live)).toBe(true);
      expect((await store.get(path)).equals(dead)).toBe(true);
    },
  );

  it.skipIf(skip)("a landing that fails removes its claim: the next one lands", async () => {
    const store = await make();
    const failing: LakeStore = Object.assign(Object.create(store) as LakeStore, {
      put: async () => {
        throw new Error("disk full");
      },
    });
    await expect(landFiles({ store: failing, entity: carSales, paths: [initial] })).rejects.toThrow(
      "disk full",
    );
    expect(await store.list("landing/")).toEqual([]);
    expect(await landFiles({ store, entity: carSales, paths: [initial] })).toMatchObject({
      status: "landed",
    });
  });
});
