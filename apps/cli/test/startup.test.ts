import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const bin = new URL("../src/bin.ts", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "saleslake-startup-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// Records every module the command loads, by package, and prints them as JSON when it exits.
const hook = join(work, "loaded.mjs");
writeFileSync(
  hook,
  `import { registerHooks } from "node:module";
import { writeSync } from "node:fs";
const packages = new Set();
registerHooks({
  load(url, context, next) {
    const m = url.match(/node_modules\\/(?:\\.pnpm\\/[^/]+\\/node_modules\\/)?((?:@[^/]+\\/)?[^/]+)\\//);
    if (m) packages.add(m[1]);
    return next(url, context);
  },
});
process.on("exit", () => writeSync(3, JSON.stringify([...packages].sort())));
`,
);

function loadedBy(args: string[]): string[] {
  const r = spawnSync(process.execPath, ["--import", hook, bin, ...args], {
    cwd: work,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(String(r.output[3]));
}

describe("what a command loads", () => {
  // The Azure SDKs and the SQL Server driver take most of a second to load: only the commands
  // and sources that use them load them.
  it("commands on a local lake load no Azure SDK and no SQL Server driver", () => {
    const project = join(work, "project");
    for (const args of [
      ["--help"],
      ["init", project],
      ["runs", "--dir", project],
      ["plan", "--dir", project],
    ]) {
      const loaded = loadedBy(args);
      expect(loaded).toContain("commander");
      expect(loaded.filter((p) => p.startsWith("@azure/") || p === "tedious")).toEqual([]);
    }
  });
});
