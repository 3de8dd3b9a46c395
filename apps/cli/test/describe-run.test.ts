import type { EntityRunResult } from "@saleslake/pipeline";
import { describe, expect, it } from "vitest";
import { describeRun } from "../src/commands/describe-run.ts";

const T0 = new Date("2026-01-01T00:00:00Z");
const run = (steps: EntityRunResult["steps"], batches = ["b1"]): EntityRunResult => ({
  runId: "run-1",
  entity: "car_sales",
  mode: "incremental",
  status: "succeeded",
  batches,
  window: { low: null, high: "b1" },
  rowsRead: 1,
  rowsAccepted: 1,
  rowsQuarantined: 0,
  rowsInserted: 1,
  rowsUpdated: 0,
  rowsStale: 0,
  rowsSuperseded: 0,
  rowsDeleted: 0,
  quarantinedByRule: {},
  warnings: {},
  batchCounts: [],
  quarantineRepeats: 0,
  quarantineReplayed: 0,
  quarantineSuperseded: 0,
  steps,
  durationMs: 120,
});

describe("a run in words", () => {
  it("puts each count's noun in its number", () => {
    const text = describeRun(
      run([
        { step: "dim_dealer", kind: "dimension", startedAt: T0, durationMs: 1, counts: { members_added: 1 } },
        { step: "dim_model", kind: "dimension", startedAt: T0, durationMs: 1, counts: { members_added: 2 } },
        { step: "dim_date", kind: "dimension", startedAt: T0, durationMs: 1, counts: { members_seen: 1 } },
        {
          step: "fact_sales",
          kind: "fact",
          startedAt: T0,
          durationMs: 1,
          counts: { rows_upserted: 1, rows_deleted: 0 },
        },
        {
          step: "agg_sales_daily",
          kind: "aggregate",
          startedAt: T0,
          durationMs: 1,
          counts: { days_recomputed: 1 },
        },
      ]),
    );
    expect(text).toMatch(/batches: +1 landed batch \(b1\)$/m);
    expect(text).toMatch(/read: +1 row → 1 accepted/);
    expect(text).toMatch(/dim_dealer +1 new member$/m);
    expect(text).toMatch(/dim_model +2 new members$/m);
    expect(text).toMatch(/dim_date +1 date seen$/m);
    expect(text).toMatch(/fact_sales +1 row upserted, 0 deleted$/m);
    expect(text).toMatch(/agg_sales_daily +1 day recomputed$/m);
    expect(describeRun(run([], ["b1", "b2"]))).toContain("2 landed batches (b1, b2)");
  });

  it("says how many rows of a kept aggregate a run updated, and on how many days", () => {
    const agg = (groups: number, days: number) =>
      describeRun(
        run([
          {
            step: "agg_orders_daily",
            kind: "aggregate",
            startedAt: T0,
            durationMs: 1,
            counts: { groups_updated: String(groups), days_updated: String(days) },
          },
        ]),
      );
    expect(agg(1, 1)).toMatch(/agg_orders_daily +1 row updated, on 1 day$/m);
    expect(agg(40, 3)).toMatch(/agg_orders_daily +40 rows updated, on 3 days$/m);
  });

  it("says how many deleted rows a compaction found, in their number", () => {
    const compacted = (dead: number) =>
      describeRun(
        run([
          {
            step: "compact",
            kind: "compact",
            startedAt: T0,
            durationMs: 40,
            counts: { tables: "silver.car_sales", rows_dead: dead, dead_share_limit: 0.2 },
          },
        ]),
      );
    expect(compacted(1)).toMatch(/compact: +silver\.car_sales held 1 deleted row: compacted in 0\.0 s$/m);
    expect(compacted(2500)).toMatch(
      /compact: +silver\.car_sales held 2,500 deleted rows: compacted in 0\.0 s$/m,
    );
  });

  it("names the rows a newer row of their key superseded, only when there are any", () => {
    expect(describeRun(run([]))).toMatch(/silver: +1 inserted, 0 updated, 0 unchanged or stale$/m);
    expect(describeRun({ ...run([]), rowsRead: 3, rowsAccepted: 3, rowsSuperseded: 2 })).toMatch(
      /silver: +1 inserted, 0 updated, 0 unchanged or stale, 2 superseded by a newer row of their key$/m,
    );
  });

  it("lines every count up past the longest table name", () => {
    const lines = describeRun(
      run([
        { step: "dim_date", kind: "dimension", startedAt: T0, durationMs: 1, counts: { members_seen: 3 } },
        {
          step: "agg_sales_daily",
          kind: "aggregate",
          startedAt: T0,
          durationMs: 1,
          counts: { days_recomputed: 3 },
        },
      ]),
    )
      .split("\n")
      .filter((l) => /^ {2}(read|silver|dim_date|agg_sales_daily|watermark)/.test(l));
    // Where each line's count starts: two spaces, the widest label (15), one space.
    expect(lines.map((l) => l.match(/^ +\S+ +/)?.[0].length)).toEqual([18, 18, 18, 18, 18]);
  });

  it("says why a backfill window found nothing, on the axis the entity's window is on", () => {
    const empty = {
      ...run([]),
      mode: "backfill" as const,
      batches: [],
      rowsRead: 0,
      rowsAccepted: 0,
      rowsInserted: 0,
    };
    const batches = ["20261206T101500000Z-0a1b2c3d", "20261207T080000000Z-4e5f6a7b"];
    const onBatches = describeRun(empty, undefined, { from: "2019-01-01", to: "2019-02-01", batches });
    expect(onBatches).toContain(
      "the window 2019-01-01 / 2019-02-01 held no bronze rows: this entity's watermark is its landing batches, so --from/--to are landing dates or batch ids, not dates in the data. Its batches landed from 20261206T101500000Z-0a1b2c3d to 20261207T080000000Z-4e5f6a7b.",
    );
    expect(
      describeRun(empty, undefined, { from: "2019-01-01", to: "2019-02-01", column: "updated_at" }),
    ).toContain("the window 2019-01-01 / 2019-02-01 held no bronze rows: it selects rows by updated_at.");
    // A window that found rows says nothing of it.
    expect(
      describeRun({ ...empty, rowsUpdated: 1 }, undefined, { from: "2026-12-06", to: "2026-12-07", batches }),
    ).not.toContain("held no bronze rows");
  });
});
