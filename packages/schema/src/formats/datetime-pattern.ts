import { SchemaError } from "../errors.ts";

/**
 * Date and timestamp parse patterns, in the Java / Spark pattern letters users already know
 * (`d/M/yyyy`, `M/d/yyyy H:mm`, `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`). One parsed pattern renders to
 * each engine's syntax and to a JavaScript parser, so all of them accept the same strings.
 */

export type PatternField = "year" | "month" | "day" | "hour" | "minute" | "second" | "fraction" | "offset";

export type PatternToken =
  | { readonly kind: "field"; readonly field: PatternField; readonly letters: string }
  | { readonly kind: "literal"; readonly text: string };

export interface DatetimePattern {
  readonly source: string;
  readonly tokens: readonly PatternToken[];
  readonly hasTime: boolean;
}

const FIELD_LETTERS: Record<string, { field: PatternField; lengths: readonly number[] }> = {
  y: { field: "year", lengths: [4] },
  M: { field: "month", lengths: [1, 2] },
  d: { field: "day", lengths: [1, 2] },
  H: { field: "hour", lengths: [1, 2] },
  m: { field: "minute", lengths: [1, 2] },
  s: { field: "second", lengths: [1, 2] },
  S: { field: "fraction", lengths: [3, 6] },
  /** `X` is `+HH`, `XXX` is `+HH:MM`; `Z` is not accepted by every engine's pattern parser. */
  X: { field: "offset", lengths: [1, 3] },
};

const LITERAL_CHARS = new Set(["-", "/", ":", ".", " ", ",", "T"]);

export function parseDatetimePattern(pattern: string, what: string): DatetimePattern {
  const tokens: PatternToken[] = [];
  const fail = (why: string): never => {
    throw new SchemaError(
      "INVALID_FORMAT",
      `${what}: format ${JSON.stringify(pattern)} ${why}`,
      "Use letters yyyy M MM d dd H HH m mm s ss SSS SSSSSS XXX with separators - / : . space, and 'T' in quotes.",
    );
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) fail("has an unclosed quote");
      const text = pattern.slice(i + 1, end);
      if (![...text].every((c) => LITERAL_CHARS.has(c))) fail(`quotes an unsupported literal ${text}`);
      tokens.push({ kind: "literal", text });
      i = end + 1;
      continue;
    }
    const spec = FIELD_LETTERS[ch];
    if (spec) {
      let j = i;
      while (pattern[j] === ch) j++;
      const letters = pattern.slice(i, j);
      if (!spec.lengths.includes(letters.length)) fail(`uses ${letters}, which is not supported`);
      if (tokens.some((t) => t.kind === "field" && t.field === spec.field)) fail(`repeats ${spec.field}`);
      tokens.push({ kind: "field", field: spec.field, letters });
      i = j;
      continue;
    }
    if (LITERAL_CHARS.has(ch) && ch !== "T") {
      tokens.push({ kind: "literal", text: ch });
      i++;
      continue;
    }
    fail(`has an unsupported character ${JSON.stringify(ch)}`);
  }
  const fields = new Set(tokens.flatMap((t) => (t.kind === "field" ? [t.field] : [])));
  for (const f of ["year", "month", "day"] as const) if (!fields.has(f)) fail(`has no ${f}`);
  if (fields.has("minute") && !fields.has("hour")) fail("has minutes without hours");
  if (fields.has("second") && !fields.has("minute")) fail("has seconds without minutes");
  if (fields.has("fraction") && !fields.has("second")) fail("has fractions without seconds");
  return { source: pattern, tokens, hasTime: fields.has("hour") };
}

/** Literals are only `- / : . , space T`; of these only `.` is special, written `[.]` to stay backslash-free. */
const escapeRegex = (s: string) => s.replace(/\./g, "[.]");

