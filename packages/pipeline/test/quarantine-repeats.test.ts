import { salesOrderLines } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { runPipeline, Warehouse } from "../src/index.ts";
import { landJsonl } from "./support/land.ts";
import { type Line, line } from "./support/order-line.ts";
import { landReplay, projectDir } from "./support/replay.ts";
import { queryWarehouse } from "./support/warehouse.ts";

function project() {
  const { dir, lake } = projectDir("saleslake-repeats-");
  return {
    dir,
    land: (lines: Line[]) => landJsonl(lake, salesOrderLines, lines),
    /** A replay batch of `lines`, each naming the entry (row of `of`'s part) it was fixed from. */
    replay: (of: string, lines: [Line, number][]) => landReplay(lake, of, lines),
    run: () => runPipeline({ dir, entities: [salesOrderLines] }).then((r) => r.runs[0]!),
    entries: () =>
      queryWarehouse(
        dir,
        "SELECT _batch_id, raw->>'OrderID' AS id, raw->>'quantity' AS qty, repeat_of, replayed_run_id IS NOT NULL AS replayed FROM quarantine.sales_order_lines ORDER BY _batch_id, _row_number",
      ),
    async open() {
      const w = await Warehouse.open(dir);
      try {
        const listed = (await w.quarantine(salesOrderLines.name)).map((r) => [
          r._batch_id,
          JSON.parse(String(r.raw)).OrderID,
        ]);
        const [status] = await w.status();
        const summary = await w.quarantineSummary(salesOrderLines.name);
        return {
          listed,
          open: status?.quarantine_open,
          held: status?.rows_quarantined,
          summary: summary.rows,
        };
      } finally {
        w.close();
      }
    },
  };
}

describe("a source row quarantined again with the same raw values", () => {
  it("is recorded as a repeat of the first entry, which alone is open, and stays closed once that is fixed", async () => {
    const p = project();
    const first = p.land([line(1), line(2, { quantity: -1 })]);
    expect(await p.run()).toMatchObject({ rowsQuarantined: 1, quarantineRepeats: 0 });

    // A lookback window reads line 2 again as it was, and line 3 with a bad quantity of its own;
    // and line 2's key comes again with other values: not a repeat.
    const again = p.land([line(2, { quantity: -1 }), line(3, { quantity: -3 }), line(2, { quantity: -7 })]);
    expect(await p.run()).toMatchObject({ rowsRead: 3, rowsQuarantined: 3, quarantineRepeats: 1 });
    expect(await p.entries()).toEqual([
      { _batch_id: first, id: "SO00000002", qty: "-1", repeat_of: null, replayed: false },
      { _batch_id: again, id: "SO00000002", qty: "-1", repeat_of: first, replayed: false },
      { _batch_id: again, id: "SO00000003", qty: "-3", repeat_of: null, replayed: false },
      { _batch_id: again, id: "SO00000002", qty: "-7", repeat_of: null, replayed: false },
    ]);
    // Every row is recorded (read = accepted + quarantined); three wait for a fix.
    expect(await p.open()).toMatchObject({ open: 3, held: "4", summary: 3 });
    expect((await p.open()).listed.filter(([b, id]) => b === again && id === "SO00000002")).toHaveLength(1);

    // The first entry fixed and replayed: resolved. Read once more as it was at the source, the
    // row is a repeat again, and nothing reopens.
    p.replay(first, [[line(2, { quantity: 2 }), 2]]);
    expect(await p.run()).toMatchObject({ rowsAccepted: 1, quarantineReplayed: 1 });
    const third = p.land([line(2, { quantity: -1 })]);
    expect(await p.run()).toMatchObject({ rowsQuarantined: 1, quarantineRepeats: 1 });
    expect((await p.entries()).filter((e) => e._batch_id === third)).toEqual([
      { _batch_id: third, id: "SO00000002", qty: "-1", repeat_of: first, replayed: false },
    ]);
    expect(await p.open()).toMatchObject({ open: 2, summary: 2 });
  });

  it("a replayed row that fails again with the values it had is a new open entry, not a repeat", async () => {
    const p = project();
    const first = p.land([line(1, { quantity: -1 })]);
    await p.run();
    const replay = p.replay(first, [[line(1, { quantity: -1 }), 1]]);
    expect(await p.run()).toMatchObject({
      rowsQuarantined: 1,
      quarantineRepeats: 0,
      quarantineSuperseded: 1,
    });
    expect(await p.open()).toMatchObject({ listed: [[replay, "SO00000001"]], open: 1 });
  });
});
