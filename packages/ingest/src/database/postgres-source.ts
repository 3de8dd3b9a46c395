import type { Entity } from "@saleslake/schema";
import type pg from "pg";
import { PostgresWindowQuery } from "./postgres-window-query.ts";
import { readWindowPages } from "./window-reader.ts";

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
  const compiler = new PostgresWindowQuery(entity, options.table);
  const highQuery = compiler.highQuery();
  const highRow = await client.query({ text: highQuery.text, values: [...highQuery.values] });
  const high = (highRow.rows[0]?.high as string | null) ?? null;
  const low = options.low;
  const run = async (q: { text: string; values: readonly unknown[] }) =>
    (await client.query({ text: q.text, values: [...q.values] })).rows as Record<string, unknown>[];
  async function* records() {
    if (high === null) return;
    yield* readWindowPages(compiler, run, { low, high, pageSize: options.pageSize ?? 10_000 }, jsonValue);
  }
  return { column: compiler.watermark.name, low, high, records: records() };
}