/** Per-field grammar: exact ranges, so no engine rolls an out-of-range value over (hour 24, minute 60). */
export const FIELD_REGEX = {
  year: "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})",
  month: ["(?:0?[1-9]|1[0-2])", "(?:0[1-9]|1[0-2])"],
  day: ["(?:0?[1-9]|[12][0-9]|3[01])", "(?:0[1-9]|[12][0-9]|3[01])"],
  hour: ["(?:[01]?[0-9]|2[0-3])", "(?:[01][0-9]|2[0-3])"],
  minute: ["(?:[0-5]?[0-9])", "(?:[0-5][0-9])"],
  /** Offsets within ±18:00, the range every engine accepts. */
  offset: ["[+-](?:0[0-9]|1[0-7]|18)", "[+-](?:(?:0[0-9]|1[0-7]):[0-5][0-9]|18:00)"],
} as const;

function fieldRegex(t: Extract<PatternToken, { kind: "field" }>): string {
  const short = t.letters.length === 1 ? 0 : 1;
  switch (t.field) {
    case "year":
      return FIELD_REGEX.year;
    case "fraction":
      return `[0-9]{${t.letters.length}}`;
    case "offset":
      return FIELD_REGEX.offset[short];
    case "second":
      return FIELD_REGEX.minute[short];
    default:
      return FIELD_REGEX[t.field][short];
  }
}

/** A regular expression (no anchors) in the subset JS, RE2 and Java agree on. */
export function patternRegex(p: DatetimePattern): string {
  return p.tokens.map((t) => (t.kind === "literal" ? escapeRegex(t.text) : fieldRegex(t))).join("");
}

/** DuckDB's specifier of each numeric field. */
const DUCKDB_SPECIFIER = { year: "Y", month: "m", day: "d", hour: "H", minute: "M", second: "S" } as const;

/**
 * DuckDB format of the pattern: for `strptime` (`parse`), or for `strftime` writing a UTC value
 * (`write`: one letter unpadded, two padded, the offset as `+00` or `+00:00`, see
 * typedDatetimeTextSql).
 */
function duckdbFormat(p: DatetimePattern, use: "parse" | "write"): string {
  return p.tokens
    .map((t) => {
      if (t.kind === "literal") return t.text.replace(/%/g, "%%");
      if (t.field === "fraction") return t.letters.length === 3 ? "%g" : "%f";
      if (t.field === "offset") return use === "parse" ? "%z" : utcOffset(t);
      const unpadded = use === "write" && t.field !== "year" && t.letters.length === 1;
      return `%${unpadded ? "-" : ""}${DUCKDB_SPECIFIER[t.field]}`;
    })
    .join("");
}

/** DuckDB `strptime` format. */
export function patternToStrptime(p: DatetimePattern): string {
  return duckdbFormat(p, "parse");
}

/** DuckDB `strftime` format writing a UTC value in the pattern (see duckdbFormat). */
export function patternToStrftime(p: DatetimePattern): string {
  return duckdbFormat(p, "write");
}

/** The offset of UTC as the pattern writes it: `+00` for `X`, `+00:00` for `XXX`. */
const utcOffset = (t: Extract<PatternToken, { kind: "field" }>) =>
  t.letters.length === 1 ? "+00" : "+00:00";

/**
 * Spark `date_format` pattern writing a UTC value in the pattern: Spark's own, but for the
 * offset, written as a literal (`XXX` writes `Z` for UTC, which the pattern does not read).
 */
export function patternToSparkFormat(p: DatetimePattern): string {
  return p.tokens
    .map((t) =>
      t.kind === "literal"
        ? t.text === "T"
          ? "'T'"
          : t.text
        : t.field === "offset"
          ? `'${utcOffset(t)}'`
          : t.letters,
    )
    .join("");
}

/** Spark datetime pattern (Java letters, literals quoted). */
export function patternToSpark(p: DatetimePattern): string {
  return p.tokens.map((t) => (t.kind === "literal" ? (t.text === "T" ? "'T'" : t.text) : t.letters)).join("");
}

/** .NET / T-SQL has no pattern parse; conversions use the regex gate plus DATEFROMPARTS. */
export interface ParsedDatetime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  micros: number;
  offsetMinutes: number;
}

