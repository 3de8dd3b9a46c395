import { z } from "zod";
import { daysInMonth, parseWithPattern } from "../formats/datetime-pattern.ts";
import {
  BIGINT_RANGE,
  BOOLEAN_FALSE,
  BOOLEAN_TRUE,
  columnPattern,
  INT_RANGE,
  rawGrammar,
  typeLabel,
} from "../formats/value-grammar.ts";
import type { Column, Entity } from "../model.ts";
import { NOW_BOUND } from "./quality-rules.ts";

/**
 * A record-at-a-time validator, for API pages and SDK users. It takes a raw record keyed by
 * column name (text, or JSON numbers and booleans), parses each value with the same grammar
 * and formats as the engines' bulk SQL, checks the same rules, and returns typed values.
 * Issue messages start with the rule id (`revenue.min: …`), as quarantine rows do.
 * SQL-only checks (custom `check` rules) run in the engine, not here.
 */

export type RawValue = string | number | boolean | bigint | null | undefined;

const rawValue = z.union([z.string(), z.number(), z.boolean(), z.bigint(), z.null(), z.undefined()]);

/** Normalises a raw value as the SQL does: non-text trimmed, empty string as missing. */
function normalize(column: Column, value: RawValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  let text = typeof value === "string" ? value : String(value);
  const isText = column.type.kind === "string" || column.type.kind === "enum";
  // Only spaces, as SQL trim() does in DuckDB and Spark: tabs and other whitespace are data.
  if (!isText) text = text.replace(/^ +| +$/g, "");
  if (text === "") return undefined;
  const nf = column.numberFormat;
  if (nf && !isText) {
    if (nf.groupSeparator) text = text.split(nf.groupSeparator).join("");
    if (nf.decimalSeparator !== ".") text = text.split(nf.decimalSeparator).join(".");
  }
  return text;
}

const pad = (n: number, w = 2) => String(n).padStart(w, "0");

/** Parses normalised text to the column's typed value, or undefined. */
export function parseValue(column: Column, text: string): unknown {
  const t = column.type;
  const pattern = columnPattern(column);
  const grammar = rawGrammar(t, pattern);
  if (grammar && !new RegExp(`^(?:${grammar})$`).test(text)) return undefined;
  switch (t.kind) {
    case "string":
    case "enum":
      return text;
    case "int": {
      const v = BigInt(text);
      return v < INT_RANGE.min || v > INT_RANGE.max ? undefined : Number(v);
    }
    case "bigint": {
      const v = BigInt(text);
      return v < BIGINT_RANGE.min || v > BIGINT_RANGE.max ? undefined : v;
    }
    case "decimal":
      return canonicalDecimal(text, t.scale);
    case "double":
      return Number(text);
    case "boolean": {
      const l = text.toLowerCase();
      if ((BOOLEAN_TRUE as readonly string[]).includes(l)) return true;
      if ((BOOLEAN_FALSE as readonly string[]).includes(l)) return false;
      return undefined;
    }
    case "date": {
      const d = parseWithPattern(pattern!, text);
      return d && `${pad(d.year, 4)}-${pad(d.month)}-${pad(d.day)}`;
    }
    case "timestamp": {
      if (pattern) {
        const d = parseWithPattern(pattern, text);
        if (!d) return undefined;
        const ms = utcMillis(d.year, d.month, d.day, d.hour, d.minute, d.second) - d.offsetMinutes * 60_000;
        return isoMicros(ms, d.micros);
      }
      return parseIsoTimestamp(text);
    }
  }
}

/** `-012.50` → `-12.50` at the column's scale: exact, no float on the way. */
function canonicalDecimal(text: string, scale: number): string {
  let s = text;
  let sign = "";
  if (s[0] === "+" || s[0] === "-") {
    sign = s[0] === "-" ? "-" : "";
    s = s.slice(1);
  }
  const [ip = "", fp = ""] = s.split(".");
  const int = ip.replace(/^0+(?=.)/, "") || "0";
  // The grammar lets only zeros stand past the scale.
  const frac = fp.slice(0, scale).padEnd(scale, "0");
  const out = scale > 0 ? `${int}.${frac}` : int;
  return /^0(\.0*)?$/.test(out) ? out : sign + out;
}

/** Date.UTC maps years 0-99 to 1900-1999; this does not. */
function utcMillis(
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

function isoMicros(ms: number, micros: number): string | undefined {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return undefined;
  return `${d.toISOString().slice(0, 19)}.${pad(micros, 6)}Z`;
}

const ISO_PARTS =
  /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?)?(Z|[+-][0-9]{2}:[0-9]{2})?$/;

