import { adfColumnMapping, durationSeconds, type Entity, sqlServerColumnText } from "@saleslake/schema";
import { escapeText } from "../expression/expression-printer.ts";
import type { ResolvedSourceTable } from "./factory-options.ts";

/**
 * The queries a watermark pipeline sends to its source table, in the table's dialect: the new
 * high mark (the newest change at or before the window end) and the window's rows. The bounds are
 * the text inside a quoted SQL literal, ISO 8601 UTC times: in the pipelines, Data Factory
 * interpolations (`@{…}`); in tests, the times themselves.
 */
export interface SourceQueries {
  /** The Copy and Lookup source type, and the property holding its query. */
  readonly sourceType: "AzureSqlSource" | "AzurePostgreSqlSource";
  readonly queryProperty: "sqlReaderQuery" | "query";
  /** One row, `high_mark`: the newest watermark value at or before `end`, NULL when there is none. */
  highMark(end: string): string;
  /** The rows of `(low − lookback, high]`, each column as the text the engines parse. */
  window(low: string, high: string): string;
  /** The lower bound as words, for the copy's description. */
  readonly startDescription: string;
}

/** The lookback: whole days, at least one, for a date column; seconds otherwise. */
export function lookback(entity: Entity): { unit: "day" | "second"; amount: number; description: string } {
  if (entity.watermark.kind !== "column") throw new Error("not a column watermark");
  const seconds = durationSeconds(entity.watermark.lookback);
  const name = entity.watermark.column;
  // A date column steps back whole days, at least one: the day of the old mark may have gained
  // rows since it was read.
  if (entity.columns.find((c) => c.name === name)?.type.kind === "date") {
    const days = Math.max(1, Math.ceil(seconds / 86_400));
    return { unit: "day", amount: days, description: `old watermark − ${days} d` };
  }
  return { unit: "second", amount: seconds, description: `old watermark − ${seconds} s` };
}

/**
 * `[name]` with `]` doubled: a T-SQL identifier that cannot break out of its brackets; and, as it
 * goes into an interpolated Data Factory value, with `@{` written `@@{`, so that a source name
 * holding one stays text.
 */
export const bracket = (name: string) => escapeText(`[${name.replaceAll("]", "]]")}]`, false);

/** `"name"` with `"` doubled, the PostgreSQL form of `bracket`. */
export const pgQuote = (name: string) => escapeText(`"${name.replaceAll('"', '""')}"`, false);

/** A timestamp as PostgreSQL text of the landing contract: UTC, microseconds, `Z`. */
const PG_ISO = `'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'`;

/**
 * A column's text on PostgreSQL, as `saleslake ingest` lands it: decimals with every digit, dates
 * as `YYYY-MM-DD`, timestamps in UTC (a `timestamp` without a zone is taken as UTC: the source
 * linked service's session is in UTC). Other types are selected as stored.
 */
export function postgresColumnText(kind: string, ref: string): string | undefined {
  switch (kind) {
    case "decimal":
      return `${ref}::text`;
    case "date":
      return `to_char(${ref}, 'YYYY-MM-DD')`;
    case "timestamp":
      return `to_char(${ref}::timestamptz AT TIME ZONE 'UTC', ${PG_ISO})`;
    default:
      return undefined;
  }
}

/** The source column names Copy selects, in the mapping's order. */
export function selectedSources(entity: Entity): string[] {
  return adfColumnMapping(entity).mappings.map((m) => m.source.name);
}

/** The watermark column's source name (a plain source column, checked by the caller). */
function watermarkSource(entity: Entity): string {
  if (entity.watermark.kind !== "column") throw new Error("not a column watermark");
  const name = entity.watermark.column;
  return entity.columns.find((c) => c.name === name)!.source;
}

/** The queries of `entity`'s source table `t`. */
export function sourceQueries(entity: Entity, t: ResolvedSourceTable): SourceQueries {
  const back = lookback(entity);
  // Decimals, dates and timestamps selected as the text the engines parse (as the local sources
  // read them), not as Copy's JSON sink would write its own types. The parts of composed
  // columns are selected as stored.
  const stored = new Map(entity.columns.filter((c) => !c.composedFrom).map((c) => [c.source, c]));
  const select = (quote: (s: string) => string, text: (s: string) => string | undefined) =>
    selectedSources(entity)
      .map((s) => {
        const t = text(s);
        return t === undefined ? quote(s) : `${t} AS ${quote(s)}`;
      })
      .join(", ");
  if (t.engine === "postgres") {
    const column = pgQuote(watermarkSource(entity));
    const table = `${pgQuote(t.schema)}.${pgQuote(t.table)}`;
    const selected = select(pgQuote, (s) => {
      const c = stored.get(s);
      return c && postgresColumnText(c.type.kind, pgQuote(s));
    });
    return {
      sourceType: "AzurePostgreSqlSource",
      queryProperty: "query",
      highMark: (end) =>
        `SELECT to_char(MAX(${column})::timestamptz AT TIME ZONE 'UTC', ${PG_ISO}) AS high_mark FROM ${table} WHERE ${column} <= '${end}'::timestamptz`,
      window: (low, high) =>
        `SELECT ${selected} FROM ${table} WHERE ${column} > '${low}'::timestamptz - interval '${back.amount} ${back.unit}s' AND ${column} <= '${high}'::timestamptz`,
      startDescription: back.description,
    };
  }
  const column = bracket(watermarkSource(entity));
  const table = `${bracket(t.schema)}.${bracket(t.table)}`;
  const selected = select(bracket, (s) => {
    const c = stored.get(s);
    return c && sqlServerColumnText(c, bracket(s));
  });
  const time = (text: string) => `CONVERT(datetime2, '${text}', 127)`;
  return {
    sourceType: "AzureSqlSource",
    queryProperty: "sqlReaderQuery",
    // Through datetime2(7), as the copy compares it: a legacy `datetime` column's own value
    // (.003 for .0033333) would read back below its newest rows and hold them a window.
    highMark: (end) =>
      `SELECT CAST(MAX(${column}) AS datetime2(7)) AS high_mark FROM ${table} WHERE ${column} <= ${time(end)}`,
    window: (low, high) =>
      `SELECT ${selected} FROM ${table} WHERE ${column} > DATEADD(${back.unit}, -${back.amount}, ${time(low)}) AND ${column} <= ${time(high)}`,
    startDescription: back.description,
  };
}
