import { describe, expect, it } from "vitest";
import { describeRunHistory } from "../src/commands/run-history.ts";

const run = (id: string, status: string, error: string | null) => ({
  run_id: id,
  entity: "sales_returns",
  mode: "incremental",
  status,
  started_at: "2026-12-07 05:25:57.943+00",
  seconds: 1.25,
  rows_read: status === "succeeded" ? 1n : null,
  rows_accepted: status === "succeeded" ? 1n : null,
  rows_quarantined: 0n,
  rows_inserted: 1n,
  rows_updated: 0n,
  rows_stale: 0n,
  rows_superseded: 0n,
  rows_deleted: 0n,
  error,
});

describe("run history as text", () => {
  it("lists each failed run's error whole, under the table, one a line", () => {
    const error = `the process ended before the run committed; nothing of it was kept${"!".repeat(40)}\nsecond line`;
    const out = describeRunHistory([run("run-2", "succeeded", null), run("run-1", "abandoned", error)]).split(
      "\n",
    );
    expect(out[0]).toMatch(
      /^run\s+entity\s+mode\s+status\s+started\s+seconds\s+read\s+accepted\s+quarantined\s+inserted\s+updated\s+stale\s+superseded\s+deleted$/,
    );
    expect(out[2]).toMatch(
      /^run-2\s+sales_returns\s+incremental\s+succeeded\s+2026-12-07 05:25:57\.943\+00\s+1\.25\s+1\s/,
    );
    expect(out[3]).toMatch(/^run-1\s+sales_returns\s+incremental\s+abandoned\s+/);
    expect(out.slice(4)).toEqual([
      "",
      "errors:",
      `  run-1  the process ended before the run committed; nothing of it was kept${"!".repeat(40)}\\nsecond line`,
    ]);
  });

  it("says so when there is no run", () => {
    expect(describeRunHistory([])).toBe("no runs yet");
  });

  it("has no error section when no run failed", () => {
    expect(describeRunHistory([run("run-2", "succeeded", null)]).split("\n")).toHaveLength(3);
  });
});
