import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { engineOptions, loadConfig } from "../src/config.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const project = (config?: string) => {
  const d = mkdtempSync(join(tmpdir(), "saleslake-config-"));
  dirs.push(d);
  if (config) writeFileSync(join(d, "saleslake.config.ts"), config);
  return d;
};

describe("engine settings", () => {
  it("come from saleslake.config.ts, the memory limit overridable by the command", async () => {
    const cfg = await loadConfig(
      project('export default { engine: { memoryLimit: "1GB", threads: 2, compressText: true } };\n'),
    );
    expect(engineOptions(cfg)).toEqual({ memoryLimit: "1GB", threads: 2, compressText: true });
    expect(engineOptions(cfg, "512MB")).toEqual({ memoryLimit: "512MB", threads: 2, compressText: true });
  });

  it("are DuckDB's own and the engine's defaults without a config", async () => {
    expect(engineOptions(await loadConfig(project()))).toEqual({});
  });
});
