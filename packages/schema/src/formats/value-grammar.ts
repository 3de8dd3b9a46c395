import type { Column, LogicalType } from "../model.ts";
import { type DatetimePattern, FIELD_REGEX, parseDatetimePattern, patternRegex } from "./datetime-pattern.ts";

/**
 * What a raw (text) value must look like to parse as a column's type. The same grammar gates
 * the SQL parse in every engine and the JavaScript validator, so they accept the same strings.
 * Raw values are first normalised: non-string types are trimmed, and an empty string is NULL.
 */

export const BOOLEAN_TRUE = ["true", "t", "yes", "y", "1"] as const;
export const BOOLEAN_FALSE = ["false", "f", "no", "n", "0"] as const;

export const INT_RANGE = { min: -(2n ** 31n), max: 2n ** 31n - 1n } as const;
export const BIGINT_RANGE = { min: -(2n ** 63n), max: 2n ** 63n - 1n } as const;

export const DEFAULT_DATE_FORMAT = "yyyy-MM-dd";
const ISO_DATE = `${FIELD_REGEX.year}-${FIELD_REGEX.month[1]}-${FIELD_REGEX.day[1]}`;
const ISO_TIME = `${FIELD_REGEX.hour[1]}:${FIELD_REGEX.minute[1]}`;
const ISO_SECONDS = `:${FIELD_REGEX.minute[1]}(?:[.][0-9]{1,9})?`;
/** ISO 8601 date. */
export const ISO_DATE_REGEX = ISO_DATE;
/**
 * ISO 8601 timestamp: a date, optionally a time (seconds and up to 9 fraction digits
 * optional); an offset (`Z`, `±HH:MM` within ±18:00) needs the seconds. Without an offset: UTC.
 * Timestamps are stored to the microsecond: DuckDB, Spark and the validator all drop the digits
 * past the sixth (Azure SQL's `datetime2` has seven, .NET's round-trip format writes seven).
 */
export const ISO_TIMESTAMP_REGEX = `${ISO_DATE}(?:[T ]${ISO_TIME}(?:${ISO_SECONDS})?|[T ]${ISO_TIME}${ISO_SECONDS}(?:Z|${FIELD_REGEX.offset[1]}))?`;

/** The regex (no anchors) a normalised raw value must fully match, or undefined for free text. */
export function rawGrammar(type: LogicalType, pattern: DatetimePattern | undefined): string | undefined {
  switch (type.kind) {
    case "string":
    case "enum":
    case "boolean":
      return undefined;
    case "int":
      return "[+-]?[0-9]{1,10}";
    case "bigint":
      return "[+-]?[0-9]{1,19}";
    case "decimal": {
      // Digits past the scale are allowed when they are zeros, as leading zeros are: a typed
      // source of a wider scale writes them (3.5000 from a Parquet decimal(18,4) into
      // decimal(12,2)), and the cast loses nothing. Any other digit there would be rounded away.
      const ip = type.precision - type.scale;
      const intPart = ip > 0 ? `0*[0-9]{1,${ip}}` : "0*";
      const frac = type.scale > 0 ? `(?:[.][0-9]{0,${type.scale}}0*)?` : "(?:[.]0*)?";
      const fracOnly = type.scale > 0 ? `|[.][0-9]{1,${type.scale}}0*` : "";
      return `[+-]?(?:${intPart}${frac}${fracOnly})`;
    }
    case "double":
      return "[+-]?(?:[0-9]{1,20}(?:[.][0-9]{0,20})?|[.][0-9]{1,20})(?:[eE][+-]?[0-9]{1,2})?";
    case "date":
    case "timestamp":
      return pattern
        ? patternRegex(pattern)
        : type.kind === "date"
          ? "[0-9]{4}-[0-9]{2}-[0-9]{2}"
          : ISO_TIMESTAMP_REGEX;
  }
}

/** The column's parsed date/timestamp pattern; dates default to `yyyy-MM-dd`, timestamps to ISO 8601. */
export function columnPattern(column: Column): DatetimePattern | undefined {
  if (column.type.kind === "date")
    return parseDatetimePattern(column.format ?? DEFAULT_DATE_FORMAT, column.name);
  if (column.type.kind === "timestamp" && column.format)
    return parseDatetimePattern(column.format, column.name);
  return undefined;
}

export function typeLabel(column: Column): string {
  const t = column.type;
  const base = t.kind === "decimal" ? `decimal(${t.precision},${t.scale})` : t.kind;
  return column.format ? `${base} in format ${column.format}` : base;
}
