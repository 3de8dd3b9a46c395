import { createHash } from "node:crypto";
import { Warehouse } from "@saleslake/pipeline";

/** Columns that differ between two correct runs (clock, run ids): left out of the comparison. */
const VOLATILE = new Set([
  "_ingested_at",
  "_run_id",
  "_updated_at",
  "_quarantined_at",
  "run_id",
  "processed_at",
  "updated_at",
  "started_at",
  "finished_at",
  "pid",
]);

/** The silver table whose rows and distinct keys are counted, for rows lost and duplicated. */
export interface SilverKey {
  readonly table: string;
  readonly key: readonly string[];
}

export const CAR_SALES_KEY: SilverKey = {
  table: "car_sales",
  key: ["branch_id", "dealer_id", "model_id", "date_id"],
};

export interface ContentHash {
  readonly hash: string;
  readonly silverRows: number;
  readonly silverKeys: number;
  /** Distinct keys among the bronze rows: what silver must hold, none lost. */
  readonly bronzeKeys: number;
}

/**
 * A content hash of every data table and the watermarks, independent of row order and clock.
 * With `sameBatchIds: false`, batch ids (random at landing) are replaced by their landing
 * order, so two lakes landed separately with the same content compare equal.
 */
export async function contentHash(
  dir: string,
  options: { readonly silver?: SilverKey; readonly sameBatchIds?: boolean } = {},
): Promise<ContentHash> {
  const silver = options.silver ?? CAR_SALES_KEY;
  const w = await Warehouse.open(dir);
  try {
    const tables = await w.query(
      "SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema IN ('bronze','silver','gold','quarantine') OR (table_schema = 'saleslake' AND table_name IN ('watermarks','processed_batches')) ORDER BY 1, 2",
    );
    const batchIds =
      options.sameBatchIds === false
        ? (await w.query("SELECT batch_id AS b FROM saleslake.processed_batches ORDER BY batch_id")).map(
            (r) => String(r.b),
          )
        : [];
    const h = createHash("sha256");
    for (const { s, t } of tables) {
      const cols = (
        await w.query(
          `SELECT column_name AS c FROM information_schema.columns WHERE table_schema = '${s}' AND table_name = '${t}' ORDER BY ordinal_position`,
        )
      )
        .map((r) => String(r.c))
        .filter((c) => !VOLATILE.has(c));
      const rows = await w.query(
        `SELECT ${cols.map((c) => `"${c}"`).join(", ")} FROM "${s}"."${t}" ORDER BY ALL`,
      );
      let text = JSON.stringify(rows);
      for (const [i, id] of batchIds.entries()) text = text.replaceAll(id, `batch#${i}`);
      h.update(`${s}.${t}:${text}\n`);
    }
    const [c] = await w.query(
      `SELECT count(*) AS n, count(DISTINCT (${silver.key.join(", ")})) AS k FROM silver.${silver.table}`,
    );
    const [b] = await w.query(
      `SELECT count(DISTINCT (${silver.key.join(", ")})) AS k FROM bronze.${silver.table}`,
    );
    return {
      hash: h.digest("hex"),
      silverRows: Number(c!.n),
      silverKeys: Number(c!.k),
      bronzeKeys: Number(b!.k),
    };
  } finally {
    w.close();
  }
}
