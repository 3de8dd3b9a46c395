import type { DeltaTally } from "../workload/order-lines-workload.ts";

/** The merged file, as the generator described it. */
export type MergedFile =
  | { readonly kind: "initial"; readonly rows: number }
  | { readonly kind: "delta"; readonly base: number; readonly tally: DeltaTally };

/** Which outcome a contender should reach: validating loaders quarantine rule-breaking rows first. */
const VALIDATES: Readonly<Record<string, boolean>> = {
  floor: false,
  "pyspark-delta": false,
  dlt: false,
  saleslake: true,
  "saleslake-star": true,
  "saleslake-spark": true,
};

/** Counts a contender must report for this file; only the counts it reports are compared. */
export function expectedCounts(contender: string, file: MergedFile): Record<string, number> {
  const validates = VALIDATES[contender] ?? false;
  if (file.kind === "initial") {
    return { inserted: file.rows, updated: 0, quarantined: 0, silverRows: file.rows };
  }
  const keys = validates ? file.tally.validRows : file.tally.anyRow;
  return {
    inserted: keys.inserted,
    updated: keys.updated,
    quarantined: validates ? file.tally.invalidRows : 0,
    silverRows: file.base + keys.inserted,
  };
}

/** What a validating loader's accepted rows come to in silver; all reported, they add up. */
const ACCOUNTED = ["inserted", "updated", "stale", "superseded"] as const;

/**
 * `ok`, or the counts that differ (`updated 955 ≠ 960 expected`). A contender that reports what
 * became of every accepted row (read, quarantined and each of `ACCOUNTED`) must also have them
 * add up: read − quarantined = inserted + updated + stale + superseded.
 */
export function checkCounts(
  actual: Readonly<Record<string, number>>,
  expected: Record<string, number>,
): string {
  const diffs = Object.entries(expected)
    .filter(([k, v]) => actual[k] !== undefined && actual[k] !== v)
    .map(([k, v]) => `${k} ${actual[k]} ≠ ${v} expected`);
  const { read, quarantined } = actual;
  if (read !== undefined && quarantined !== undefined && ACCOUNTED.every((k) => actual[k] !== undefined)) {
    const accounted = ACCOUNTED.reduce((sum, k) => sum + actual[k]!, 0);
    if (accounted !== read - quarantined)
      diffs.push(`${ACCOUNTED.join(" + ")} ${accounted} ≠ ${read - quarantined} accepted`);
  }
  return diffs.length === 0 ? "ok" : diffs.join(", ");
}
