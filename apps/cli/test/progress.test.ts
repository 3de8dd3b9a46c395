import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Progress, renderProgress } from "../src/output.ts";

describe("the progress renderer", () => {
  it("draws a bar, the counts, the rows and the throughput", () => {
    expect(
      renderProgress({ label: "car_sales: silver", done: 3, total: 6, rows: 1849, elapsedMs: 500 }, 10),
    ).toBe("[#####-----] 3/6  car_sales: silver  1,849 rows  3,698 rows/s  0.5s");
    expect(renderProgress({ label: "landing 2 file(s)", done: 0, rows: 0, elapsedMs: 1200 })).toBe(
      "landing 2 file(s)  1.2s",
    );
  });

  it("redraws in place on a terminal, and writes nothing otherwise or once silenced", () => {
    const written: string[] = [];
    const tty = { isTTY: true, columns: 200, write: (s: string) => written.push(s) };
    let clock = 1_000;
    const p = new Progress(tty, true, () => clock);
    p.start("car_sales: 1 batch(es)", 4);
    clock += 250;
    p.update("car_sales: bronze", 1, 1849);
    p.done();
    expect(written[0]).toMatch(/^\r\x1b\[2K\[-{16}\] 0\/4 {2}car_sales: 1 batch\(es\)/);
    expect(written[1]).toMatch(
      /^\r\x1b\[2K\[#{4}-{12}\] 1\/4 {2}car_sales: bronze {2}1,849 rows {2}7,396 rows\/s {2}0\.3s$/,
    );
    expect(written.at(-1)).toBe("\r\x1b[2K");

    const none: string[] = [];
    const pipe = { isTTY: false, write: (s: string) => none.push(s) };
    const q = new Progress(pipe);
    q.start("x", 2);
    q.update("y", 1, 10);
    q.done();
    expect(none).toEqual([]);

    const before = written.length;
    const silenced = new Progress(tty, true);
    silenced.silence();
    silenced.start("x");
    silenced.update("y", 1, 5);
    expect(written.length).toBe(before + 1); // only the line clear of silence()
  });

  it("cuts the line to the terminal's width", () => {
    const written: string[] = [];
    const p = new Progress({ isTTY: true, columns: 30, write: (s: string) => written.push(s) }, true);
    p.start("a rather long label for a narrow terminal", 3);
    const line = written[0]!.replace("\r\x1b[2K", "");
    expect(line).toHaveLength(29); // one short of the width, so the cursor never wraps
    expect(line.endsWith("…")).toBe(true);
  });
});

// util-linux `script` gives the real CLI process a pseudo-terminal.
const work = mkdtempSync(join(tmpdir(), "saleslake-pty-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const skipPty = process.env.SALESLAKE_SKIP_PTY === "1";
if (skipPty) console.warn("SALESLAKE_SKIP_PTY=1: progress on a terminal is not checked");

describe.skipIf(skipPty)("progress in the real CLI on a terminal", () => {
  it("demo draws the bar with row counts and rows/s, and clears it before each report line", () => {
    if (!existsSync("/usr/bin/script"))
      throw new Error(
        "util-linux script not found at /usr/bin/script: install util-linux, or set SALESLAKE_SKIP_PTY=1 to skip",
      );
    const bin = new URL("../src/bin.ts", import.meta.url).pathname;
    const dir = join(work, "demo");
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", COLUMNS: "120" };
    delete env.CI;
    const r = spawnSync(
      "/usr/bin/script",
      ["-qec", `stty cols 120; '${process.execPath}' '${bin}' demo --dir '${dir}'`, "/dev/null"],
      { encoding: "utf8", env },
    );
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(
      /\r\x1b\[2K\[#+-*\] \d\/8 {2}car_sales: \w+ {2}1,849 rows {2}[\d,]+ rows\/s {2}\d+\.\ds/,
    );
    expect(out).toMatch(/\r\x1b\[2K\[#{16}\] 8\/8 {2}car_sales: agg_sales_daily {2}1,849 rows/);
    // Every report line starts on a clean line: the progress line was cleared first.
    expect(out).toMatch(/\r\x1b\[2K1\. initial load/);
    expect(out).not.toMatch(/rows\/s[^\r\n]*1\. initial load/);
    expect(out).not.toMatch(/\x1b\[3\dm/); // NO_COLOR: no colours even on a terminal

    const status = (extra: NodeJS.ProcessEnv) =>
      spawnSync(
        "/usr/bin/script",
        ["-qec", `'${process.execPath}' '${bin}' status --dir '${dir}'`, "/dev/null"],
        {
          encoding: "utf8",
          env: { ...env, ...extra },
        },
      ).stdout;
    expect(status({ NO_COLOR: "" })).toMatch(/\x1b\[1mentity/); // a terminal without NO_COLOR: bold header
    expect(status({ NO_COLOR: "1" })).not.toMatch(/\x1b\[/);
  });
});
