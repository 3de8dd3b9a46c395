import {
  patternToSpark,
  patternToSparkFormat,
  patternToStrftime,
  patternToStrptime,
  patternUnit,
} from "../formats/datetime-pattern.ts";
import {
  BOOLEAN_FALSE,
  BOOLEAN_TRUE,
  columnPattern,
  rawGrammar,
  TIMESTAMP_RANGE,
} from "../formats/value-grammar.ts";
import type { Column } from "../model.ts";
import { type Dialect, quoteIdent, quoteString } from "./type-map.ts";

/** Engines that parse raw landed text. T-SQL tables are typed at the source and never parsed from text. */
export type ParseDialect = Exclude<Dialect, "tsql">;

/**
 * The space separators a raw value is trimmed of (Unicode's Zs: the space, the no-break space
 * spreadsheets export, the ideographic space, …; not tabs or line breaks), as DuckDB's
 * one-argument trim strips them, and the zod validator (SPACES).
 */
const SPACE_SEPARATORS = [0x20, 0xa0, 0x1680, ...range(0x2000, 0x200a), 0x202f, 0x205f, 0x3000];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/**
 * `expr` trimmed of space separators at both ends: DuckDB's trim (its fastest form, and the
 * one-argument trim strips exactly these); on Spark, whose trim takes the space alone, trim
 * with the characters given as `\uXXXX` escapes.
 */
export function trimSpacesSql(dialect: ParseDialect, expr: string): string {
  if (dialect === "duckdb") return `trim(${expr})`;
  const chars = SPACE_SEPARATORS.map((c) =>
    c === 0x20 ? " " : `\\u${c.toString(16).toUpperCase().padStart(4, "0")}`,
  );
  return `trim(BOTH '${chars.join("")}' FROM ${expr})`;
}

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
  const trim = (expr: string) => trimSpacesSql(dialect, expr);
  const clean = (expr: string) => (isText ? `NULLIF(${expr}, '')` : `NULLIF(${trim(expr)}, '')`);
  let expr: string;
  if (column.composedFrom) {
    // `||` yields NULL when any part is NULL, in both engines: a missing part means a missing value.
    const parts = column.composedFrom.sources.map((s) => `NULLIF(${trim(rawOf(s))}, '')`);
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
    case "timestamp": {
      if (!pattern)
        return gated(inTimestampRange(dialect, tryCast(dialect === "duckdb" ? "TIMESTAMPTZ" : "TIMESTAMP")));
      const parsed =
        dialect === "duckdb"
          ? `CAST(try_strptime(${raw}, ${lit(patternToStrptime(pattern))}) AS TIMESTAMPTZ)`
          : `try_to_timestamp(${raw}, ${lit(patternToSpark(pattern))})`;
      const offset = pattern.tokens.some((k) => k.kind === "field" && k.field === "offset");
      return gated(offset ? inTimestampRange(dialect, parsed) : parsed);
    }
  }
}

/**
 * `value`, or NULL when it falls outside TIMESTAMP_RANGE. The grammar holds a value's own year
 * to 0001-9999, but its offset can move it past them (`9999-12-31T23:59:59-05:00` is in year
 * 10000 in UTC), which both engines would keep and the validator refuses.
 */
function inTimestampRange(dialect: ParseDialect, value: string): string {
  const lit = (t: string) =>
    `${dialect === "duckdb" ? "TIMESTAMPTZ" : "TIMESTAMP"} ${quoteString(dialect, `${t}+00:00`)}`;
  return `CASE WHEN ${value} BETWEEN ${lit(TIMESTAMP_RANGE.min)} AND ${lit(TIMESTAMP_RANGE.max)} THEN ${value} END`;
}

/** `typedFromRawSql` over the column's `_raw_<name>` column. */
export function typedFromRawColumnSql(dialect: ParseDialect, column: Column): string {
  return typedFromRawSql(dialect, column, quoteIdent(dialect, rawName(column.name)));
}

