import { describe, expect, it } from "vitest";
import { type Column, defineEntity, type Entity, qualityRules, t, zodValidator } from "../src/index.ts";
import { failingRulesInDuckdb, type RawRecord } from "./support/duckdb-rules.ts";

function zodFailures(entity: Entity, raw: RawRecord): string[] {
  const r = zodValidator(entity).safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => i.message.split(":")[0]!).sort();
}

/** Each value through the validator and the DuckDB rules: the rule ids it breaks, alike in both. */
async function verdicts(entity: Entity, column: string, values: string[]) {
  const empty = Object.fromEntries(entity.columns.map((c) => [c.name, null]));
  const records = values.map((v) => ({ ...empty, id: "1", [column]: v }));
  const sql = await failingRulesInDuckdb(entity, records);
  return values.map((value, i) => {
    expect({ value, zod: zodFailures(entity, records[i]!) }).toEqual({ value, zod: [...sql[i]!].sort() });
    return [value, sql[i]!.join(",")];
  });
}

describe("decimal bounds in exponent form", () => {
  it("are compared, not thrown on, and DuckDB agrees", async () => {
    const rates = defineEntity({
      name: "rates",
      columns: { id: t.int(), rate: t.decimal(12, 10).min(0.0000001).max("1e1") },
      key: ["id"],
    });
    expect(await verdicts(rates, "rate", ["0.5", "0.0000001", "0.00000009", "10", "10.0000000001"])).toEqual([
      ["0.5", ""],
      ["0.0000001", ""],
      ["0.00000009", "rate.min"],
      ["10", ""],
      ["10.0000000001", "rate.max"],
    ]);
  });

  it("hold 38 digits exactly, where a float would round", async () => {
    const big = defineEntity({
      name: "big_amounts",
      columns: { id: t.int(), amt: t.decimal(38, 0).max(1e30) },
      key: ["id"],
    });
    expect(
      await verdicts(big, "amt", ["5", "1000000000000000000000000000000", "1000000000000000019884624838656"]),
    ).toEqual([
      ["5", ""],
      ["1000000000000000000000000000000", ""],
      ["1000000000000000019884624838656", "amt.max"],
    ]);
  });

  it("of an Entity built by hand give issues, not an exception", () => {
    const e = defineEntity({ name: "by_hand", columns: { id: t.int(), amt: t.decimal(8, 2) }, key: ["id"] });
    const amt: Column = { ...e.columns[1]!, constraints: { min: 1e-7, max: "1E3" } };
    const byHand: Entity = { ...e, columns: [e.columns[0]!, amt] };
    expect(zodFailures(byHand, { id: "1", amt: "0.00" })).toEqual(["amt.min"]);
    expect(zodFailures(byHand, { id: "1", amt: "1000.01" })).toEqual(["amt.max"]);
    expect(zodFailures(byHand, { id: "1", amt: "5" })).toEqual([]);
  });
});

