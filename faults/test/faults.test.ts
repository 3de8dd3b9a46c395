import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IngestError, inspectFile, LocalLakeStore, listLandedManifests } from "@saleslake/ingest";
import { CRASH_POINTS } from "@saleslake/pipeline";
import { carSalesSeedFiles } from "@saleslake/schema";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContentHash, contentHash } from "./content-hash.ts";
import { tally } from "./tally.ts";

const bin = new URL("../../apps/cli/src/bin.ts", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "saleslake-faults-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

const seedProject = join(work, "seed");
let reference: ContentHash;

beforeAll(async () => {
  expect(cli(["ingest", "--dir", seedProject, carSalesSeedFiles.initial]).code).toBe(0);
  expect(cli(["ingest", "--dir", seedProject, carSalesSeedFiles.incremental]).code).toBe(0);
  const ref = join(work, "reference");
  cpSync(seedProject, ref, { recursive: true });
  expect(cli(["run", "--dir", ref]).code).toBe(0);
  reference = await contentHash(ref);
  expect(reference.silverRows).toBe(1852);
}, 120_000);

describe("killed at every step, then rerun: the same tables and watermarks as an uninterrupted run", () => {
  it.each([...CRASH_POINTS])("SIGKILL at %s", async (point) => {
    const dir = join(work, `crash-${point.replace(/[^a-z]/g, "-")}`);
    cpSync(seedProject, dir, { recursive: true });
    const crashed = cli(["run", "--dir", dir], { SALESLAKE_CRASH_AT: point });
    expect(crashed.signal).toBe("SIGKILL");
    const rerun = cli(["run", "--dir", dir]);
    expect(rerun.err).toBe("");
    expect(rerun.code).toBe(0);
    const got = await contentHash(dir);
    tally({
      faults: 1,
      lost: Math.max(0, reference.silverRows - got.silverRows),
      duplicated: got.silverRows - got.silverKeys,
    });
    expect(got).toEqual(reference);
  });

  it("SIGKILL during a landing upload: no visible batch; the rerun lands it once", async () => {
    const dir = join(work, "upload");
    const big = join(work, "big.csv");
    const header = readFileSync(carSalesSeedFiles.initial, "utf8").split("\n")[0];
    writeFileSync(big, `${header}\n${"BR0001,DLR0001,BMW-M1,1,1,DT1,1,1,2020,A,B,BMW\n".repeat(600_000)}`);
    const child = spawn(process.execPath, [bin, "ingest", "--dir", dir, big], { stdio: "ignore" });
    const landing = join(dir, "lake", "landing", "car_sales");
    const started = Date.now();
    const partStarted = () =>
      existsSync(landing) &&
      readdirSync(landing, { recursive: true }).some(
        (f) => String(f).includes(".tmp-") || String(f).endsWith(".csv"),
      );
    while (!partStarted() && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 2));
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const store = new LocalLakeStore(join(dir, "lake"));
    expect(await listLandedManifests(store, "car_sales")).toEqual([]);
    expect(cli(["ingest", "--dir", dir, big]).code).toBe(0);
    expect(cli(["ingest", "--dir", dir, big]).out).toMatch(/already landed/);
    const manifests = await listLandedManifests(store, "car_sales");
    expect(manifests.map((m) => m.rowCount)).toEqual([600_000]);
    tally({ faults: 1 });
  });
});

describe("two runs at once", () => {
  it("the second is refused, naming the holder; after the holder dies the next run proceeds", async () => {
    const dir = join(work, "concurrent");
    cpSync(seedProject, dir, { recursive: true });
    const lockScript = `import { acquireRunLock } from "@saleslake/pipeline";
acquireRunLock(${JSON.stringify(join(dir, "state", "run.lock"))}, "run-holding");
process.stdout.write("held\\n");
setInterval(() => {}, 1000);`;
    const holder = spawn(process.execPath, ["--input-type=module", "-e", lockScript], {
      cwd: new URL("..", import.meta.url).pathname,
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve) => holder.stdout!.once("data", () => resolve()));
    const refused = cli(["run", "--dir", dir]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      new RegExp(`^error RUN_IN_PROGRESS: another run holds .*run-holding, pid ${holder.pid} on `),
    );
    holder.kill("SIGKILL");
    await new Promise((r) => holder.once("exit", r));
    expect(cli(["run", "--dir", dir]).code).toBe(0);
    expect((await contentHash(dir)).hash).toBe(reference.hash);
    tally({ faults: 2 });
  });
});

describe("fuzzed readers never crash: they read, or refuse with a typed error", () => {
  const dir = join(work, "fuzz");
  let i = 0;
  async function readsOrRefuses(name: string, bytes: Uint8Array | string): Promise<void> {
    const path = join(dir, `${i++}-${name}`);
    writeFileSync(path, bytes);
    try {
      const r = await inspectFile(path);
      expect(r.rows).toBeGreaterThanOrEqual(0);
    } catch (e) {
      if (!(e instanceof IngestError)) throw e;
    }
  }
  beforeAll(() => {
    rmSync(dir, { recursive: true, force: true });
    cpSync(new URL("../corpus/", import.meta.url).pathname, dir, { recursive: true });
  });
  it("CSV", async () => {
    const csvish = fc
      .array(
        fc.oneof(
          fc.string({ unit: "grapheme" }),
          fc.constantFrom('"', ",", "\n", "\r\n", '""', "\uFEFF", "a"),
        ),
        { maxLength: 40 },
      )
      .map((a) => a.join(""));
    await fc.assert(
      fc.asyncProperty(fc.oneof(csvish, fc.uint8Array({ maxLength: 200 })), (v) =>
        readsOrRefuses("f.csv", v),
      ),
      { numRuns: 300, seed: 11 },
    );
    tally({ inputs: 300 });
  });
  it("JSON and JSON Lines", async () => {
    const jsonish = fc.oneof(
      fc.json(),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v).slice(0, -1)),
    );
    await fc.assert(
      fc.asyncProperty(jsonish, (v) => readsOrRefuses("f.json", v)),
      { numRuns: 200, seed: 12 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(jsonish, { maxLength: 5 }), (v) => readsOrRefuses("f.jsonl", v.join("\n"))),
      { numRuns: 200, seed: 13 },
    );
    tally({ inputs: 400 });
  });
});

describe("secrets never leak", () => {
  it("a planted secret appears in no output, error, artifact, lake file or warehouse", () => {
    const secret = "sl-planted-secret-7d1e0c9a4b";
    const env = { AZURE_CLIENT_SECRET: secret, SALESLAKE_API_TOKEN: secret, DATABRICKS_TOKEN: secret };
    const dir = join(work, "secret");
    const outputs = [
      cli(["demo", "--dir", dir], env),
      cli(["status", "--dir", dir, "--json"], env),
      cli(["runs", "--dir", dir, "--json"], env),
      cli(["report", "--dir", dir], env),
      cli(["generate", "--dir", dir], env),
      cli(["query", "--dir", dir, "select * from nowhere"], env),
      cli(["ingest", "--dir", dir, join(dir, "missing.csv")], env),
    ];
    for (const o of outputs) expect(`${o.out}${o.err}`).not.toContain(secret);
    const files = readdirSync(dir, { recursive: true })
      .map((f) => join(dir, String(f)))
      .filter((f) => statSync(f).isFile());
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(readFileSync(f).includes(secret)).toBe(false);
    tally({ inputs: outputs.length });
  });
});
