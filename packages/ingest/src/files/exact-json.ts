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
 * A value as the engines read it from the landed text, for validation: a number kept as text
 * (see `parseExactJson`) is its digits when it is an integer (read exactly, past 2^53 too), and
 * a double otherwise, as the engines read any other number.
 */
export function exactValue(value: unknown): unknown {
  if (!RawJson.isRawJSON(value)) return value;
  return /^-?[0-9]+$/.test(value.rawJSON) ? value.rawJSON : Number(value.rawJSON);
}

/** A record's fields as validation reads them (see `exactValue`): the record itself when no number was kept as text. */
export function exactRecord(record: Record<string, unknown>): Record<string, unknown> {
  const values = Object.values(record);
  if (!values.some((v) => RawJson.isRawJSON(v))) return record;
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, exactValue(v)]));
}
