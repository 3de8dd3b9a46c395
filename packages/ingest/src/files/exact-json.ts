/** JSON's own raw-text values (ES2025), which `JSON.stringify` writes back exactly as given. */
export const RawJson = JSON as unknown as {
  rawJSON(text: string): { readonly rawJSON: string };
  isRawJSON(value: unknown): value is { readonly rawJSON: string };
};
/** `JSON.parse` with the reviver's third argument, each primitive's source text (ES2025). */
const parseWithSource = JSON.parse as (
  text: string,
  reviver: (key: string, value: unknown, context: { source?: string }) => unknown,
) => unknown;

/**
 * Parses JSON text (an API response, a landed record), keeping every number whose text a
 * JavaScript number would change (digits past 2^53, more than 17 significant digits, `1.10`,
 * `1e400`) as its text, for landing as the API sent it: a bigint key such as 9007199254740993
 * is not read as its neighbour.
 */
export function parseExactJson(text: string): unknown {
  return parseWithSource(text, (_key, value, context) =>
    typeof value === "number" && context.source !== undefined && String(value) !== context.source
      ? RawJson.rawJSON(context.source)
      : value,
  );
}

/**
 * A JSON number's text as the engines read it from the landed file (DuckDB's
 * `json_extract_string`, which the Spark notebooks reproduce): an integer as written, past 2^53
 * and past 2^64 too (-0 as 0); a number with a fraction or an exponent as the double it reads
 * as, in its shortest digits, an exponent without +, .0 after a whole number (1.0, 2.00 and 1e0
 * as 1.0, 1.50 as 1.5, 1e2 as 100.0, 1e21, 1e-7); one no double holds (1e400) as written. The
 * schema's grammar checks this text, so an int column refuses 1.0 as the engines do.
 */
function engineNumberText(source: string): string {
  if (/^-?[0-9]+$/.test(source)) return source === "-0" ? "0" : source;
  const x = Number(source);
  if (!Number.isFinite(x)) return source;
  if (x === 0) return source.startsWith("-") ? "-0.0" : "0.0";
  const text = String(x);
  if (text.includes("e")) return text.replace("e+", "e");
  return text.includes(".") ? text : `${text}.0`;
}

/**
 * A JSON value as the engines read it from the landed text, for validation: a number (kept as
 * its text by `parseExactJson`, or a JavaScript number whose text is its source) as
 * `engineNumberText` gives it; an object or array as compact JSON, its numbers written so too,
 * as `json_extract_string` gives a nested value; text, booleans and null as they are.
 */
export function exactValue(value: unknown): unknown {
  if (RawJson.isRawJSON(value)) return engineNumberText(value.rawJSON);
  if (typeof value === "number") return engineNumberText(String(value));
  if (value === null || typeof value !== "object") return value;
  return JSON.stringify(value, (_key, v: unknown) =>
    RawJson.isRawJSON(v) || typeof v === "number" ? RawJson.rawJSON(exactValue(v) as string) : v,
  );
}

/** A record's fields as validation reads them (see `exactValue`): the record itself when it holds only text, booleans and nulls. */
export function exactRecord(record: Record<string, unknown>): Record<string, unknown> {
  const plain = (v: unknown) => v === null || typeof v === "string" || typeof v === "boolean";
  if (Object.values(record).every(plain)) return record;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, exactValue(v)]));
}
