import type { Entity } from "@saleslake/schema";
import pg from "pg";
import { IngestError } from "../errors.ts";
import { PostgresWindowQuery } from "./postgres-window-query.ts";
import { parseTimestampMark } from "./timestamp-mark.ts";
import { readWindowPages, type UnreadRows, unreadRows } from "./window-reader.ts";

const pgTypes = pg.types;

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
  /** The clock: the window ends at its time when the read starts. Default `() => new Date()`. */
  readonly clock?: () => Date;
}

export interface PostgresWindow {
  readonly column: string;
  readonly low: string | null;
  /**
   * Taken once, at the start of the read: the column's greatest value not after the clock. Later
   * commits, and values after the clock, wait for a later window.
   */
  readonly high: string | null;
  readonly unread: UnreadRows;
  readonly records: AsyncIterable<Record<string, unknown>>;
}

/** PostgreSQL type ids whose text form is kept as it is, not turned into a JavaScript Date. */
const DATE_OID = 1082;
const TIMESTAMP_OID = 1114;
const TIMESTAMPTZ_OID = 1184;

/** A `timestamptz` as UTC ISO 8601 with every digit PostgreSQL gave (a Date keeps milliseconds only). */
function utcTimestamp(text: string): string {
  const mark = parseTimestampMark(text);
  if (!mark) return text; // infinity, -infinity, BC dates: landed as is, for the schema's rules to judge
  return `${new Date(mark.utcSecondMs).toISOString().slice(0, 19)}.${mark.fraction.padEnd(3, "0")}Z`;
}

/**
 * Per-query type parsers: a `date` stays `YYYY-MM-DD` (a Date would shift it into a timestamp at
 * the machine's midnight); a `timestamp without time zone` is read as UTC, not local time, as
 * saleslake keeps every timestamp in UTC; a `timestamptz` keeps its microseconds.
 */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === DATE_OID) return (text: string) => text;
    if (oid === TIMESTAMPTZ_OID) return utcTimestamp;
    if (oid === TIMESTAMP_OID)
      return (text: string) => (/^\d{4}-\d\d-\d\d \d/.test(text) ? `${text.replace(" ", "T")}Z` : text);
    return (pgTypes.getTypeParser as (oid: number, format?: string) => (text: string) => unknown)(
      oid,
      format,
    );
  },
};

function jsonValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return v.toString();
  // A float's NaN and ±Infinity have no JSON form (JSON.stringify writes null): landed as
  // PostgreSQL writes them, for the schema's rules to judge, as a file's "NaN" would be.
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return v;
}

/** A driver failure as a typed error: SQLSTATE and message, never connection settings. */
function sourceError(e: unknown, table: string): IngestError {
  const err = e as { code?: string; message?: string };
  const state =
    typeof err.code === "string" && /^[0-9A-Z]{5}$/.test(err.code) ? ` (SQLSTATE ${err.code})` : "";
  return new IngestError(
    "SOURCE_UNAVAILABLE",
    `PostgreSQL read of ${table} failed${state}: ${err.message ?? String(e)}`,
    "A landing fed by this read leaves no batch and the watermark where it was: check the connection, then rerun.",
    { cause: e },
  );
}

/**
 * The session settings the read depends on, whatever the server, database, role or connection
 * string sets: marks are compared and written in UTC (a `timestamp` column against a
 * `timestamptz` mark is converted in the session's zone), dates and timestamps come as ISO 8601
 * text, and floats with every digit.
 */
const SESSION_SETTINGS = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET extra_float_digits = 1";

/**
 * Reads the rows of `table` whose watermark column lies in (low, high], where high is the
 * column's maximum when the read starts. Keyset pagination on (watermark, key) streams any
 * table size; identifiers are validated and quoted, values are always bound parameters. Sets
 * the session's `TimeZone` to UTC, `DateStyle` to ISO and `extra_float_digits` to 1 first.
 */
export async function readPostgresWindow(options: PostgresWindowOptions): Promise<PostgresWindow> {
  const { client, entity } = options;
  const compiler = new PostgresWindowQuery(entity, options.table);
  const at = (options.clock ?? (() => new Date()))().toISOString();
  const highQuery = compiler.highQuery(at);
  const query = async (q: { text: string; values: readonly unknown[] }) => {
    try {
      return (await client.query({ text: q.text, values: [...q.values], types })).rows as Record<
        string,
        unknown
      >[];
    } catch (e) {
      throw sourceError(e, options.table);
    }
  };
  try {
    await client.query(SESSION_SETTINGS);
  } catch (e) {
    throw sourceError(e, options.table);
  }
  const [row] = await query(highQuery);
  const high = (row?.high as string | null | undefined) ?? null;
  const unread = unreadRows(at, row);
  const low = options.low;
  const run = query;
  async function* records() {
    if (high === null) return;
    yield* readWindowPages(compiler, run, { low, high, pageSize: options.pageSize ?? 10_000 }, jsonValue);
  }
  return { column: compiler.watermark.name, low, high, unread, records: records() };
}
