import { z } from "zod";
import { parseWithPattern } from "../formats/datetime-pattern.ts";
import {
  BIGINT_RANGE,
  BOOLEAN_FALSE,
  BOOLEAN_TRUE,
  columnPattern,
  INT_RANGE,
  isoMicros,
  parseIsoTimestamp,
  plainDecimal,
  rawGrammar,
  typeLabel,
  utcMillis,
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

/** Unicode space separators (Zs) at either end of a value: what the SQL trims (trimSpacesSql). */
const SPACES = /^\p{Zs}+|\p{Zs}+$/gu;

/** Normalises a raw value as the SQL does: non-text trimmed, empty string as missing. */
function normalize(column: Column, value: RawValue): string | undefined {
  if (value === null || value === undefined) return undefined;
  let text = typeof value === "string" ? value : String(value);
  const isText = column.type.kind === "string" || column.type.kind === "enum";
  // Space separators only, as the SQL trims them (trimSpacesSql): tabs and line breaks are data.
  if (!isText) text = text.replace(SPACES, "");
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

function compare(column: Column, value: unknown, bound: number | string): number {
  const t = column.type.kind;
  if (t === "date" || t === "timestamp") {
    // Both sides as text of one width in UTC (`2024-01-01`, `2024-01-01T00:00:00.000000Z`), which
    // sorts as the instants do, to the microsecond. A bound without an offset is UTC, as a value is.
    const now = new Date().toISOString();
    const right =
      t === "date"
        ? (bound === NOW_BOUND ? now : String(bound)).slice(0, 10)
        : bound === NOW_BOUND
          ? `${now.slice(0, 23)}000Z`
          : parseIsoTimestamp(String(bound));
    // A bound that is no timestamp (an Entity built by hand) leaves the value unchecked.
    if (right === undefined) return 0;
    const left = String(value);
    return left < right ? -1 : left > right ? 1 : 0;
  }
  // Exact, digit by digit: a bigint beyond 2^53 or a decimal of 38 digits is no float.
  if (t === "decimal" || t === "bigint") return compareDecimal(String(value), bound);
  const a = value as number;
  const b = Number(bound);
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDecimal(a: string, bound: number | string): number {
  // defineEntity keeps decimal bounds plain; an Entity built by hand may hold any number text.
  // A bound that is no number leaves the value unchecked rather than failing the whole parse.
  const b = plainDecimal(bound);
  if (b === undefined) return 0;
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
        const text = v === null || v === undefined ? "" : String(v).replace(SPACES, "");
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
