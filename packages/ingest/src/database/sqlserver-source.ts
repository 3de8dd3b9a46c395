import type { Entity } from "@saleslake/schema";
import type { Connection } from "tedious";
import { IngestError } from "../errors.ts";
import { type SqlServerTimestampType, SqlServerWindowQuery } from "./sqlserver-window-query.ts";
import { parseTimestampMark } from "./timestamp-mark.ts";
import type { WindowQuery } from "./window-query-compiler.ts";
import { type RunWindowQuery, readWindowPages, type UnreadRows, unreadRows } from "./window-reader.ts";

export interface SqlServerWindowOptions {
  /**
   * A connected tedious `Connection` (the caller owns it, its credentials and its encryption);
   * not needed when the queries are run by the caller's own `run`.
   */
  readonly connection?: Connection;
  readonly entity: Entity;
  /** Source table, `table` or `schema.table`; each part must be a safe identifier. */
  readonly table: string;
  /** Exclusive lower bound (already reduced by any lookback), ISO 8601; no offset means UTC. Null reads from the start. */
  readonly low: string | null;
  /** Rows per page (keyset pagination). Default `10_000`. */
  readonly pageSize?: number;
  /** How the table stores timestamps. Default `datetime2`, holding UTC. */
  readonly timestampType?: SqlServerTimestampType;
  /** The clock: the window ends at its time when the read starts. Default `() => new Date()`. */
  readonly clock?: () => Date;
}

export interface SqlServerWindow {
  readonly column: string;
  readonly low: string | null;
  /**
   * Taken once, at the start of the read, as UTC ISO 8601 with `Z` (100 ns precision): the
   * column's greatest value not after the clock.
   */
  readonly high: string | null;
  readonly unread: UnreadRows;
  readonly records: AsyncIterable<Record<string, unknown>>;
}

/**
 * A watermark as UTC text without a zone, fraction kept to datetime2's 7 digits:
 * `2026-01-05T12:00:00+01:00` → `2026-01-05T11:00:00`. What the compiler's `CONVERT(…, 126)` reads.
 */
export function sqlServerMark(text: string): string {
  const mark = parseTimestampMark(text);
  if (!mark || mark.fraction.length > 7) {
    throw new IngestError(
      "BAD_OPTIONS",
      `watermark ${JSON.stringify(text)} is not an ISO 8601 timestamp`,
      "Give the low mark as the previous window's high, e.g. 2026-01-05T11:00:00.1234567Z.",
    );
  }
  const utc = new Date(mark.utcSecondMs).toISOString().slice(0, 19);
  return mark.fraction ? `${utc}.${mark.fraction}` : utc;
}

function numberMark(text: string, compiler: SqlServerWindowQuery): string {
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text.trim()))
    throw new IngestError(
      "BAD_OPTIONS",
      `watermark ${JSON.stringify(text)} is not a number, as ${compiler.watermark.name} is`,
      "Give the low mark as the previous window's high, e.g. 1042.",
    );
  return text.trim();
}

function parameterType(TYPES: typeof import("tedious").TYPES, value: unknown) {
  if (typeof value === "boolean") return TYPES.Bit;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return TYPES.Float;
    return Math.abs(value) < 2 ** 31 ? TYPES.Int : TYPES.BigInt;
  }
  return TYPES.NVarChar; // text, marks, and bigint keys (tedious returns them as text)
}

/** Runs a window query on a tedious connection, binding `values[i]` as `@p{i+1}`. */
export function tediousRunner(connection: Connection): RunWindowQuery {
  return async (query: WindowQuery) => {
    // tedious is loaded when a query first runs, not with the package.
    const { Request, TYPES } = await import("tedious");
    return new Promise((resolve, reject) => {
      const rows: Record<string, unknown>[] = [];
      const request = new Request(query.text, (err) => (err ? reject(err) : resolve(rows)));
      query.values.forEach((v, i) => {
        request.addParameter(`p${i + 1}`, parameterType(TYPES, v), v ?? null);
      });
      request.on("row", (columns: unknown) => {
        const row: Record<string, unknown> = {};
        if (Array.isArray(columns)) {
          for (const c of columns as { metadata: { colName: string }; value: unknown }[])
            row[c.metadata.colName] = c.value;
        } else {
          // A connection with `useColumnNames: true` hands an object keyed by name.
          for (const [k, c] of Object.entries(columns as Record<string, { value: unknown }>))
            row[k] = c.value;
        }
        rows.push(row);
      });
      connection.execSql(request);
    });
  };
}

/** A driver failure as a typed error: the table, SQL Server's error number and message, never connection settings. */
function sourceError(e: unknown, table: string): IngestError {
  if (e instanceof IngestError) return e;
  const err = e as { number?: unknown; message?: string };
  const number = typeof err.number === "number" ? ` (error ${err.number})` : "";
  return new IngestError(
    "SOURCE_UNAVAILABLE",
    `SQL Server read of ${table} failed${number}: ${err.message ?? String(e)}`,
    "A landing fed by this read leaves no batch and the watermark where it was: check the table, its columns and the login's grants, then rerun.",
    { cause: e },
  );
}

function jsonValue(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return v.toString();
  if (Buffer.isBuffer(v)) return v.toString("base64");
  return v;
}

/**
 * Reads the rows of a SQL Server / Azure SQL table whose watermark column lies in (low, high],
 * high being the column's maximum when the read starts: the same windowing and keyset
 * pagination as the PostgreSQL source, in T-SQL, every value a bound parameter.
 * `run` executes the queries; default: tedious on `options.connection`. Another driver (mssql,
 * a connection pool) can run them, binding `values[i]` as `@p{i+1}`.
 */
export async function readSqlServerWindow(
  options: SqlServerWindowOptions,
  run?: RunWindowQuery,
): Promise<SqlServerWindow> {
  if (!run && !options.connection) {
    throw new IngestError("BAD_OPTIONS", "no SQL Server connection", "Pass a connected tedious Connection.");
  }
  const driver = run ?? tediousRunner(options.connection as Connection);
  const runQuery: RunWindowQuery = (query) =>
    driver(query).catch((e: unknown) => {
      throw sourceError(e, options.table);
    });
  const compiler = new SqlServerWindowQuery(options.entity, options.table, options.timestampType);
  const low = options.low;
  // A number mark travels as its digits; a date or timestamp as UTC text.
  const mark = compiler.numericMark ? (text: string) => numberMark(text, compiler) : sqlServerMark;
  const lowMark = low === null ? null : mark(low);
  const at = (options.clock ?? (() => new Date()))().toISOString();
  const [row] = await runQuery(compiler.highQuery(sqlServerMark(at)));
  const highMark = (row?.high as string | null | undefined) ?? null;
  const unread = unreadRows(at, row);
  const pageSize = options.pageSize ?? 10_000;
  async function* records() {
    if (highMark === null) return;
    yield* readWindowPages(compiler, runQuery, { low: lowMark, high: highMark, pageSize }, jsonValue);
  }
  return {
    column: compiler.watermark.name,
    low,
    high: highMark === null || compiler.numericMark ? highMark : `${highMark}Z`,
    unread,
    records: records(),
  };
}
