import { Ajv2020 } from "ajv/dist/2020.js";

/**
 * The generated JSON Schema held by ajv (2020-12, the dialect `jsonSchema()` declares), as other
 * teams validate payloads with it. Strict mode refuses unknown keywords, so the generator's
 * `x-*` annotations are declared, and a new one fails here until it is. `format` is an
 * annotation, as 2020-12 has it by default.
 */
const ajv = new Ajv2020({ strict: true, validateFormats: false });
for (const k of ["x-key", "x-pii", "x-source", "x-saleslake-min", "x-saleslake-max"]) {
  ajv.addKeyword({ keyword: k });
}

/**
 * A validated record as JSON reads it back: bigints as numbers (past 2^53 not exact, where the
 * schema states no bound: it keeps those as `x-saleslake-*` text).
 */
const asJson = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? Number(v) : v)));

const compiled = new WeakMap<object, ReturnType<typeof ajv.compile>>();

/** Whether ajv finds `value` valid against `schema`. */
export function schemaAccepts(schema: Record<string, unknown>, value: unknown): boolean {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate(asJson(value)) === true;
}