/**
 * SQL for a floating-point value's text as JavaScript's `String(x)` writes it (ECMAScript
 * Number::toString): the shortest digits that read back as the value, plain from 1e-7 up to
 * 1e21 without a trailing `.0` (`14`, `12345678.5`, `0.0000015`), else `1.5e-7`, `1e+21`;
 * `NaN`, `Infinity`, `-Infinity`; `0` for -0. `text` is the engine's text of the value, plain
 * or scientific — DuckDB writes `1e+16` and `100.0`, Java `1.0E16` and `1.0E7` — with the
 * shortest digits (see duckdbFloatTextSql), so the two engines check and keep the same text, and a
 * whole number stored as a double (as pandas stores integer columns with nulls) parses as an
 * integer. Java before 19 writes some doubles with other digits than the shortest
 * (`1.9999999999999998E23` for 2e23): the Spark notebooks find a double's digits in Python,
 * as they do a float's.
 */
export function floatTextSql(text: string, parts: FloatParts): string {
  const { digits, exponent: exp } = parts;
  const k = `length(${digits})`;
  const n = `(${exp} + 1)`;
  const scientific = `CASE
      WHEN ${n} BETWEEN 1 AND 21 THEN CASE
        WHEN ${k} <= ${n} THEN ${digits} || repeat('0', greatest(${n} - ${k}, 0))
        ELSE substr(${digits}, 1, ${n}) || '.' || substr(${digits}, ${n} + 1) END
      WHEN ${n} BETWEEN -5 AND 0 THEN '0.' || repeat('0', greatest(-${n}, 0)) || ${digits}
      ELSE substr(${digits}, 1, 1) || CASE WHEN ${k} > 1 THEN '.' || substr(${digits}, 2) ELSE '' END
        || 'e' || CASE WHEN ${exp} >= 0 THEN '+' ELSE '-' END || CAST(abs(${exp}) AS STRING) END`;
  return `CASE
    WHEN ${text} IS NULL THEN NULL
    WHEN lower(${text}) IN ('nan', '-nan') THEN 'NaN'
    WHEN lower(${text}) IN ('inf', 'infinity') THEN 'Infinity'
    WHEN lower(${text}) IN ('-inf', '-infinity') THEN '-Infinity'
    WHEN regexp_extract(${text}, '^-?[0.]+(?:[eE][+-]?[0-9]+)?$', 0) <> '' THEN '0'
    WHEN ${text} LIKE '%e%' OR ${text} LIKE '%E%' THEN CASE WHEN ${text} LIKE '-%' THEN '-' ELSE '' END || ${scientific}
    ELSE regexp_replace(${text}, '[.]0$', '') END`;
}

/** The significant digits and the exponent of a float's scientific text (`-1.50e-07`: `15`, `-7`). */
export interface FloatParts {
  readonly digits: string;
  readonly exponent: string;
}

/**
 * SQL for the parts of a float's text that floatTextSql needs, for a scientific text (the engines'
 * is `[-]d[.F]e±N`, one digit before the point). Spark names them once, in columns of their own,
 * and passes the names to floatTextSql; DuckDB passes these expressions.
 */
export function floatPartsSql(text: string): FloatParts {
  const u = `regexp_replace(${text}, '^-', '')`;
  return {
    digits: `(substr(${u}, 1, 1) || regexp_replace(regexp_extract(${u}, '^[0-9][.]?([0-9]*)[eE]', 1), '0+$', ''))`,
    // 0 for a text without an exponent, which a column of the parts is computed for as well.
    exponent: `CAST(coalesce(nullif(regexp_extract(${u}, '[eE]([+-]?[0-9]+)$', 1), ''), '0') AS INT)`,
  };
}

/**
 * DuckDB SQL for a DOUBLE or FLOAT `value`'s text as floatTextSql writes it. A DOUBLE's own
 * text has the shortest digits, and is cheap enough to write into each branch. A FLOAT's does
 * not (1725938.3f is written `1725938.25`), so each precision is tried from one digit up,
 * correctly rounded (ties to even), until one reads back as the value; that search, and the
 * parts of its text, are named once by lambdas rather than repeated in every branch (1M floats:
 * 2.8 s, against 5.0 s with the parts repeated). The Spark notebooks search in Python.
 */
