// The infra folder's Bicep, read as the checks read it, optionally with edits made in memory.
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { type BicepFile, readBicep, readBicepFolder } from "../src/index.ts";

export const INFRA = new URL("..", import.meta.url).pathname;

export const readInfra = (file: string): string => readFileSync(join(INFRA, file), "utf8");

/** The estate's files; `edits` maps a path under infra/ to a change of its text. */
export function estate(edits: Record<string, (text: string) => string> = {}): BicepFile[] {
  return readBicepFolder(INFRA).map((f) => {
    const edit = edits[relative(INFRA, f.file)];
    return edit ? readBicep(f.file, edit(readFileSync(f.file, "utf8"))) : f;
  });
}

/** Replaces text that must be there, so a test cannot pass by editing nothing. */
export const replacing =
  (from: string, to: string) =>
  (text: string): string => {
    if (!text.includes(from)) throw new Error(`test edit: ${JSON.stringify(from)} is not in the file`);
    return text.replace(from, to);
  };
