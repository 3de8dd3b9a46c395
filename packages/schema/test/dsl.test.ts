import { describe, expect, expectTypeOf, it } from "vitest";
import { defineEntity, defineStar, type InferRow, SchemaError, t } from "../src/index.ts";

const base = {
  name: "orders",
  columns: { order_id: t.string(), amount: t.decimal(10, 2) },
  key: ["order_id"],
} as const;

function definitionError(fn: () => unknown): SchemaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaError);
    return e as SchemaError;
  }
  throw new Error("expected a SchemaError");
}

describe("defineEntity", () => {
  it("builds plain, frozen data with defaults", () => {
    const e = defineEntity({ ...base });
    expect(e.columns.map((c) => [c.name, c.type.kind, c.nullable, c.source])).toEqual([
      ["order_id", "string", false, "order_id"],
      ["amount", "decimal", false, "amount"],
    ]);
    expect(e.watermark).toEqual({ kind: "batch" });
    expect(e.scd).toBe(1);
    expect(e.contract).toEqual({
      unknownColumns: "rescue",
      missingColumns: "reject",
      shortRows: "quarantine",
    });
    expect(Object.isFrozen(e.columns[0])).toBe(true);
  });

  it("infers the row type", () => {
    const e = defineEntity({
      name: "x",
      columns: { id: t.int(), note: t.string().nullable(), kind: t.enum(["a", "b"]), big: t.bigint() },
      key: ["id"],
    });
    expectTypeOf<InferRow<typeof e>>().toEqualTypeOf<{
      id: number;
      note: string | null;
      kind: "a" | "b";
      big: bigint;
    }>();
  });

  const cases: [string, () => unknown, SchemaError["code"], RegExp][] = [
    [
      "unsafe entity name",
      () => defineEntity({ ...base, name: "Orders; DROP TABLE x" }),
      "UNSAFE_IDENTIFIER",
      /name: "Orders; DROP TABLE x" is not a safe SQL identifier/,
    ],
    [
      "reserved column name",
      () => defineEntity({ ...base, columns: { ...base.columns, select: t.int() } }),
      "RESERVED_NAME",
      /"select" is reserved/,
    ],
    [
      "lineage-like column name",
      () => defineEntity({ ...base, columns: { ...base.columns, _batch_id: t.int() } }),
      "UNSAFE_IDENTIFIER",
      /_batch_id/,
    ],
    [
      "duplicate source name",
      () => defineEntity({ ...base, columns: { ...base.columns, total: t.int().source("AMOUNT") } }),
      "DUPLICATE_COLUMN",
      /source name "AMOUNT" is also used by column amount/,
    ],
    [
      "missing key column",
      () => defineEntity({ ...base, key: ["nope" as "order_id"] }),
      "UNKNOWN_COLUMN",
      /key column "nope" does not exist/,
    ],
    [
      "nullable key",
      () => defineEntity({ ...base, columns: { order_id: t.string().nullable() } }),
      "INVALID_DEFINITION",
      /nullable/,
    ],
    [
      "missing sequence column",
      () => defineEntity({ ...base, sequence: "ts" as "order_id" }),
      "UNKNOWN_COLUMN",
      /sequence column "ts"/,
    ],
    [
      "boolean sequence",
      () => defineEntity({ ...base, columns: { ...base.columns, f: t.boolean() }, sequence: "f" }),
      "INVALID_TYPE",
      /no useful order/,
    ],
    [
      "nullable sequence of an SCD2 entity",
      () =>
        defineEntity({
          ...base,
          columns: { ...base.columns, changed_at: t.timestamp().nullable() },
          sequence: "changed_at",
          scd: 2,
        }),
      "INVALID_DEFINITION",
      /sequence column changed_at is nullable, but each version of an SCD2 entity is valid from its sequence value/,
    ],
    [
      "impossible decimal",
      () => defineEntity({ ...base, columns: { order_id: t.string(), amount: t.decimal(4, 6) } }),
      "INVALID_TYPE",
      /decimal\(4, 6\) is impossible/,
    ],
    [
      "decimal precision over 38",
      () => defineEntity({ ...base, columns: { order_id: t.string(), amount: t.decimal(39, 2) } }),
      "INVALID_TYPE",
      /impossible/,
    ],
    [
      "bad date format",
      () => defineEntity({ ...base, columns: { ...base.columns, d: t.date().format("dd.MMM.yyyy") } }),
      "INVALID_FORMAT",
      /MMM/,
    ],
    [
      "format on a number",
      () => defineEntity({ ...base, columns: { ...base.columns, n: t.int().format("yyyy") } }),
      "INVALID_FORMAT",
      /only to date and timestamp/,
    ],
    [
      "time in a date format",
      () => defineEntity({ ...base, columns: { ...base.columns, d: t.date().format("yyyy-MM-dd HH:mm") } }),
      "INVALID_FORMAT",
      /time part/,
    ],
    [
      "bad lookback",
      () =>
        defineEntity({
          ...base,
          columns: { ...base.columns, ts: t.timestamp() },
          watermark: { column: "ts", lookback: "1 hour" },
        }),
      "INVALID_DEFINITION",
      /ISO 8601 duration/,
    ],
    [
      "bad pattern",
      () => defineEntity({ ...base, columns: { ...base.columns, s: t.string().pattern("(") } }),
      "INVALID_CONSTRAINT",
      /not a regular expression/,
    ],
    [
      "a date bound that is not an ISO date",
      () =>
        defineEntity({ ...base, columns: { ...base.columns, d: t.date().min("2020-01-01' OR true OR '") } }),
      "INVALID_CONSTRAINT",
      /min "2020-01-01' OR true OR '" is not a bound of a date column/,
    ],
    [
      "a date bound on a day that does not exist",
      () => defineEntity({ ...base, columns: { ...base.columns, d: t.date().max("2019-02-29") } }),
      "INVALID_CONSTRAINT",
      /max "2019-02-29" is not a bound of a date column/,
    ],
    [
      "a timestamp bound that is not an ISO timestamp",
      () => defineEntity({ ...base, columns: { ...base.columns, ts: t.timestamp().max("tomorrow") } }),
      "INVALID_CONSTRAINT",
      /max "tomorrow" is not a bound of a timestamp column/,
    ],
    [
      "a number bound that is not a number",
      () => defineEntity({ ...base, columns: { ...base.columns, n: t.decimal(8, 2).max("1e3)--") } }),
      "INVALID_CONSTRAINT",
      /not a bound of a decimal column/,
    ],
    [
      "a fraction bound on an int",
      () => defineEntity({ ...base, columns: { ...base.columns, n: t.int().min(0.5) } }),
      "INVALID_CONSTRAINT",
      /min 0.5 is not a bound of a int column/,
    ],
    [
      "an int bound beyond 32 bits",
      () => defineEntity({ ...base, columns: { ...base.columns, n: t.int().max("99999999999") } }),
      "INVALID_CONSTRAINT",
      /column "n": max "99999999999" is not a value of the column: it is outside the int range/,
    ],
    [
      "a bigint bound beyond 64 bits",
      () =>
        defineEntity({ ...base, columns: { ...base.columns, n: t.bigint().min("-9223372036854775809") } }),
      "INVALID_CONSTRAINT",
      /min "-9223372036854775809" is not a value of the column: it is outside the bigint range/,
    ],
    [
      "a decimal bound with more digits before the point than the type holds",
      () => defineEntity({ ...base, columns: { ...base.columns, n: t.decimal(4, 2).max("1000") } }),
      "INVALID_CONSTRAINT",
      /column "n": max "1000" is not a value of the column: decimal\(4,2\) has 2 digits before the point/,
    ],
    [
      "a decimal number bound with more digits before the point than the type holds",
      () => defineEntity({ ...base, columns: { ...base.columns, n: t.decimal(4, 2).max(1000) } }),
      "INVALID_CONSTRAINT",
      /max 1000 is not a value of the column/,
    ],
    [
      "a decimal bound with digits past the scale",
      () => defineEntity({ ...base, columns: { ...base.columns, n: t.decimal(4, 2).max("9.999") } }),
      "INVALID_CONSTRAINT",
      /max "9.999" is not a value of the column: decimal\(4,2\) has 2 digits after the point/,
    ],
    [
      "a decimal bound in exponent form with digits past the scale",
      () => defineEntity({ ...base, columns: { ...base.columns, n: t.decimal(8, 2).min(1e-7) } }),
      "INVALID_CONSTRAINT",
      /min 1e-7 is not a value of the column: decimal\(8,2\) has 2 digits after the point/,
    ],
    [
      "a decimal bound with an exponent beyond any decimal",
      () => defineEntity({ ...base, columns: { ...base.columns, n: t.decimal(38, 0).max("1e999") } }),
      "INVALID_CONSTRAINT",
      /max "1e999" is not a value of the column: decimal\(38,0\) has 38 digits before the point/,
    ],
    [
      "a double bound beyond the range of a double",
      () => defineEntity({ ...base, columns: { ...base.columns, n: t.double().max("1e400") } }),
      "INVALID_CONSTRAINT",
      /max "1e400" is not a value of the column: it is beyond the range of a double/,
    ],
    [
      "a fractional maximum length",
      () => defineEntity({ ...base, columns: { ...base.columns, s: t.string().maxLength(2.5) } }),
      "INVALID_CONSTRAINT",
      /column "s": maximum length 2.5 is not a whole number of characters/,
    ],
    [
      "a negative minimum length",
      () => defineEntity({ ...base, columns: { ...base.columns, s: t.string().nullable().length(-3) } }),
      "INVALID_CONSTRAINT",
      /column "s": minimum length -3 is not a whole number of characters/,
    ],
    [
      "a length that is not a number",
      () => defineEntity({ ...base, columns: { ...base.columns, s: t.string().length(1, Number.NaN) } }),
      "INVALID_CONSTRAINT",
      /maximum length null is not a whole number/,
    ],
    [
      "a minimum length over the maximum",
      () => defineEntity({ ...base, columns: { ...base.columns, s: t.string().length(5, 2) } }),
      "INVALID_CONSTRAINT",
      /minimum length 5 exceeds maximum 2/,
    ],
    [
      "source name with a quote",
      () => defineEntity({ ...base, columns: { ...base.columns, s: t.string().source('a"b') } }),
      "UNSAFE_IDENTIFIER",
      /source name/,
    ],
    [
      "soft delete not boolean",
      () => defineEntity({ ...base, softDelete: "amount" }),
      "INVALID_TYPE",
      /must be boolean/,
    ],
    ["empty key", () => defineEntity({ ...base, key: [] }), "INVALID_DEFINITION", /at least one column/],
  ];
  it("takes the bounds each type's literal can hold", () => {
    const e = defineEntity({
      ...base,
      columns: {
        ...base.columns,
        d: t.date().min("2000-01-01").max("now"),
        ts: t.timestamp().min("2000-01-01 00:00").max("2100-01-01T00:00:00.5+01:00"),
        big: t.bigint().max("9007199254740993"),
        price: t.decimal(8, 2).min(0).max("99999.99"),
        ratio: t.double().min(-1.5e3),
        code: t.string().min("A").max("Z"),
      },
    });
    expect(e.columns.find((c) => c.name === "ts")!.constraints).toMatchObject({
      min: "2000-01-01 00:00",
      max: "2100-01-01T00:00:00.5+01:00",
    });
  });

  it("keeps a decimal bound in exponent form as plain decimal text", () => {
    const e = defineEntity({
      ...base,
      columns: {
        ...base.columns,
        rate: t.decimal(12, 10).min(0.0000001).max("1E1"),
        huge: t.decimal(38, 0).max(1e30),
        price: t.decimal(8, 2).min(0).max("099999.990"),
      },
    });
    const bounds = (name: string) => e.columns.find((c) => c.name === name)!.constraints;
    expect(bounds("rate")).toMatchObject({ min: "0.0000001", max: "10" });
    expect(bounds("huge")).toMatchObject({ max: "1000000000000000000000000000000" });
    // Plain bounds stay as written, trailing zeros and all.
    expect(bounds("price")).toMatchObject({ min: 0, max: "099999.990" });
  });

  it.each(cases)("rejects %s at definition time", (_, fn, code, message) => {
    const err = definitionError(fn);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.message).toMatch(/entity "/);
    expect(err.hint.length).toBeGreaterThan(5);
  });
});

describe("defineStar", () => {
  const e = defineEntity({ ...base, columns: { ...base.columns, d: t.date(), n: t.string() } });
  it("rejects a calendar dimension on a non-date column", () => {
    const err = definitionError(() =>
      defineStar({
        name: "s",
        entity: e,
        dimensions: [{ kind: "calendar", name: "dim_d", column: "n" }],
        fact: { name: "f", measures: [] },
      }),
    );
    expect(err.message).toMatch(/needs a date column/);
  });
  it("rejects two tables with one name", () => {
    const err = definitionError(() =>
      defineStar({
        name: "s",
        entity: e,
        dimensions: [{ kind: "attribute", name: "f", key: ["n"], attributes: [] }],
        fact: { name: "f", measures: ["amount"] },
      }),
    );
    expect(err.message).toMatch(/table f is defined twice/);
  });
});
