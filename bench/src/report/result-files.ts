import { existsSync } from "node:fs";
import { join } from "node:path";

/** Where one run's results are written; `chart` is the PNG as the Markdown links it. */
export interface ResultFiles {
  readonly json: string;
  readonly md: string;
  readonly png: string;
  readonly chart: string;
}

/** The full preset's results: the figures the project publishes. */
export function latestFiles(dir: string): ResultFiles {
  return {
    json: join(dir, "latest.json"),
    md: join(dir, "latest.md"),
    png: join(dir, "scaling.png"),
    chart: "scaling.png",
  };
}

/**
 * Any other run (`--quick`, chosen sizes or contenders, a contender skipped) is kept in
 * `dir/runs/<date>-<commit>-<mode>.*`, with `-2`, `-3`… rather than over an earlier run of the
 * same day and commit: checking a change does not replace the published figures.
 */
export function keptRunFiles(
  dir: string,
  run: { readonly date: string; readonly commit: string; readonly mode: string },
  exists: (path: string) => boolean = existsSync,
): ResultFiles {
  const stem = `${run.date.slice(0, 10)}-${run.commit}-${run.mode}`;
  for (let n = 1; ; n++) {
    const name = n === 1 ? stem : `${stem}-${n}`;
    const files = [".json", ".md", ".png"].map((e) => join(dir, "runs", name + e));
    if (files.some(exists)) continue;
    const [json, md, png] = files as [string, string, string];
    return { json, md, png, chart: `${name}.png` };
  }
}
