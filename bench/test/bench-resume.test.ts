import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Contender } from "../src/contenders/contender-registry.ts";
import { BenchJournal } from "../src/harness/bench-journal.ts";
import { type BenchOptions, parseBenchArgs } from "../src/harness/bench-options.ts";
import { journalPath, runBench } from "../src/harness/bench-runner.ts";

const root = mkdtempSync(join(tmpdir(), "saleslake-bench-resume-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// A contender that records each call, refuses a delta unless its state is the initial load's
// (so a delta run on a missing or stale snapshot fails), and can be slow or broken.
const FAKE = join(root, "fake.mjs");
writeFileSync(
  FAKE,
  `import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
const [name, stateDir, file, calls, sleepMs, broken] = process.argv.slice(2);
appendFileSync(calls, name + " " + basename(file) + "\\n");
if (broken === "yes") { console.error("broken contender"); process.exit(1); }
mkdirSync(stateDir, { recursive: true });
const table = join(stateDir, "table");
const delta = basename(file).startsWith("delta-");
if (delta && (!existsSync(table) || readFileSync(table, "utf8") !== "initial " + basename(file).split("-into-")[1])) {
  console.error("a delta must start from its table's initial load"); process.exit(1);
}
writeFileSync(table, delta ? "after a delta" : "initial " + basename(file).replace("base-", ""));
await new Promise((r) => setTimeout(r, Number(sleepMs)));
console.log(JSON.stringify({ seconds: 0.01, counts: {} }));
`,
);

function fake(name: string, calls: string, opts: { sleepMs?: number; broken?: boolean } = {}): Contender {
  return {
    name,
    does: name,
    needs: "node",
    launch: (stateDir, file) => ({
      command: process.execPath,
      args: [FAKE, name, stateDir, file, calls, String(opts.sleepMs ?? 0), opts.broken ? "yes" : "no"],
    }),
  };
}

/** Tables of 1,000 and 2,000 rows (the larger one's initial load repeated), two deltas, two repeats. */
const OPTIONS: BenchOptions = parseBenchArgs([
  "--bases",
  "1000,2000",
  "--deltas",
  "100,200",
  "--repeats",
  "2",
  "--landing-size",
  "0",
]);

function setup(name: string) {
  const dir = join(root, name);
  const work = join(dir, "work");
  const calls = join(dir, "calls.log");
  const tally = () => {
    const lines = existsSync(calls) ? readFileSync(calls, "utf8").trim().split("\n") : [];
    const counts: Record<string, number> = {};
    for (const l of lines) counts[l] = (counts[l] ?? 0) + 1;
    return { total: lines.length, counts };
  };
  return { work, calls, tally };
}

describe("an interrupted bench run", () => {
  it("resumes where it stopped: nothing measured twice, every case whole, failures not retried", async () => {
    const { work, calls, tally } = setup("interrupt");
    const merge = [fake("floor", calls), fake("saleslake", calls), fake("broken", calls, { broken: true })];
    const stop = new AbortController();
    let measured = 0;
    const log = (line: string) => {
      if (/ #\d+: /.test(line) && ++measured === 7) stop.abort();
    };
    const first = runBench({
      options: OPTIONS,
      merge,
      ingest: [],
      workDir: work,
      journal: BenchJournal.create(journalPath(work), "code-1", OPTIONS),
      signal: stop.signal,
      log,
    });
    await expect(first).rejects.toMatchObject({ code: "INTERRUPTED" });
    // Seven measurements and broken's one failed call: the eighth was never started.
    expect(tally().total).toBe(8);

    const journal = BenchJournal.resume(journalPath(work), "code-1");
    expect(journal.options).toEqual(OPTIONS);
    const { cells } = await runBench({
      options: journal.options,
      merge,
      ingest: [],
      workDir: work,
      journal,
      log,
    });

    // Per table: floor and saleslake each load it (twice for 2,000 rows), then two runs per delta.
    const { total, counts } = tally();
    expect(total).toBe(2 * (1 + 2 * 2 + 2 + 2 * 2) + 2);
    for (const name of ["floor", "saleslake"]) {
      expect(counts[`${name} base-1000.csv`]).toBe(1);
      expect(counts[`${name} base-2000.csv`]).toBe(2);
      for (const b of [1000, 2000]) {
        for (const d of [100, 200]) expect(counts[`${name} delta-${d}-into-${b}.csv`]).toBe(2);
      }
    }
    // broken failed once per table, in the first sitting or the second, and was not retried.
    expect(counts["broken base-1000.csv"]).toBe(1);
    expect(counts["broken base-2000.csv"]).toBe(1);

    expect(cells.map((c) => c.case + " " + c.contender + " " + c.samples.length)).toEqual(
      ["1000", "2000"].flatMap((b) =>
        [
          `initial-${b === "1000" ? "1k" : "2k"}`,
          ...["100", "200"].map((d) => `delta-${d}-into-${b === "1000" ? "1k" : "2k"}`),
        ].flatMap((id) => [
          `${id} floor ${id.startsWith("initial-1k") ? 1 : 2}`,
          `${id} saleslake ${id.startsWith("initial-1k") ? 1 : 2}`,
          `${id} broken 0`,
        ]),
      ),
    );
    for (const c of cells.filter((x) => x.contender !== "broken")) {
      expect(c.seconds).toBe(0.01);
      expect(c.ratioToFloor).toBe(1);
      expect(c.error).toBeUndefined();
    }
    const broken = cells.filter((c) => c.contender === "broken");
    expect(broken.every((c) => c.seconds === null)).toBe(true);
    expect(broken.find((c) => c.case === "initial-1k")!.error).toMatch(/broken contender/);
    expect(broken.find((c) => c.case === "delta-100-into-1k")!.error).toMatch(/^no initial-1k table: /);
  });

  it("keeps a larger table's snapshots when it resumes inside that table", async () => {
    const { work, calls, tally } = setup("second-table");
    const merge = [fake("floor", calls), fake("saleslake", calls)];
    const stop = new AbortController();
    let measured = 0;
    const log = (line: string) => {
      // The 1,000-row table takes ten measurements, the 2,000-row table's loads four more:
      // stop after two of its deltas.
      if (/ #\d+: /.test(line) && ++measured === 16) stop.abort();
    };
    await expect(
      runBench({
        options: OPTIONS,
        merge,
        ingest: [],
        workDir: work,
        journal: BenchJournal.create(journalPath(work), "code-1", OPTIONS),
        signal: stop.signal,
        log,
      }),
    ).rejects.toMatchObject({ code: "INTERRUPTED" });

    const lines: string[] = [];
    await runBench({
      options: OPTIONS,
      merge,
      ingest: [],
      workDir: work,
      journal: BenchJournal.resume(journalPath(work), "code-1"),
      log: (l) => lines.push(l),
    });
    expect(lines.filter((l) => /loading the table again/.test(l))).toEqual([]);
    for (const name of ["floor", "saleslake"]) expect(tally().counts[`${name} base-2000.csv`]).toBe(2);
  });

  it("loads a table again when its snapshot was not kept, and refuses changed code", async () => {
    const { work, calls, tally } = setup("snapshot");
    const merge = [fake("floor", calls), fake("saleslake", calls)];
    const stop = new AbortController();
    let measured = 0;
    const log = (line: string) => {
      // After both initial loads of the 1,000-row table and floor's first delta.
      if (/ #\d+: /.test(line) && ++measured === 3) stop.abort();
    };
    const options = { ...OPTIONS, bases: [1000], initialRepeated: [] };
    const journal = BenchJournal.create(journalPath(work), "code-1", options);
    await expect(
      runBench({ options, merge, ingest: [], workDir: work, journal, signal: stop.signal, log }),
    ).rejects.toMatchObject({ code: "INTERRUPTED" });
    // As if the interruption had come while saleslake's snapshot was being copied.
    rmSync(join(work, "saleslake", "snapshot-1000", ".bench-snapshot-complete"));

    expect(() => BenchJournal.resume(journalPath(work), "code-2")).toThrow(
      expect.objectContaining({ code: "RESUME_REFUSED" }),
    );
    expect(() => BenchJournal.resume(join(root, "none.jsonl"), "code-1")).toThrow(
      expect.objectContaining({ code: "NOTHING_TO_RESUME" }),
    );
    // A fresh start does not silently discard it; with nothing interrupted, it goes ahead.
    expect(() => BenchJournal.refuseToReplace(journalPath(work))).toThrow(
      expect.objectContaining({
        code: "RUN_PENDING",
        message: expect.stringMatching(/\d+ measurements? taken/),
      }),
    );
    expect(() => BenchJournal.refuseToReplace(join(root, "none.jsonl"))).not.toThrow();

    const lines: string[] = [];
    const resumed = BenchJournal.resume(journalPath(work), "code-1");
    const { cells } = await runBench({
      options,
      merge,
      ingest: [],
      workDir: work,
      journal: resumed,
      log: (l) => lines.push(l),
    });
    expect(lines.some((l) => /initial-1k saleslake: loading the table again/.test(l))).toBe(true);
    // saleslake's table was loaded a second time (not measured); floor's snapshot was used.
    expect(tally().counts["saleslake base-1000.csv"]).toBe(2);
    expect(tally().counts["floor base-1000.csv"]).toBe(1);
    expect(cells.every((c) => c.seconds === 0.01)).toBe(true);
    expect(cells.find((c) => c.case === "initial-1k" && c.contender === "saleslake")!.samples).toHaveLength(
      1,
    );
  });
});

describe("the repeat limit", () => {
  it("runs a case once for a contender whose run took longer than the limit", async () => {
    const { work, calls, tally } = setup("limit");
    const merge = [fake("floor", calls), fake("saleslake", calls, { sleepMs: 1500 })];
    const options = {
      ...OPTIONS,
      bases: [1000],
      deltas: [100],
      initialRepeated: [1000],
      repeatLimitMinutes: 1 / 60,
    };
    const { cells } = await runBench({
      options,
      merge,
      ingest: [],
      workDir: work,
      journal: BenchJournal.create(journalPath(work), "code-1", options),
      log: () => {},
    });
    expect(cells.map((c) => `${c.case} ${c.contender} ${c.samples.length}`)).toEqual([
      "initial-1k floor 2",
      "initial-1k saleslake 1",
      "delta-100-into-1k floor 2",
      "delta-100-into-1k saleslake 1",
    ]);
    expect(tally().total).toBe(6);
  });
});

describe("the order of the tables", () => {
  it("runs the tables in the order given and reports them smallest first", async () => {
    const { work, calls } = setup("order");
    const merge = [fake("floor", calls)];
    const options = { ...OPTIONS, bases: [2000, 1000], deltas: [100], repeats: 1, initialRepeated: [] };
    const { cells } = await runBench({
      options,
      merge,
      ingest: [],
      workDir: work,
      journal: BenchJournal.create(journalPath(work), "code-1", options),
      log: () => {},
    });
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual([
      "floor base-2000.csv",
      "floor delta-100-into-2000.csv",
      "floor base-1000.csv",
      "floor delta-100-into-1000.csv",
    ]);
    expect(cells.map((c) => c.case)).toEqual([
      "initial-1k",
      "delta-100-into-1k",
      "initial-2k",
      "delta-100-into-2k",
    ]);
  });
});