describe("timestamp bounds without an offset", () => {
  const probe = defineEntity({
    name: "tz_probe",
    columns: {
      id: t.int(),
      at: t.timestamp().nullable().max("2024-01-01T00:00:00"),
      at2: t.timestamp().nullable().min("2024-01-01 12:00:00"),
      at3: t.timestamp().nullable().max("2100-01-01T00:00:00.5+01:00"),
    },
    key: ["id"],
  });
  const records = (
    [
      { at: "2024-01-01T03:00:00Z", at2: "2024-01-01T10:00:00Z" },
      { at: "2024-01-01T00:00:00Z", at2: "2024-01-01T12:00:00Z" },
      { at: "2024-01-01T00:00:00.000001Z", at2: "2024-01-01T11:59:59.999999Z" },
      { at: "2023-12-31T19:00:00-05:00", at3: "2099-12-31T23:00:00.5Z" },
      { at3: "2099-12-31T23:00:00.500001Z" },
    ] as RawRecord[]
  ).map((r) => ({ id: "1", at: null, at2: null, at3: null, ...r }));
  const expected = [["at.max", "at2.min"], [], ["at.max", "at2.min"], [], ["at3.max"]];

  it.each(["UTC", "America/New_York", "Asia/Kolkata"])("are UTC in the validator, in a %s process", (tz) => {
    const before = process.env.TZ;
    process.env.TZ = tz;
    try {
      expect(records.map((r) => zodFailures(probe, r))).toEqual(expected);
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
  });

  it.each(["UTC", "America/New_York", "Asia/Kolkata"])("are UTC in DuckDB, in a %s session", async (tz) => {
    const sql = await failingRulesInDuckdb(probe, records, undefined, tz);
    expect(sql.map((ids) => [...ids].sort())).toEqual(expected);
  });

  it("are written as UTC instants in every dialect", () => {
    const rules = qualityRules(probe);
    expect(rules.find((r) => r.id === "at.max")!.sql).toEqual({
      duckdb: `("at" IS NULL OR "at" <= TIMESTAMPTZ '2024-01-01 00:00:00+00:00')`,
      spark: "(`at` IS NULL OR `at` <= TIMESTAMP '2024-01-01 00:00:00+00:00')",
      tsql: "([at] IS NULL OR [at] <= CAST('2024-01-01 00:00:00' AS DATETIME2(6)))",
    });
    expect(rules.find((r) => r.id === "at3.max")!.sql.spark).toBe(
      "(`at3` IS NULL OR `at3` <= TIMESTAMP '2099-12-31 23:00:00.500000+00:00')",
    );
  });
});

describe("a decimal with no digits before the point", () => {
  it("needs a digit: a bare sign or point does not parse, in the validator or in DuckDB", async () => {
    const e = defineEntity({ name: "fractions", columns: { id: t.int(), f: t.decimal(3, 3) }, key: ["id"] });
    expect(
      await verdicts(e, "f", ["-", "+", ".", "-.", "+.", "0", "-0.5", ".5", "+.125", "0.", "00.1000", "1"]),
    ).toEqual([
      ["-", "f.parse"],
      ["+", "f.parse"],
      [".", "f.parse"],
      ["-.", "f.parse"],
      ["+.", "f.parse"],
      ["0", ""],
      ["-0.5", ""],
      [".5", ""],
      ["+.125", ""],
      ["0.", ""],
      ["00.1000", ""],
      ["1", "f.parse"],
    ]);
    expect(zodValidator(e).parse({ id: "1", f: "-.5" })).toEqual({ id: 1, f: "-0.500" });
  });
});

describe("timestamps past the last or before the first instant", () => {
  const e = defineEntity({
    name: "edges",
    columns: {
      id: t.int(),
      at: t.timestamp().nullable(),
      offset_at: t.timestamp().nullable().format("yyyy-MM-dd HH:mm:ssXXX"),
    },
    key: ["id"],
  });

  it("do not parse once their offset moves them out of years 0001-9999, in the validator or in DuckDB", async () => {
    const values = [
      "9999-12-31T23:59:59-05:00",
      "9999-12-31T18:59:59.999999-05:00",
      "9999-12-31T23:59:59.999999Z",
      "9999-12-31T23:59:59.999999",
      "0001-01-01T00:00:00+01:00",
      "0001-01-01T01:00:00+01:00",
      "0001-01-01 00:00:00",
    ];
    expect(await verdicts(e, "at", values)).toEqual([
      ["9999-12-31T23:59:59-05:00", "at.parse"],
      ["9999-12-31T18:59:59.999999-05:00", ""],
      ["9999-12-31T23:59:59.999999Z", ""],
      ["9999-12-31T23:59:59.999999", ""],
      ["0001-01-01T00:00:00+01:00", "at.parse"],
      ["0001-01-01T01:00:00+01:00", ""],
      ["0001-01-01 00:00:00", ""],
    ]);
    expect(
      await verdicts(e, "offset_at", ["9999-12-31 23:59:59-05:00", "9999-12-31 23:59:59+05:00"]),
    ).toEqual([
      ["9999-12-31 23:59:59-05:00", "offset_at.parse"],
      ["9999-12-31 23:59:59+05:00", ""],
    ]);
    expect(zodValidator(e).parse({ id: "1", at: "0001-01-01T01:00:00+01:00", offset_at: null })).toEqual({
      id: 1,
      at: "0001-01-01T00:00:00.000000Z",
      offset_at: null,
    });
  });

  it("are refused as bounds", () => {
    expect(() =>
      defineEntity({
        name: "edges",
        columns: { id: t.int(), at: t.timestamp().max("9999-12-31T23:59:59-05:00") },
        key: ["id"],
      }),
    ).toThrow(/column "at": max "9999-12-31T23:59:59-05:00" is not a value of the column/);
  });
});
