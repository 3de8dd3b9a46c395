import { salesOrderLines, salesOrderStar } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { runPipeline } from "../src/index.ts";
import { landJsonl } from "./support/land.ts";
import { type Line, line } from "./support/order-line.ts";
import { landReplay, projectDir } from "./support/replay.ts";
import { queryWarehouse } from "./support/warehouse.ts";

function project() {
  const { dir, lake } = projectDir("saleslake-replay-");
  return {
    land: (lines: Line[]) => landJsonl(lake, salesOrderLines, lines),
    /** A replay batch of `lines`, each naming the entry (row of `of`'s part) it was fixed from, if any. */
    replay: (of: string, lines: [Line, number | undefined][]) => landReplay(lake, of, lines),
    run: () =>
      runPipeline({ dir, entities: [salesOrderLines], stars: [salesOrderStar] }).then((r) => r.runs[0]!),
    open: () =>
      queryWarehouse(
        dir,
        "SELECT _batch_id, _row_number, raw->>'OrderID' AS id FROM quarantine.sales_order_lines WHERE replayed_run_id IS NULL ORDER BY _batch_id, _row_number",
      ),
  };
}

describe("a replay batch whose manifest names the entries its rows fix", () => {
  it("resolves an entry by its accepted row whatever the key became, and supersedes one whose row fails again", async () => {
    const p = project();
    // Line 1's order id is empty: its key can match no fixed row.
    const first = p.land([line(1, { OrderID: "" }), line(2, { quantity: -1 }), line(3)]);
    expect(await p.run()).toMatchObject({ rowsQuarantined: 2 });
    const replay = p.replay(first, [
      [line(1), 1],
      [line(2, { quantity: -2 }), 2],
    ]);
    expect(await p.run()).toMatchObject({
      rowsAccepted: 1,
      rowsQuarantined: 1,
      quarantineReplayed: 1,
      quarantineSuperseded: 1,
    });
    // Line 2 is listed once: its new entry, under the replay batch.
    expect(await p.open()).toEqual([{ _batch_id: replay, _row_number: "2", id: "SO00000002" }]);
    const fixed = p.replay(replay, [[line(2, { quantity: 2 }), 2]]);
    expect(await p.run()).toMatchObject({ rowsAccepted: 1, quarantineReplayed: 1, quarantineSuperseded: 0 });
    expect(fixed > replay).toBe(true);
    expect(await p.open()).toEqual([]);
  });

  it("of several fixed rows of one entry in a run, an accepted one closes them all; else the last stays open", async () => {
    const p = project();
    const first = p.land([line(1, { quantity: -1 }), line(2, { quantity: -1 }), line(3, { quantity: -1 })]);
    await p.run();
    // Two replays land before a run (the first one's run was stopped, say).
    p.replay(first, [
      [line(1, { quantity: -2 }), 1],
      [line(2, { quantity: -2 }), 2],
    ]);
    const later = p.replay(first, [
      [line(1, { quantity: 1 }), 1],
      [line(2, { quantity: -3 }), 2],
      // Naming no entry: resolves the entries of its key once accepted.
      [line(3, { quantity: 3 }), undefined],
    ]);
    expect(await p.run()).toMatchObject({
      rowsAccepted: 2,
      rowsQuarantined: 3,
      quarantineReplayed: 2,
      quarantineSuperseded: 1,
    });
    expect(await p.open()).toEqual([{ _batch_id: later, _row_number: "2", id: "SO00000002" }]);
  });
});
