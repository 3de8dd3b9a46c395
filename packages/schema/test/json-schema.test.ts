import { describe, expect, it } from "vitest";
import { defineEntity, jsonSchema, t } from "../src/index.ts";

const properties = (columns: Parameters<typeof defineEntity>[0]["columns"]) =>
  jsonSchema(defineEntity({ name: "probe", columns: { id: t.int(), ...columns }, key: ["id"] }))
    .properties as Record<string, Record<string, unknown>>;

describe("JSON Schema of a column", () => {
  it("lets a nullable enum be null: enum is checked apart from type", () => {
    const p = properties({ tier: t.enum(["gold", "silver"]).nullable(), kind: t.enum(["a", "b"]) });
    expect(p.tier).toMatchObject({ type: ["string", "null"], enum: ["gold", "silver", null] });
    expect(p.kind).toMatchObject({ type: "string", enum: ["a", "b"] });
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