/** Parses text that already matched the ISO grammar. */
function parseIsoTimestamp(text: string): string | undefined {
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

function compare(column: Column, value: unknown, bound: number | string): number {
  const t = column.type.kind;
  if (t === "date" || t === "timestamp") {
    const now = new Date().toISOString();
    const b = bound === NOW_BOUND ? (t === "date" ? now.slice(0, 10) : now) : String(bound);
    const left = t === "date" ? String(value) : Date.parse(String(value));
    const right = t === "date" ? b.slice(0, 10) : Date.parse(b);
    return left < right ? -1 : left > right ? 1 : 0;
  }
  if (t === "decimal") return compareDecimal(String(value), String(bound));
  if (t === "bigint") {
    const a = value as bigint;
    const b = BigInt(bound);
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const a = value as number;
  const b = Number(bound);
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDecimal(a: string, b: string): number {
  const scale = Math.max((a.split(".")[1] ?? "").length, (b.split(".")[1] ?? "").length);
  const toInt = (s: string) => {
    const neg = s.startsWith("-");
    const [ip = "0", fp = ""] = s.replace(/^[+-]/, "").split(".");
    const v = BigInt(ip + fp.padEnd(scale, "0"));
    return neg ? -v : v;
  };
  const x = toInt(a);
  const y = toInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const codePoints = (s: string) => [...s].length;

/** The rules a column's value breaks, as `rule id: message`; empty when it passes. */
export function columnIssues(
  column: Column,
  raw: RawValue,
): { value: unknown; issues: string[]; warnings: string[] } {
  const name = column.name;
  const text = normalize(column, raw);
  if (text === undefined) {
    if (!column.nullable)
      return { value: null, issues: [`${name}.not_null: ${name}: a value is required`], warnings: [] };
    const warnings = column.constraints.warnIfMissing ? [`${name}.missing: ${name}: value is missing`] : [];
    return { value: null, issues: [], warnings };
  }
  const value = parseValue(column, text);
  if (value === undefined) {
    return {
      value: null,
      issues: [`${name}.parse: ${name}: not a valid ${typeLabel(column)}`],
      warnings: [],
    };
  }
  const issues: string[] = [];
  const c = column.constraints;
  if (c.min !== undefined && compare(column, value, c.min) < 0)
    issues.push(`${name}.min: ${name}: below the minimum ${c.min}`);
  if (c.max !== undefined && compare(column, value, c.max) > 0) {
    issues.push(
      `${name}.max: ${name}: ${c.max === NOW_BOUND ? "in the future" : `above the maximum ${c.max}`}`,
    );
  }
  if (typeof value === "string" && column.type.kind === "string") {
    if (c.minLength !== undefined && codePoints(value) < c.minLength) {
      issues.push(`${name}.min_length: ${name}: shorter than ${c.minLength} characters`);
    }
    if (c.maxLength !== undefined && codePoints(value) > c.maxLength) {
      issues.push(`${name}.max_length: ${name}: longer than ${c.maxLength} characters`);
    }
    if (c.pattern !== undefined && !new RegExp(`^(?:${c.pattern})$`, "u").test(value)) {
      issues.push(`${name}.pattern: ${name}: does not match the pattern ${c.pattern}`);
    }
  }
  if (column.type.kind === "enum" && !column.type.values.includes(value as string)) {
    issues.push(`${name}.enum: ${name}: not one of ${column.type.values.join(", ")}`);
  }
  return { value, issues, warnings: [] };
}

/**
 * The zod schema of an entity's raw record (keyed by column name). Parsing returns the typed
 * record; failures carry one issue per broken rule, path = column, message = `rule id: text`.
 */
export function zodValidator(entity: Entity) {
  const shape: Record<string, typeof rawValue> = {};
  for (const c of entity.columns) shape[c.name] = rawValue;
  return z
    .object(shape)
    .loose()
    .transform((record, ctx) => {
      const out: Record<string, unknown> = {};
      for (const column of entity.columns) {
        const { value, issues } = columnIssues(column, record[column.name] as RawValue);
        for (const message of issues) ctx.addIssue({ code: "custom", path: [column.name], message });
        out[column.name] = value;
      }
      return out;
    });
}

/**
 * Maps a record keyed by source names (CSV header, API fields) to column names, matching
 * `column.source` and aliases case-insensitively. Composed columns are joined as the SQL does.
 */
export function recordFromSource(entity: Entity, source: Record<string, RawValue>): Record<string, RawValue> {
  const lower = new Map<string, RawValue>();
  for (const [k, v] of Object.entries(source)) lower.set(k.toLowerCase(), v);
  const out: Record<string, RawValue> = {};
  for (const c of entity.columns) {
    if (c.composedFrom) {
      const parts = c.composedFrom.sources.map((s) => {
        const v = lower.get(s.toLowerCase());
        const text = v === null || v === undefined ? "" : String(v).trim();
        return text === "" ? undefined : text;
      });
      out[c.name] = parts.some((p) => p === undefined) ? null : parts.join(c.composedFrom.separator);
      continue;
    }
    const names = [c.source, ...c.aliases].map((n) => n.toLowerCase());
    const hit = names.find((n) => lower.has(n));
    out[c.name] = hit === undefined ? null : lower.get(hit);
  }
  return out;
}
