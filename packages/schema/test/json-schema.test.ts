import { describe, expect, it } from "vitest";
import { defineEntity, jsonSchema, t, zodValidator } from "../src/index.ts";
import { schemaAccepts } from "./support/json-schema-check.ts";

const properties = (columns: Parameters<typeof defineEntity>[0]["columns"]) =>
  jsonSchema(defineEntity({ name: "probe", columns: { id: t.int(), ...columns }, key: ["id"] }))
    .properties as Record<string, Record<string, unknown>>;

describe("JSON Schema of a column", () => {
  it("lets a nullable enum be null or empty, as the validator reads it: enum is checked apart from type", () => {
    const p = properties({ tier: t.enum(["gold", "silver"]).nullable(), kind: t.enum(["a", "b"]) });
    expect(p.tier).toMatchObject({ type: ["string", "null"], enum: ["gold", "silver", null, ""] });
    expect(p.kind).toMatchObject({ type: "string", enum: ["a", "b"] });
    const tier = zodValidator(
      defineEntity({
        name: "probe",
        columns: { id: t.int(), tier: t.enum(["gold", "silver"]).nullable() },
        key: ["id"],
      }),
    );
    for (const v of ["gold", "", null, "bronze", " gold"]) {
      const valid = tier.safeParse({ id: 1, tier: v }).success;
      expect({ v, json: schemaAccepts(p.tier!, v) }).toEqual({ v, json: valid });
    }
    expect(schemaAccepts(p.kind!, "")).toBe(false);
  });

  it("states numeric bounds given as text as numbers", () => {
    const p = properties({
      qty: t.int().min("1").max("+500"),
      big: t.bigint().min("-5").max("9007199254740993"),
      ratio: t.double().min("-1.5e3").max(2),
    });
    expect(p.qty).toMatchObject({ type: "integer", minimum: 1, maximum: 500 });
    // Beyond 2^53 a JSON number is not exact: the bound is kept as text.
    expect(p.big).toEqual({ type: "integer", minimum: -5, "x-saleslake-max": "9007199254740993" });
    expect(p.ratio).toMatchObject({ type: "number", minimum: -1500, maximum: 2 });
  });
});

describe("JSON Schema of a string column", () => {
  const p = properties({
    req: t.string(),
    req_len: t.string().length(0, 5),
    opt: t.string().nullable(),
    opt_len: t.string().nullable().length(2, 5),
    email: t.string().nullable().pattern("[^@ ]+@[^@ ]+"),
  });

  it("refuses the empty string for a NOT NULL column, which the validator reads as missing", () => {
    expect(p.req).toEqual({ type: "string", minLength: 1 });
    // A stated minimum of 0 still leaves "" missing.
    expect(p.req_len).toEqual({ type: "string", minLength: 1, maxLength: 5 });
    expect(schemaAccepts(p.req!, "")).toBe(false);
    expect(schemaAccepts(p.req!, null)).toBe(false);
  });

  it("accepts space-only text for a NOT NULL column: the validator does not trim text", () => {
    for (const v of [" ", "\u00a0", "\u3000 ", "\t"]) {
      expect({ v, ok: schemaAccepts(p.req!, v) }).toEqual({ v, ok: true });
    }
  });

  it("accepts the empty string for a nullable column, which the validator reads as null", () => {
    expect(p.opt).toEqual({ type: ["string", "null"] });
    expect(p.opt_len).toEqual({
      type: ["string", "null"],
      maxLength: 5,
      anyOf: [{ const: "" }, { minLength: 2 }],
    });
    expect(p.email).toEqual({ type: ["string", "null"], pattern: "^(?:[^@ ]+@[^@ ]+)?$(?!\\n)" });
    for (const col of ["opt", "opt_len", "email"]) {
      expect({ col, empty: schemaAccepts(p[col]!, ""), nul: schemaAccepts(p[col]!, null) }).toEqual({
        col,
        empty: true,
        nul: true,
      });
    }
    expect([" ", "a", "abcdef"].map((v) => schemaAccepts(p.opt_len!, v))).toEqual([false, false, false]);
    expect(["ab", "abcde"].map((v) => schemaAccepts(p.opt_len!, v))).toEqual([true, true]);
    expect([" ", "a@", "a@b"].map((v) => schemaAccepts(p.email!, v))).toEqual([false, false, true]);
  });

  it("ends a pattern with a lookahead, so that Python's re, whose $ also matches before a final line break, refuses it too", () => {
    const q = properties({ code: t.string().pattern("C[0-9]{6}"), price: t.decimal(6, 2) });
    expect(q.code!.pattern).toBe("^(?:C[0-9]{6})$(?!\\n)");
    expect(q.price!.pattern).toBe("^-?(0|[1-9][0-9]{0,3})\\.[0-9]{2}$(?!\\n)");
    expect(["C123456", "C123456\n", "C123456\n\n"].map((v) => schemaAccepts(q.code!, v))).toEqual([
      true,
      false,
      false,
    ]);
  });
});
