import type { Column, Entity } from "../model.ts";
import { NOW_BOUND } from "./quality-rules.ts";

type JsonSchema = Record<string, unknown>;

/**
 * The end of the text in a `pattern`. ECMA-262 (ajv) reads `$` as the end only, but Python's `re`
 * (python-jsonschema) also matches `$` before a final line break, so `^(?:C[0-9]{6})$` alone
 * would let `"C123456\n"` through there. The lookahead refuses that line break in Python and
 * changes nothing in ECMA-262.
 */
const END = "$(?!\\n)";

function decimalPattern(precision: number, scale: number): string {
  const ip = precision - scale;
  const int = ip > 0 ? `(0|[1-9][0-9]{0,${ip - 1}})` : "0";
  return scale > 0 ? `^-?${int}\\.[0-9]{${scale}}${END}` : `^-?${int}${END}`;
}

/**
 * A numeric bound as a JSON number, whether it was given as a number or as text (`.min("1")`);
 * undefined when there is none, or when a whole number is beyond 2^53, where a JSON number is
 * not exact.
 */
function jsonNumber(
  kind: "int" | "bigint" | "double",
  bound: number | string | undefined,
): number | undefined {
  if (bound === undefined) return undefined;
  const n = Number(bound);
  if (kind !== "double" && !Number.isSafeInteger(n)) return undefined;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The length and pattern keywords of a string column, stating what the validator accepts.
 * The validator does not trim text columns (only other types lose their space separators), so
 * `" "`, `"\u00a0"` or `"\t"` is a value like any other, checked against the constraints; only
 * the empty string is missing. A NOT NULL column therefore refuses `""` (the not-null rule) and
 * nothing else beyond its constraints. A nullable column takes `""` as null, so `""` passes even
 * where the length or the pattern would refuse it. Lengths are counted in code points, by the
 * validator and by JSON Schema alike.
 */
function stringConstraints(c: Column): JsonSchema {
  const { minLength, maxLength, pattern } = c.constraints;
  const s: JsonSchema = {};
  if (!c.nullable) {
    s.minLength = Math.max(1, minLength ?? 0);
    if (maxLength !== undefined) s.maxLength = maxLength;
    if (pattern !== undefined) s.pattern = `^(?:${pattern})${END}`;
    return s;
  }
  if (maxLength !== undefined) s.maxLength = maxLength;
  // The pattern or the empty string: `?` makes the whole pattern optional.
  if (pattern !== undefined) s.pattern = `^(?:${pattern})?${END}`;
  // A minimum length, unless the string is empty: a bare minLength would refuse "".
  if (minLength !== undefined && minLength > 0) s.anyOf = [{ const: "" }, { minLength }];
  return s;
}

function columnSchema(c: Column): JsonSchema {
  const s: JsonSchema = {};
  const t = c.type;
  switch (t.kind) {
    case "string":
      s.type = "string";
      Object.assign(s, stringConstraints(c));
      break;
    case "enum":
      s.type = "string";
      s.enum = [...t.values];
      break;
    case "int":
      s.type = "integer";
      s.minimum = -2147483648;
      s.maximum = 2147483647;
      break;
    case "bigint":
      s.type = "integer";
      break;
    case "decimal":
      // Exact decimals travel as strings at the column's scale, as the validator returns them.
      s.type = "string";
      s.pattern = decimalPattern(t.precision, t.scale);
      break;
    case "double":
      s.type = "number";
      break;
    case "boolean":
      s.type = "boolean";
      break;
    case "date":
      s.type = "string";
      s.format = "date";
      break;
    case "timestamp":
      s.type = "string";
      s.format = "date-time";
      break;
  }
  const numeric = t.kind === "int" || t.kind === "bigint" || t.kind === "double";
  const min = numeric ? jsonNumber(t.kind, c.constraints.min) : undefined;
  const max = numeric ? jsonNumber(t.kind, c.constraints.max) : undefined;
  if (min !== undefined) s.minimum = min;
  if (max !== undefined) s.maximum = max;
  // Bounds JSON Schema cannot state exactly are kept as text for tools that read them.
  if (min === undefined && t.kind !== "string" && t.kind !== "enum" && c.constraints.min !== undefined) {
    s["x-saleslake-min"] = c.constraints.min;
  }
  if (max === undefined && t.kind !== "string" && t.kind !== "enum" && c.constraints.max !== undefined) {
    s["x-saleslake-max"] = c.constraints.max === NOW_BOUND ? "now" : c.constraints.max;
  }
  if (c.nullable) {
    s.type = [s.type as string, "null"];
    // `enum` is checked apart from `type`: without null in it, a null value fails the schema;
    // the empty string, which the validator reads as null, likewise.
    if (Array.isArray(s.enum)) s.enum = [...s.enum, null, ""];
  }
  if (c.description) s.description = c.description;
  if (c.pii) s["x-pii"] = c.pii;
  if (c.source !== c.name) s["x-source"] = c.source;
  return s;
}

/** JSON Schema (2020-12) of a valid, typed record of the entity. */
export function jsonSchema(entity: Entity): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const c of entity.columns) properties[c.name] = columnSchema(c);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: `urn:saleslake:entity:${entity.name}`,
    title: entity.name,
    ...(entity.description && { description: entity.description }),
    type: "object",
    properties,
    required: entity.columns.map((c) => c.name),
    additionalProperties: false,
    "x-key": [...entity.key],
  };
}
