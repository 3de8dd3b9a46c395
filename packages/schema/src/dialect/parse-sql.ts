import { patternToSpark, patternToStrptime } from "../formats/datetime-pattern.ts";
import { BOOLEAN_FALSE, BOOLEAN_TRUE, columnPattern, rawGrammar } from "../formats/value-grammar.ts";
import type { Column } from "../model.ts";
import { type Dialect, quoteIdent, quoteString } from "./type-map.ts";

/** Engines that parse raw landed text. T-SQL tables are typed at the source and never parsed from text. */
export type ParseDialect = Exclude<Dialect, "tsql">;

/** The name of a column's normalised raw value inside the bronze relation. */
export const rawName = (column: string): string => `_raw_${column}`;

/**
 * SQL for the normalised raw text of a column: trimmed unless it is a string, empty as NULL,
 * number separators rewritten to plain digits and `.`. `rawOf(source)` gives the SQL of one
 * source column's text.
 */
export function normalizedRawSql(
  dialect: ParseDialect,
  column: Column,
  rawOf: (source: string) => string,
): string {
  const isText = column.type.kind === "string" || column.type.kind === "enum";
  const clean = (expr: string) => (isText ? `NULLIF(${expr}, '')` : `NULLIF(trim(${expr}), '')`);
  let expr: string;
  if (column.composedFrom) {
    // `||` yields NULL when any part is NULL, in both engines: a missing part means a missing value.
    const parts = column.composedFrom.sources.map((s) => `NULLIF(trim(${rawOf(s)}), '')`);
    expr = parts.join(` || ${quoteString(dialect, column.composedFrom.separator)} || `);
  } else {
    expr = clean(rawOf(column.source));
  }
  const nf = column.numberFormat;
  if (nf && !isText) {
    if (nf.groupSeparator) expr = `replace(${expr}, ${quoteString(dialect, nf.groupSeparator)}, '')`;
    if (nf.decimalSeparator !== ".")
      expr = `replace(${expr}, ${quoteString(dialect, nf.decimalSeparator)}, '.')`;
  }
  return expr;
}

function fullMatch(dialect: ParseDialect, expr: string, regex: string): string {
  return dialect === "duckdb"
    ? `regexp_full_match(${expr}, ${quoteString(dialect, regex)})`
    : `${expr} RLIKE ${quoteString(dialect, `^(${regex})$`)}`;
}

/** SQL for the typed value parsed from the normalised raw expression `raw`; NULL when it does not parse. */
export function typedFromRawSql(dialect: ParseDialect, column: Column, raw: string): string {
  const t = column.type;
  const pattern = columnPattern(column);
  const grammar = rawGrammar(t, pattern);
  const gated = (inner: string) =>
    grammar ? `CASE WHEN ${fullMatch(dialect, raw, grammar)} THEN ${inner} END` : inner;
  const tryCast = (type: string) =>
    dialect === "duckdb" ? `TRY_CAST(${raw} AS ${type})` : `try_cast(${raw} AS ${type})`;
  const lit = (v: string) => quoteString(dialect, v);
  switch (t.kind) {
    case "string":
    case "enum":
      return raw;
    case "int":
      return gated(tryCast(dialect === "duckdb" ? "INTEGER" : "INT"));
    case "bigint":
      return gated(tryCast("BIGINT"));
    case "decimal":
      return gated(tryCast(`DECIMAL(${t.precision}, ${t.scale})`));
    case "double":
      return gated(tryCast("DOUBLE"));
    case "boolean":
      return `CASE WHEN lower(${raw}) IN (${BOOLEAN_TRUE.map(lit).join(", ")}) THEN true WHEN lower(${raw}) IN (${BOOLEAN_FALSE.map(lit).join(", ")}) THEN false END`;
    case "date":
      return gated(
        dialect === "duckdb"
          ? `CAST(try_strptime(${raw}, ${lit(patternToStrptime(pattern!))}) AS DATE)`
          : `to_date(try_to_timestamp(${raw}, ${lit(patternToSpark(pattern!))}))`,
      );
    case "timestamp":
      if (!pattern) return gated(tryCast(dialect === "duckdb" ? "TIMESTAMPTZ" : "TIMESTAMP"));
      return gated(
        dialect === "duckdb"
          ? `CAST(try_strptime(${raw}, ${lit(patternToStrptime(pattern))}) AS TIMESTAMPTZ)`
          : `try_to_timestamp(${raw}, ${lit(patternToSpark(pattern))})`,
      );
  }
}

/** `typedFromRawSql` over the column's `_raw_<name>` column. */
export function typedFromRawColumnSql(dialect: ParseDialect, column: Column): string {
  return typedFromRawSql(dialect, column, quoteIdent(dialect, rawName(column.name)));
}
