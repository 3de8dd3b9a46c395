import { appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SUMMARY_FILE = join(tmpdir(), "saleslake-fault-summary.jsonl");

/** Adds to the suite's closing summary (test files run in separate workers). */
export function tally(entry: { faults?: number; inputs?: number; lost?: number; duplicated?: number }): void {
  appendFileSync(SUMMARY_FILE, `${JSON.stringify(entry)}\n`);
}
