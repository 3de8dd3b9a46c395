import { appendFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Where the test files add to the summary: a file of this suite run alone (set by the summary
 * setup before the test workers start), so concurrent runs do not add to each other's.
 */
export function summaryFile(): string {
  return (
    process.env.SALESLAKE_FAULT_SUMMARY ?? join(tmpdir(), `saleslake-fault-summary-${process.ppid}.jsonl`)
  );
}

/** Adds to the suite's closing summary (test files run in separate workers). */
export function tally(entry: { faults?: number; inputs?: number; lost?: number; duplicated?: number }): void {
  appendFileSync(summaryFile(), `${JSON.stringify(entry)}\n`);
}
