import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineEntity, type Entity, t } from "@saleslake/schema";
import { afterAll, describe, expect, it } from "vitest";
import { runPipeline } from "../src/index.ts";
import { landBatch, landJsonl } from "./support/land.ts";
import { queryWarehouse } from "./support/warehouse.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("a definition whose key changes", () => {
  it("is refused while silver holds rows merged by the old key; a full refresh rebuilds by the new one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "saleslake-merge-key-"));
    dirs.push(dir);
    const lake = join(dir, "lake");
    const columns = { return_id: t.string(), order_id: t.string(), qty: t.int(), updated_at: t.timestamp() };
    const define = (key: ("return_id" | "order_id")[]) =>
      defineEntity({ name: "returns", columns, key, sequence: "updated_at" });
    const land = (entity: Entity, rows: Record<string, unknown>[]) =>
      landJsonl(lake, entity, rows, "r.jsonl");
    const run = (entity: Entity, mode?: "full_refresh") =>
      runPipeline({ dir, entities: [entity], stars: [], ...(mode && { mode }) }).then((r) => r.runs[0]!);
    const q = (sql: string) => queryWarehouse(dir, sql);
    const silver = () => q("SELECT return_id, order_id, qty FROM silver.returns ORDER BY return_id");

    const byReturn = define(["return_id"]);
    land(byReturn, [
      { return_id: "R1", order_id: "O1", qty: 1, updated_at: "2026-01-05T10:00:00Z" },
      { return_id: "R2", order_id: "O1", qty: 2, updated_at: "2026-01-05T11:00:00Z" },
    ]);
    expect(await run(byReturn)).toMatchObject({ status: "succeeded", rowsInserted: 2 });

    // Keyed by order now: merged so, O1 would keep R1 and R2 beside a new row of O1.
    const byOrder = define(["order_id"]);
    land(byOrder, [{ return_id: "R3", order_id: "O1", qty: 3, updated_at: "2026-01-05T12:00:00Z" }]);
    await expect(run(byOrder)).rejects.toMatchObject({
      code: "SCHEMA_CHANGE",
      message:
        "returns: the definition's key is (order_id); silver's rows were merged by (return_id), and merging by another key would keep two rows of one key",
      hint: expect.stringContaining("saleslake run --full-refresh"),
    });
    expect(await silver()).toEqual([
      { return_id: "R1", order_id: "O1", qty: 1 },
      { return_id: "R2", order_id: "O1", qty: 2 },
    ]);
    // The old key still runs.
    expect(await run(byReturn)).toMatchObject({ status: "succeeded", rowsInserted: 1 });

    // A full refresh merges bronze by the new key: the newest row of O1 is R3.
    expect(await run(byOrder, "full_refresh")).toMatchObject({ status: "succeeded", rowsInserted: 1 });
    expect(await silver()).toEqual([{ return_id: "R3", order_id: "O1", qty: 3 }]);
    land(byOrder, [{ return_id: "R4", order_id: "O1", qty: 4, updated_at: "2026-01-05T13:00:00Z" }]);
    expect(await run(byOrder)).toMatchObject({ status: "succeeded", rowsUpdated: 1 });
    expect(await silver()).toEqual([{ return_id: "R4", order_id: "O1", qty: 4 }]);
    // And the old key is the changed one now.
    land(byReturn, [{ return_id: "R5", order_id: "O2", qty: 5, updated_at: "2026-01-05T14:00:00Z" }]);
    await expect(run(byReturn)).rejects.toMatchObject({ code: "SCHEMA_CHANGE" });
  });
});

describe("a batch landed under an earlier definition", () => {
  it("reads a nullable column added since as NULL; one of the definition's own batches is held to its contract", async () => {
    const dir = mkdtempSync(join(tmpdir(), "saleslake-added-column-"));
    dirs.push(dir);
    const lake = join(dir, "lake");
    const at = "2026-01-05T10:00:00Z";
    const v1 = defineEntity({
      name: "visits",
      columns: { id: t.int(), qty: t.int(), updated_at: t.timestamp() },
      key: ["id"],
      sequence: "updated_at",
    });
    // The default contract refuses files without a column, nullable or not.
    const v2 = defineEntity({
      name: "visits",
      columns: { id: t.int(), qty: t.int(), updated_at: t.timestamp(), note: t.string().nullable() },
      key: ["id"],
      sequence: "updated_at",
    });
    expect(v2.contract.missingColumns).toBe("reject");
    const run = (entity: Entity) =>
      runPipeline({ dir, entities: [entity], stars: [] }).then((r) => r.runs[0]!);
    landBatch(lake, v1, [{ name: "v1.csv", bytes: `id,qty,updated_at\n1,2,${at}\n` }]);
    landBatch(lake, v1, [{ name: "v1.jsonl", bytes: `{"id":2,"qty":3,"updated_at":"${at}"}\n` }], "jsonl");
    // The column is added before the batches are run.
    expect(await run(v2)).toMatchObject({ status: "succeeded", rowsRead: 2, rowsInserted: 2 });
    expect(await queryWarehouse(dir, "SELECT id, qty, note FROM silver.visits ORDER BY id")).toEqual([
      { id: 1, qty: 2, note: null },
      { id: 2, qty: 3, note: null },
    ]);
    // Landed under the definition that has the column, a file without it breaks the contract.
    landBatch(lake, v2, [{ name: "v2.csv", bytes: `id,qty,updated_at\n3,4,${at}\n` }]);
    await expect(run(v2)).rejects.toMatchObject({
      code: "MISSING_COLUMNS",
      message: expect.stringMatching(/missing column note for entity visits/),
    });
  });
});
