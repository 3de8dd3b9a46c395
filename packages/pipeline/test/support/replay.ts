import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { batchPath, type LandingManifest, salesOrderLines } from "@saleslake/schema";
import { afterAll } from "vitest";
import { REPLAY_SOURCE_PREFIX } from "../../src/index.ts";
import { landJsonl } from "./land.ts";
import type { Line } from "./order-line.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A project folder, removed after the test file: the folder and its lake. */
export function projectDir(prefix: string): { dir: string; lake: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return { dir, lake: join(dir, "lake") };
}

/** The one part of a JSON Lines order-lines batch, as lineage names it. */
export const orderLinesPart = (batchId: string) =>
  `${batchPath("landing", salesOrderLines.name, batchId)}/part-00000.jsonl`;

/**
 * A replay batch of `lines` (as `saleslake quarantine replay` lands it), each naming the entry
 * (row of `of`'s part) it was fixed from, if any.
 */
export function landReplay(lake: string, of: string, lines: [Line, number | undefined][]): string {
  const batchId = landJsonl(
    lake,
    salesOrderLines,
    lines.map(([l]) => l),
    `${REPLAY_SOURCE_PREFIX}fix.jsonl`,
  );
  const path = join(lake, batchPath("landing", salesOrderLines.name, batchId), "_manifest.json");
  const m = JSON.parse(readFileSync(path, "utf8")) as LandingManifest;
  const fixes = lines.flatMap(([, n], i) =>
    n === undefined
      ? []
      : [{ row: i + 1, entry: { batchId: of, sourceFile: orderLinesPart(of), rowNumber: n } }],
  );
  writeFileSync(path, JSON.stringify({ ...m, files: [{ ...m.files[0]!, fixes }] }));
  return batchId;
}
