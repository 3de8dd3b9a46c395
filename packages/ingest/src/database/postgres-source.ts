import { assertSafeIdentifier, type Column, columnOf, type Entity } from "@saleslake/schema";
import type pg from "pg";
import { IngestError } from "../errors.ts";

export interface PostgresWindowOptions {
  /** A connected client (the caller owns the connection and its credentials). */
  readonly client: pg.Client | pg.PoolClient;
  readonly entity: Entity;
  /** Source table, `table` or `schema.table`; each part must be a safe identifier. */
  readonly table: string;
  /** Exclusive lower bound of the watermark column (already reduced by any lookback); null reads from the start. */
  readonly low: string | null;
  /** Rows per page (keyset pagination). Default `10_000`. */
  readonly pageSize?: number;
}

export interface PostgresWindow {
  readonly column: string;
  readonly low: string | null;
  /** Taken once, at the start of the read: later commits wait for the next window. */
  readonly high: string | null;
  readonly records: AsyncIterable<Record<string, unknown>>;
}

const quote = (name: string) => `"${name}"`;

function sourceName(c: Column): string {
  // Database columns are addressed by the entity's source name, validated like an identifier.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(c.source)) {
    throw new IngestError(
      "UNSAFE_PATH",
      `column ${c.name}: source name ${JSON.stringify(c.source)} is not a plain database identifier`,
      "Database sources need plain column names.",
    );
  }
  return c.source;
}

function jsonValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return v.toString();
  return v;
}

/**
 * Reads the rows of `table` whose watermark column lies in (low, high], where high is the
 * column's maximum when the read starts. Keyset pagination on (watermark, key) streams any
 * table size; identifiers are validated and quoted, values are always bound parameters.
 */
export async function readPostgresWindow(options: PostgresWindowOptions): Promise<PostgresWindow> {
  const { client, entity } = options;
  if (entity.watermark.kind !== "column") {
    throw new IngestError(
      "MIXED_FORMATS",
      `entity ${entity.name} has no watermark column`,
      "Database sources read by a watermark column; declare one on the entity.",
    );
  }
  const parts = options.table.split(".");
  if (parts.length > 2)
    throw new IngestError(
      "UNSAFE_PATH",
      `table ${options.table} has too many parts`,
      "Use table or schema.table.",
    );
  for (const p of parts) assertSafeIdentifier(p.toLowerCase(), "source table");
  const table = parts.map(quote).join(".");
  const wm = quote(sourceName(columnOf(entity, entity.watermark.column)));
  const keys = entity.key.map((k) => quote(sourceName(columnOf(entity, k))));
  const cols = entity.columns.filter((c) => !c.composedFrom).map((c) => quote(sourceName(c)));
  const pageSize = Math.max(1, Math.floor(options.pageSize ?? 10_000));
  const highRow = await client.query(`SELECT max(${wm})::text AS high FROM ${table}`);
  const high = (highRow.rows[0]?.high as string | null) ?? null;
  const low = options.low;
  const order = [wm, ...keys];
  async function* records() {
    if (high === null) return;
    let after: unknown[] | undefined;
    for (;;) {
      const params: unknown[] = [high];
      let where = `${wm} <= $1::timestamptz`;
      if (low !== null) {
        params.push(low);
        where += ` AND ${wm} > $${params.length}::timestamptz`;
      }
      if (after) {
        const marks = after.map((v) => {
          params.push(v);
          return `$${params.length}`;
        });
        where += ` AND (${order.join(", ")}) > (${marks.map((m, i) => (i === 0 ? `${m}::timestamptz` : m)).join(", ")})`;
      }
      params.push(pageSize);
      const page = await client.query({
        text: `SELECT ${cols.join(", ")}, ${wm}::text AS "__wm" FROM ${table} WHERE ${where} ORDER BY ${order.join(", ")} LIMIT $${params.length}`,
        values: params,
      });
      for (const row of page.rows as Record<string, unknown>[]) {
        const out: Record<string, unknown> = {};
        for (const c of entity.columns) if (!c.composedFrom) out[c.source] = jsonValue(row[c.source]);
        yield out;
      }
      if (page.rows.length < pageSize) return;
      const last = page.rows.at(-1) as Record<string, unknown>;
      after = [last.__wm, ...entity.key.map((k) => last[columnOf(entity, k).source])];
    }
  }
  return { column: entity.watermark.column, low, high, records: records() };
}
