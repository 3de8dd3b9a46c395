import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { type LocalSpark, startLocalSpark } from "../../src/index.ts";

/**
 * One local Spark session for a test file, with a work folder removed afterwards. With
 * SALESLAKE_SKIP_SPARK=1 no session starts and the file says it was skipped; the caller wraps its
 * tests in `describe.skipIf(suite.skip)`.
 */
export function sparkSuite(name: string): {
  readonly skip: boolean;
  readonly work: string;
  readonly spark: LocalSpark;
} {
  const skip = process.env.SALESLAKE_SKIP_SPARK === "1";
  if (skip) console.warn(`SALESLAKE_SKIP_SPARK=1: the Spark ${name} suite is skipped`);
  const work = mkdtempSync(join(tmpdir(), `saleslake-${name}-`));
  let session: LocalSpark | undefined;
  beforeAll(async () => {
    if (skip) return;
    mkdirSync(join(work, "spark"), { recursive: true });
    session = await startLocalSpark({ warehouseDir: join(work, "spark") });
  }, 300_000);
  afterAll(async () => {
    await session?.stop();
    rmSync(work, { recursive: true, force: true });
  }, 120_000);
  return {
    skip,
    work,
    get spark() {
      if (!session) throw new Error("the local Spark session has not started");
      return session;
    },
  };
}

export type Line = Record<string, string | number | boolean | null>;

/** One sales order line in the entity's source names: a valid row, changed by `patch`. */
export const line = (order: number, patch: Line = {}): Line => ({
  OrderID: `SO${String(order).padStart(8, "0")}`,
  LineNo: 1,
  order_date: "2026-01-05",
  customer_id: "C000001",
  product_id: "P-00001",
  quantity: 1,
  unit_price: "10.00",
  discount_pct: null,
  currency: "EUR",
  status: "open",
  channel: "web",
  updated_at: "2026-01-05T10:00:00Z",
  is_deleted: false,
  ...patch,
});

/** The widgets a job passes the generated notebooks for one batch of `lake`, on local Spark's catalog. */
export const notebookWidgets = (lake: string, runId: string, batchId: string, fullRefresh = false) => ({
  run_id: runId,
  batch_id: batchId,
  catalog: "spark_catalog",
  lake_root: lake,
  full_refresh: String(fullRefresh),
  window_low: "",
  window_high: "",
});

export const jsonl = (ls: readonly Line[]) => `${ls.map((l) => JSON.stringify(l)).join("\n")}\n`;
