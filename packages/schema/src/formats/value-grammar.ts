import type { Column, LogicalType } from "../model.ts";
import {
  type DatetimePattern,
  daysInMonth,
  FIELD_REGEX,
  parseDatetimePattern,
  patternRegex,
} from "./datetime-pattern.ts";

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
      // At least one digit, before or after the point: a bare sign or point is no number.
      const intPart = ip > 0 ? `0*[0-9]{1,${ip}}` : "0+";
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

const NUMBER_PARTS = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * A number, or its text (`1e-7`, `"1E3"`, `"-0012.50"`), as plain decimal text without an
 * exponent, leading zeros or trailing fraction zeros (`0.0000001`, `1000`, `-12.5`): exact, no
 * float on the way for text. Undefined for what is not a finite number.
 */
export function plainDecimal(value: number | string): string | undefined {
  if (typeof value === "number" && !Number.isFinite(value)) return undefined;
  const m = NUMBER_PARTS.exec(String(value));
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) return undefined;
  const exp = Number(m[4] ?? 0);
  // A bound's exponent moves the point; beyond a few hundred places no column type holds it.
  if (!Number.isSafeInteger(exp) || Math.abs(exp) > 400) return undefined;
  const digits = m[2]! + (m[3] ?? "");
  const point = m[2]!.length + exp;
  const padded =
    point <= 0
      ? { int: "0", frac: "0".repeat(-point) + digits }
      : point >= digits.length
        ? { int: digits + "0".repeat(point - digits.length), frac: "" }
        : { int: digits.slice(0, point), frac: digits.slice(point) };
  const int = padded.int.replace(/^0+(?=.)/, "");
  const frac = padded.frac.replace(/0+$/, "");
  const text = frac ? `${int}.${frac}` : int;
  return m[1] === "-" && /[1-9]/.test(text) ? `-${text}` : text;
}

/** Date.UTC maps years 0-99 to 1900-1999; this does not. */
export function utcMillis(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

/**
 * The first and last instants a timestamp may be, in UTC: the years a date may have. A value
 * whose offset moves it past them (`9999-12-31T23:59:59-05:00`) is not a valid timestamp, as a
 * date of year 10000 is not a valid date.
 */
export const TIMESTAMP_RANGE = { min: "0001-01-01 00:00:00", max: "9999-12-31 23:59:59.999999" } as const;

/**
 * `ms` (a whole second) and `micros` as ISO 8601 in UTC, to the microsecond
 * (`2024-01-01T10:00:00.000000Z`); undefined outside TIMESTAMP_RANGE.
 */
export function isoMicros(ms: number, micros: number): string | undefined {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return undefined;
  const year = d.getUTCFullYear();
  if (year < 1 || year > 9999) return undefined;
  return `${d.toISOString().slice(0, 19)}.${String(micros).padStart(6, "0")}Z`;
}

const ISO_PARTS =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?)?(Z|[+-][0-9]{2}:[0-9]{2})?$/;

/**
 * Parses text that already matched the ISO grammar (or a timestamp bound's) to ISO 8601 in UTC,
 * to the microsecond; text without an offset is UTC.
 */
export function parseIsoTimestamp(text: string): string | undefined {
  const m = ISO_PARTS.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (day > daysInMonth(year, month)) return undefined;
  const off = m[8];
  const offsetMinutes =
    !off || off === "Z"
      ? 0
      : (off[0] === "-" ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6)));
  // Microseconds, as DuckDB and Spark store them: digits past the sixth are dropped, not rounded.
  const micros = Number((m[7] ?? "").slice(0, 6).padEnd(6, "0"));
  return isoMicros(utcMillis(year, month, day, hour, minute, second) - offsetMinutes * 60_000, micros);
}