/** Parses `text` with the pattern; `undefined` when it does not match or is not a real date. */
export function parseWithPattern(p: DatetimePattern, text: string): ParsedDatetime | undefined {
  const source = p.tokens.map((t) =>
    t.kind === "literal" ? escapeRegex(t.text) : `(?<${t.field}>${fieldRegex(t)})`,
  );
  const g = new RegExp(`^${source.join("")}$`).exec(text)?.groups;
  if (!g) return undefined;
  const num = (v: string | undefined) => Number(v ?? 0);
  const off = g.offset;
  const out: ParsedDatetime = {
    year: num(g.year),
    month: num(g.month),
    day: num(g.day),
    hour: num(g.hour),
    minute: num(g.minute),
    second: num(g.second),
    micros: Number((g.fraction ?? "").padEnd(6, "0")),
    offsetMinutes: off
      ? (off[0] === "-" ? -1 : 1) * (Number(off.slice(1, 3)) * 60 + Number(off.slice(4, 6) || 0))
      : 0,
  };
  return isValidDatetime(out) ? out : undefined;
}

/** The units a pattern can end in, coarsest first. */
const PATTERN_UNITS = ["day", "hour", "minute", "second", "millisecond", "microsecond"] as const;
export type PatternUnit = (typeof PATTERN_UNITS)[number];

/** The finest unit the pattern writes: a typed value it holds whole is a whole one of it. */
export function patternUnit(p: DatetimePattern): PatternUnit {
  const fields = new Map(p.tokens.flatMap((t) => (t.kind === "field" ? [[t.field, t.letters]] : [])));
  const fraction = fields.get("fraction");
  if (fraction) return fraction.length === 3 ? "millisecond" : "microsecond";
  return (["second", "minute", "hour"] as const).find((f) => fields.has(f)) ?? "day";
}

const ISO_UTC = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z?)?$/;

/**
 * The text of a typed date or timestamp a database gave as ISO 8601 in UTC (`2026-01-05`,
 * `2026-01-05T10:00:00.123456Z`), written in the pattern when the pattern holds it whole, as
 * typedDatetimeTextSql writes a Parquet file's; any other text, or a value the pattern would cut
 * (a time of day in a date, seconds where it has none), as it is, for the rules to judge.
 */
export function typedDatetimeText(p: DatetimePattern, text: string): string {
  const m = ISO_UTC.exec(text);
  if (!m) return text;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((v) => Number(v ?? 0)) as number[];
  const digits = (m[7] ?? "").padEnd(9, "0");
  const d: ParsedDatetime = {
    year: year!,
    month: month!,
    day: day!,
    hour: hour!,
    minute: minute!,
    second: second!,
    micros: Number(digits.slice(0, 6)),
    offsetMinutes: 0,
  };
  // Whole in the pattern's finest unit: the time fields below it zero, and the fraction's digits past it.
  const k = PATTERN_UNITS.indexOf(patternUnit(p));
  const cut =
    [d.hour, d.minute, d.second].slice(k).some((v) => v !== 0) ||
    /[1-9]/.test(digits.slice(Math.max(0, k - 3) * 3));
  if (cut || !isValidDatetime(d)) return text;
  const pad = (n: number, letters: string) => String(n).padStart(letters.length, "0");
  return p.tokens
    .map((t) => {
      if (t.kind === "literal") return t.text;
      switch (t.field) {
        case "year":
          return pad(d.year, "yyyy");
        case "fraction":
          return digits.slice(0, t.letters.length);
        case "offset":
          return utcOffset(t);
        default:
          return pad(d[t.field], t.letters);
      }
    })
    .join("");
}

export function isValidDatetime(d: ParsedDatetime): boolean {
  if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  if (d.day > daysInMonth(d.year, d.month)) return false;
  return d.hour <= 23 && d.minute <= 59 && d.second <= 59 && Math.abs(d.offsetMinutes) <= 18 * 60;
}

export function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}
