import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { carSales, carSalesSeedFiles } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/index.ts";
import { landBatch } from "./support/land.ts";
import { queryWarehouse } from "./support/warehouse.ts";

const dir = mkdtempSync(join(tmpdir(), "saleslake-seed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lake = join(dir, "lake");

const q = (sql: string) => queryWarehouse(dir, sql);

describe("the seed car-sales files, initial then incremental", () => {
  it("loads the initial file: one impossible date quarantined, 31 missing dealer names warned", async () => {
    landBatch(lake, carSales, [{ name: "SalesData.csv", bytes: readFileSync(carSalesSeedFiles.initial) }]);
    const { runs } = await runPipeline({ dir });
    const r = runs[0]!;
    expect(r).toMatchObject({
      status: "succeeded",
      rowsRead: 1849,
      rowsAccepted: 1848,
      rowsQuarantined: 1,
      rowsInserted: 1848,
      rowsUpdated: 0,
      quarantinedByRule: { "sale_date.parse": 1 },
      warnings: { "dealer_name.missing": 31 },
    });
    const [qrow] = await q("SELECT _row_number, rule_ids, raw FROM quarantine.car_sales");
    // Data row 1194 is line 1195 of the file, after the header.
    expect(qrow).toMatchObject({ _row_number: "1194", rule_ids: ["sale_date.parse"] });
    expect(JSON.parse(String(qrow!.raw))).toMatchObject({
      Day: "29",
      Month: "2",
      Year: "2019",
      Date_ID: "DT00794",
    });
    expect(await q("SELECT count(*) AS n FROM gold.fact_sales")).toEqual([{ n: "1848" }]);
  });

  it("loads the increment: new members get fresh keys, none reused, fact updated in place", async () => {
    const before = await q("SELECT dim_dealer_key, dealer_id FROM gold.dim_dealer ORDER BY dim_dealer_key");
    const factBefore = await q("SELECT _run_id, count(*) AS n FROM gold.fact_sales GROUP BY _run_id");
    landBatch(lake, carSales, [
      { name: "IncrementalSales.csv", bytes: readFileSync(carSalesSeedFiles.incremental) },
    ]);
    const { runs } = await runPipeline({ dir });
    expect(runs[0]).toMatchObject({
      rowsRead: 4,
      rowsAccepted: 4,
      rowsQuarantined: 0,
      rowsInserted: 4,
      rowsUpdated: 0,
    });

    // 1,853 rows read in all; 1,852 in silver; 1 in quarantine.
    expect(
      await q(
        "SELECT sum(rows_read) AS r, sum(rows_accepted) AS a, sum(rows_quarantined) AS qn FROM saleslake.processed_batches",
      ),
    ).toEqual([{ r: "1853", a: "1852", qn: "1" }]);
    expect(
      await q(
        "SELECT count(*) AS n, count(DISTINCT (branch_id, dealer_id, model_id, date_id)) AS k FROM silver.car_sales",
      ),
    ).toEqual([{ n: "1852", k: "1852" }]);
    expect(await q("SELECT count(*) AS n FROM quarantine.car_sales")).toEqual([{ n: "1" }]);

    const after = await q("SELECT dim_dealer_key, dealer_id FROM gold.dim_dealer ORDER BY dim_dealer_key");
    // Existing members keep their keys; the new dealer gets the next key (members are numbered
    // from 1, after the unknown member, -1).
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length)).toEqual([
      { dim_dealer_key: String(before.length), dealer_id: "XYZ0063" },
    ]);
    for (const dim of ["dim_branch", "dim_dealer", "dim_model", "dim_date"]) {
      const [r] = await q(`SELECT count(*) AS n, count(DISTINCT ${dim}_key) AS k FROM gold.${dim}`);
      expect(r!.n).toBe(r!.k);
    }
    expect(
      await q("SELECT dim_branch_key > 0 AS fresh FROM gold.dim_branch WHERE branch_id = 'XYZ9726'"),
    ).toEqual([{ fresh: true }]);
    expect(await q("SELECT product_name FROM gold.dim_model WHERE model_id = 'ZYXM13'")).toEqual([
      { product_name: "Surprise" },
    ]);

    // The fact table was updated, not rebuilt: earlier rows keep their run id.
    const factAfter = await q(
      "SELECT _run_id, count(*) AS n FROM gold.fact_sales GROUP BY _run_id ORDER BY n DESC",
    );
    expect(factAfter).toEqual([...factBefore, { _run_id: runs[0]!.runId, n: "4" }]);
    expect(
      await q("SELECT count(*) AS n FROM gold.fact_sales WHERE dim_dealer_key = -1 OR dim_date_key = -1"),
    ).toEqual([{ n: "0" }]);
    expect(await q("SELECT sum(revenue) AS r FROM gold.agg_sales_daily")).toEqual(
      await q("SELECT sum(revenue) AS r FROM silver.car_sales"),
    );
  });

  it("a rerun with nothing new changes nothing", async () => {
    const snapshot = await q("SELECT count(*) AS n, sum(revenue) AS r FROM silver.car_sales");
    const { runs } = await runPipeline({ dir });
    expect(runs[0]).toMatchObject({ status: "nothing_to_do", rowsRead: 0 });
    expect(await q("SELECT count(*) AS n, sum(revenue) AS r FROM silver.car_sales")).toEqual(snapshot);
  });
});
