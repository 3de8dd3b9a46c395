import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalLakeStore, landFiles, listLandedManifests } from "@saleslake/ingest";
import { Warehouse } from "@saleslake/pipeline";
import { carSales, carSalesSeedFiles } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { contentHash } from "./content-hash.ts";
import { spawnLanding } from "./spawn-landing.ts";
import { tally } from "./tally.ts";

const bin = new URL("../../apps/cli/src/bin.ts", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "saleslake-faults-ingest-run-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function processed(dir: string) {
  const w = await Warehouse.open(dir);
  try {
    return (
      await w.query(
        "SELECT batch_id, rows_read, rows_accepted, rows_quarantined FROM saleslake.processed_batches ORDER BY batch_id",
      )
    ).map((r) => ({
      batch: String(r.batch_id),
      read: Number(r.rows_read),
      accepted: Number(r.rows_accepted),
      quarantined: Number(r.rows_quarantined),
    }));
  } finally {
    w.close();
  }
}

const ROWS = 12_000;

describe("an ingest during a run never yields a half-read batch", () => {
  it("a run started while another process lands a large batch processes none of it; the next run all of it", async () => {
    const dir = join(work, "project");
    const lake = join(dir, "lake");
    const store = new LocalLakeStore(lake);
    for (const p of [carSalesSeedFiles.initial, carSalesSeedFiles.incremental])
      await landFiles({ store, entity: carSales, paths: [p] });

    // The landing holds after two of its six parts are written, until the run is over.
    const resume = join(work, "resume");
    const landing = spawnLanding({
      kind: "records",
      lake: { local: lake },
      rows: ROWS,
      rowsPerPart: 2000,
      pauseAt: 5000,
      resumeWhen: resume,
    });
    await landing.waitFor("paused");
    const onDisk = readdirSync(join(lake, "landing", "car_sales"), { recursive: true }).map(String);
    expect(
      onDisk.filter((f) => f.endsWith("part-00000.jsonl") || f.endsWith("part-00001.jsonl")),
    ).toHaveLength(2);
    expect(onDisk.filter((f) => f.endsWith("_manifest.json"))).toHaveLength(2);

    const during = cli(["run", "--dir", dir]);
    expect(during.err).toBe("");
    expect(during.code).toBe(0);
    const afterFirst = await processed(dir);
    expect(afterFirst.map((b) => b.read)).toEqual([1849, 4]);

    writeFileSync(resume, "");
    const landed = await landing.exit;
    expect(landed.code).toBe(0);
    expect(JSON.parse(landed.out.trim().split("\n").at(-1)!)).toMatchObject({ status: "landed", rows: ROWS });

    const next = cli(["run", "--dir", dir]);
    expect(next.code).toBe(0);
    const all = await processed(dir);
    // Every landed batch processed once, whole: its rows read are its manifest's rows, and reconcile.
    const manifests = await listLandedManifests(store, "car_sales");
    expect(all.map((b) => b.batch)).toEqual(manifests.map((m) => m.batchId));
    expect(all.map((b) => b.read)).toEqual(manifests.map((m) => m.rowCount));
    expect(all.map((b) => b.read)).toEqual([1849, 4, ROWS]);
    for (const b of all) expect(b.read).toBe(b.accepted + b.quarantined);
    expect(cli(["run", "--dir", dir]).out).toMatch(/nothing new: every landed batch was already processed/);

    const got = await contentHash(dir);
    tally({
      faults: 1,
      lost: got.bronzeKeys - got.silverKeys,
      duplicated: got.silverRows - got.silverKeys,
    });
    expect(got.silverKeys).toBe(got.bronzeKeys);
    expect(got.silverRows).toBe(got.silverKeys);
  });
});
