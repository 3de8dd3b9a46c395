import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ownPeakMb } from "../src/contenders/contender-outcome.ts";
import { BenchError } from "../src/harness/bench-error.ts";
import { processTree, statusFieldKb, treeRssKb } from "../src/harness/process-tree-memory.ts";
import { parseOutcome, runContender } from "../src/harness/run-contender.ts";
import { copyState, restoreState } from "../src/harness/state-snapshot.ts";

const dir = mkdtempSync(join(tmpdir(), "saleslake-bench-harness-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const node = (code: string) => ({ command: process.execPath, args: ["-e", code] });

describe("a contender's process", () => {
  it("its result is the last JSON line of its output", () => {
    expect(parseOutcome('log line\n{"seconds": 1.5, "counts": {"inserted": 3}}\n')).toEqual({
      seconds: 1.5,
      counts: { inserted: 3 },
    });
    expect(() => parseOutcome("done\n")).toThrow(BenchError);
    expect(() => parseOutcome('{"counts": {}}')).toThrow(/no seconds/);
  });

  it("reads memory fields of /proc status", () => {
    const status = "Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n";
    expect(statusFieldKb(status, "VmHWM")).toBe(204800);
    expect(statusFieldKb(status, "VmRSS")).toBe(102400);
    expect(ownPeakMb(status)).toBe(200);
    expect(statusFieldKb("Name:\tx\n", "VmRSS")).toBeUndefined();
    expect(processTree(process.pid)).toContain(process.pid);
    expect(treeRssKb(process.pid)).toBeGreaterThan(1000);
  });

  it("measures the whole process tree: memory held by a grandchild counts", async () => {
    // The child starts a grandchild holding ~300 MB, waits for it, and reports no memory itself.
    const grandchild = "const b = Buffer.alloc(300 * 2 ** 20, 1); setTimeout(() => b.length, 1500);";
    const sample = await runContender(
      node(
        `require("node:child_process").execFileSync(process.execPath, ["-e", ${JSON.stringify(grandchild)}]); console.log(JSON.stringify({ seconds: 0.1, counts: { rows: 1 } }));`,
      ),
      "grandchild test",
    );
    expect(sample.counts).toEqual({ rows: 1 });
    expect(sample.peakRssMb).toBeGreaterThan(300);
    expect(sample.wallSeconds).toBeGreaterThan(sample.seconds);
  });

  it("a failing contender is a typed error with its stderr", async () => {
    const run = runContender(node('console.error("boom: out of memory"); process.exit(3)'), "failing test");
    await expect(run).rejects.toMatchObject({
      code: "CONTENDER_FAILED",
      message: expect.stringMatching(/exited with 3:\nboom/),
    });
  });

  it("a contender over its time bound is killed with its children", async () => {
    const run = runContender(node("setTimeout(() => {}, 60_000)"), "slow test", 300);
    await expect(run).rejects.toMatchObject({ code: "CONTENDER_TIMEOUT" });
  });
});

describe("state snapshots", () => {
  it("copy databases and hard-link immutable data files, and restore to the same place", () => {
    const snap = join(dir, "snap");
    const live = join(dir, "live");
    mkdirSync(join(dir, "orig", "lake", "batch=1"), { recursive: true });
    writeFileSync(join(dir, "orig", "lake", "batch=1", "part-00000.csv"), "a,b\n1,2\n");
    writeFileSync(join(dir, "orig", "warehouse.duckdb"), "db-v1");
    copyState(join(dir, "orig"), snap);
    restoreState(snap, live);
    writeFileSync(join(live, "warehouse.duckdb"), "db-v2");
    expect(readFileSync(join(snap, "warehouse.duckdb"), "utf8")).toBe("db-v1");
    const linked = statSync(join(live, "lake", "batch=1", "part-00000.csv"));
    expect(linked.ino).toBe(statSync(join(snap, "lake", "batch=1", "part-00000.csv")).ino);
    restoreState(snap, live);
    expect(readFileSync(join(live, "warehouse.duckdb"), "utf8")).toBe("db-v1");
  });
});