export function duckdbFloatTextSql(value: string, type: "DOUBLE" | "FLOAT"): string {
  if (type === "DOUBLE") {
    const text = `CAST(${value} AS VARCHAR)`;
    return floatTextSql(text, floatPartsSql(text));
  }
  const [p, s, t, f] = ["_precision", "_digits", "_text", "_parts"];
  const digits = `list_filter(list_transform(range(1, 10), lambda ${p}: printf('%.' || CAST(${p} - 1 AS VARCHAR) || 'e', ${value})), lambda ${s}: TRY_CAST(${s} AS FLOAT) = ${value})[1]`;
  const parts = floatPartsSql(t);
  const text = floatTextSql(t, { digits: `${f}['d']`, exponent: `${f}['e']` });
  return `list_transform([${digits}], lambda ${t}: list_transform([{'d': ${parts.digits}, 'e': ${parts.exponent}}], lambda ${f}: ${text})[1])[1]`;
}

/**
 * A date or timestamp as a database gives it in ISO 8601, in UTC (`2026-01-05`,
 * `2026-01-05T10:00:00.123456Z`; see sqlServerColumnText), with no digit past the microsecond
 * but zeros: the text typedDatetimeText writes in a column's pattern.
 */
const ISO_UTC_TEXT =
  "[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]{1,6}0{0,3})?Z?)?";

/**
 * SQL for the text a database's date or timestamp, landed as ISO 8601 text in UTC (`text`), is
 * checked as when it feeds `column`: written in the column's pattern when the pattern holds it
 * whole, NULL otherwise (other text, no real day, a value the pattern would cut), for the caller
 * to keep the text. What typedDatetimeText does as the local database sources read a value, for
 * a batch landed by Data Factory's Copy, read by either engine. Undefined as typedDatetimeTextSql.
 */
export function isoDatetimeTextSql(dialect: ParseDialect, column: Column, text: string): string | undefined {
  const value = `TRY_CAST(replace(replace(${text}, 'T', ' '), 'Z', '') AS TIMESTAMP)`;
  const typed = typedDatetimeTextSql(dialect, column, value, false);
  return typed && `CASE WHEN ${fullMatch(dialect, text, ISO_UTC_TEXT)} THEN ${typed} END`;
}

/**
 * SQL for the text a typed date or timestamp value from a source with types of its own (a
 * Parquet DATE or TIMESTAMP) is checked as, when it feeds `column`: the value written in the
 * column's pattern, so that a date column declared `d/M/yyyy` for its CSV files takes a Parquet
 * DATE, and a pandas timestamp at midnight, as the same day. `value` is a TIMESTAMP of the UTC
 * wall-clock time; `day`: it is a DATE cast to one, a whole day. A value the pattern cannot hold
 * whole (a time of day in a date column, seconds where the pattern has none) gives NULL, for the
 * caller to fall back to the value's own text, which the column's rules then refuse: nothing is
 * cut off. Undefined for a column whose rules already read every value's own text (a timestamp
 * of ISO 8601, the default).
 */
export function typedDatetimeTextSql(
  dialect: ParseDialect,
  column: Column,
  value: string,
  day: boolean,
): string | undefined {
  const pattern = columnPattern(column);
  if (!pattern) return undefined;
  // A value must be a whole one of the finest unit the pattern holds (a DATE is a whole day).
  const unit = patternUnit(pattern);
  const whole = [
    `year(${value}) BETWEEN 1 AND 9999`,
    ...(unit === "microsecond" || (unit === "day" && day)
      ? []
      : [`date_trunc('${unit}', ${value}) = ${value}`]),
  ];
  const text =
    dialect === "duckdb"
      ? `strftime(${value}, ${quoteString(dialect, patternToStrftime(pattern))})`
      : `date_format(${value}, ${quoteString(dialect, patternToSparkFormat(pattern))})`;
  return `CASE WHEN ${whole.join(" AND ")} THEN ${text} END`;
}
