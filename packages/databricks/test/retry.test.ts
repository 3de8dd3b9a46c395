import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalLakeStore, landFiles } from "@saleslake/ingest";
import { salesOrderLines, salesOrderStar } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { commitNotebook, generateNotebooks, maintenanceNotebook } from "../src/index.ts";
import { line, notebookWidgets, sparkSuite } from "./support/spark-suite.ts";

const suite = sparkSuite("retry");
const { skip, work } = suite;
const lake = join(work, "lake");

const entity = salesOrderLines;
const notebooks = generateNotebooks(entity, salesOrderStar);
const nb = (id: string) => notebooks.find((n) => n.stepId === id)!.source;
const commit = commitNotebook(entity).source;

async function land(name: string, lines: object[], minute: number): Promise<string> {
  const file = join(work, name);
  writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`);
  const r = await landFiles({
    store: new LocalLakeStore(lake),
    entity,
    paths: [file],
    force: true,
    now: new Date(Date.UTC(2026, 0, 1, 0, minute)),
  });
  return r.batchId;
}

const params = (batchId: string, runId: string) => notebookWidgets(lake, runId, batchId);

const count = async (table: string, batchId: string) =>
  Number(
    (
      await suite.spark.sql(`SELECT count(*) AS n FROM spark_catalog.${table} WHERE _batch_id = '${batchId}'`)
    )[0]!.n,
  );

describe.skipIf(skip)("a notebook retried after a failure applies its batch once", () => {
  it("crash between the quarantine and the bronze write, then retries: each row once; ledger and watermark last", async () => {
    const b1 = await land("b1.jsonl", [line(1), line(2), line(3, { quantity: -1 }), line(4)], 0);
    // The generated bronze notebook with a crash injected right before its bronze write.
    const bronzeWrite = 'write_once(r"""INSERT INTO `${catalog}`.`bronze`';
    expect(nb("bronze")).toContain(bronzeWrite);
    const crashing = nb("bronze").replace(
      bronzeWrite,
      `raise RuntimeError("crash between the quarantine and the bronze write")\n${bronzeWrite}`,
    );
    await expect(suite.spark.runNotebook(crashing, params(b1, "run-1"))).rejects.toThrow(/crash between/);
    expect([
      await count("quarantine.sales_order_lines", b1),
      await count("bronze.sales_order_lines", b1),
    ]).toEqual([1, 0]);

    // The task retry (same run id): the quarantine write is skipped, the bronze write happens.
    const retried = JSON.parse((await suite.spark.runNotebook(nb("bronze"), params(b1, "run-1"))) ?? "{}");
    expect(retried).toMatchObject({ step: "bronze", rows_read: 4, rows_accepted: 3, rows_quarantined: 1 });
    expect([
      await count("quarantine.sales_order_lines", b1),
      await count("bronze.sales_order_lines", b1),
    ]).toEqual([1, 3]);
    // A whole-job repair reruns the finished notebook: nothing changes.
    await suite.spark.runNotebook(nb("bronze"), params(b1, "run-1"));
    expect([
      await count("quarantine.sales_order_lines", b1),
      await count("bronze.sales_order_lines", b1),
    ]).toEqual([1, 3]);

    const silver = JSON.parse((await suite.spark.runNotebook(nb("silver"), params(b1, "run-1"))) ?? "{}");
    expect(silver).toMatchObject({ step: "silver", rows_inserted: 3 });
    expect(
      (await suite.spark.sql("SELECT count(*) AS n FROM spark_catalog.silver.sales_order_lines"))[0]!.n,
    ).toBe(3);

    // Ledger and watermark: written by the commit notebook, once, whatever the retries.
    const done = JSON.parse((await suite.spark.runNotebook(commit, params(b1, "run-1"))) ?? "{}");
    expect(done).toMatchObject({
      step: "commit",
      rows_read: 4,
      rows_accepted: 3,
      rows_quarantined: 1,
      watermark: b1,
    });
    const b2 = await land("b2.jsonl", [line(5)], 1);
    await suite.spark.runNotebook(nb("bronze"), params(b2, "run-2"));
    await suite.spark.runNotebook(commit, params(b2, "run-2"));
    // Committing the older batch again neither duplicates its entry nor moves the watermark back.
    const again = JSON.parse((await suite.spark.runNotebook(commit, params(b1, "run-1"))) ?? "{}");
    expect(again.watermark).toBe(b2);
    expect(
      await suite.spark.sql(
        "SELECT batch_id, rows_read, rows_accepted, rows_quarantined FROM spark_catalog.saleslake.run_ledger ORDER BY batch_id",
      ),
    ).toEqual([
      { batch_id: b1, rows_read: 4, rows_accepted: 3, rows_quarantined: 1 },
      { batch_id: b2, rows_read: 1, rows_accepted: 1, rows_quarantined: 0 },
    ]);
    expect(await suite.spark.sql("SELECT entity, watermark FROM spark_catalog.saleslake.watermarks")).toEqual(
      [{ entity: "sales_order_lines", watermark: b2 }],
    );
  }, 1_200_000);

  it("the tables carry the schema's layout, constraints, change data feed and deletion vectors; maintenance optimizes them", async () => {
    const detail = (await suite.spark.sql("DESCRIBE DETAIL spark_catalog.silver.sales_order_lines"))[0] as {
      partitionColumns: string[];
      clusteringColumns: string[];
      properties: Record<string, string>;
    };
    expect(detail.partitionColumns).toEqual([]);
    expect(detail.clusteringColumns).toEqual(["order_date", "customer_id"]);
    expect(detail.properties["delta.enableChangeDataFeed"]).toBe("true");
    expect(detail.properties["delta.enableDeletionVectors"]).toBe("true");
    expect(detail.properties["delta.constraints.ck_quantity_min"]).toMatch(/quantity.*>=\s*1/);
    // The constraint is enforced by Delta itself, not only by the bronze rules.
    await expect(
      suite.spark.sql(
        "UPDATE spark_catalog.silver.sales_order_lines SET quantity = -5 WHERE order_id = 'SO00000001'",
      ),
    ).rejects.toThrow(/ck_quantity_min/i);
    // An update marks the old row in a deletion vector instead of copying the rest of its file.
    await suite.spark.sql(
      "UPDATE spark_catalog.silver.sales_order_lines SET quantity = 2 WHERE order_id = 'SO00000001'",
    );
    const [update] = (await suite.spark.sql(
      "DESCRIBE HISTORY spark_catalog.silver.sales_order_lines LIMIT 1",
    )) as { operation: string; operationMetrics: Record<string, string> }[];
    expect(update!.operation).toBe("UPDATE");
    expect(Number(update!.operationMetrics.numDeletionVectorsAdded)).toBeGreaterThan(0);
    expect(update!.operationMetrics.numCopiedRows).toBe("0");
    const gold = (await suite.spark.sql("SHOW TBLPROPERTIES spark_catalog.gold.fact_order_lines")) as {
      key: string;
      value: string;
    }[];
    expect(gold.find((p) => p.key === "delta.enableChangeDataFeed")?.value).toBe("true");
    // Synapse serverless SQL reads gold, and only Delta 1.0 tables: no reader feature there.
    expect(gold.find((p) => p.key === "delta.enableDeletionVectors")).toBeUndefined();
    expect(gold.find((p) => p.key === "delta.minReaderVersion")?.value).toBe("1");

    const m = maintenanceNotebook(entity, salesOrderStar).source;
    const out = JSON.parse(
      (await suite.spark.runNotebook(m, { catalog: "spark_catalog", vacuum_retain_hours: "168" })) ?? "{}",
    );
    expect(out).toMatchObject({ step: "maintenance", tables_optimized: 9, tables_vacuumed: 9 });
    // Two bronze writes (two batches) compacted into one file.
    expect(out.files_removed).toBeGreaterThan(0);
  }, 900_000);

  it("refuses a widget value that could leave its SQL literal", async () => {
    await expect(
      suite.spark.runNotebook(nb("bronze"), { ...params("x' OR '1'='1", "run-3") }),
    ).rejects.toThrow(/widget batch_id has a value outside/);
  }, 300_000);
});
