import { DuckDBInstance } from "@duckdb/node-api";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { duckdbFloatTextSql } from "../src/index.ts";

// The text of a Parquet double or float, as both engines write it for the rules to check: what
// JavaScript's String(x) gives. Checked here on DuckDB against String(x) itself.

let db: DuckDBInstance;
let con: Awaited<ReturnType<DuckDBInstance["connect"]>>;
beforeAll(async () => {
  db = await DuckDBInstance.create(":memory:");
  con = await db.connect();
});
afterAll(() => {
  con.closeSync();
  db.closeSync();
});

/** DuckDB's text of each value, stored as `type`. */
async function texts(values: readonly number[], type: "DOUBLE" | "FLOAT"): Promise<string[]> {
  await con.run(`CREATE OR REPLACE TABLE v (i INTEGER, x ${type})`);
  const app = await con.createAppender("v");
  values.forEach((x, i) => {
    app.appendInteger(i);
    if (type === "DOUBLE") app.appendDouble(x);
    else app.appendFloat(x);
    app.endRow();
  });
  app.closeSync();
  const rows = await con.runAndReadAll(`SELECT ${duckdbFloatTextSql("x", type)} FROM v ORDER BY i`);
  return rows.getRows().map((r) => String(r[0]));
}

describe("float text", () => {
  it("writes a double as String(x): whole numbers without .0, plain from 1e-7 to 1e21", async () => {
    const values = [
      14,
      100,
      -0,
      0,
      2.5,
      0.1,
      0.30000000000000004,
      12345678.5,
      1e7,
      1e15,
      1e16,
      1e20,
      1e21,
      1.5e21,
      0.001,
      0.0001,
      1e-5,
      1.2e-6,
      1e-7,
      1.5e-7,
      5e-324,
      1.7976931348623157e308,
      -12345678.5,
      -1e-7,
      2e23,
      NaN,
      Infinity,
      -Infinity,
    ];
    const got = await texts(values, "DOUBLE");
    expect(got).toEqual(values.map((x) => String(x)));
    expect(got.slice(0, 4)).toEqual(["14", "100", "0", "0"]);
    expect(got[7]).toBe("12345678.5"); // Java writes 1.23456785E7
  });

  it("agrees with String(x) on any double", async () => {
    const doubles = fc.sample(fc.double(), { numRuns: 5_000, seed: 20261202 });
    const got = await texts(doubles, "DOUBLE");
    expect(got).toEqual(doubles.map((x) => String(x)));
  });

  it("writes a float with its own shortest digits, which read back as the float", async () => {
    const floats = [
      ...[14, 12.5, 0.1, 1e-7, 1e10, 123456.7, -1725938.3, 3.4028234663852886e38, 1.401298464324817e-45],
      ...fc.sample(fc.float({ noDefaultInfinity: true, noNaN: true }), { numRuns: 3_000, seed: 7 }),
    ].map(Math.fround);
    const got = await texts(floats, "FLOAT");
    expect(got.slice(0, 7)).toEqual(["14", "12.5", "0.1", "1e-7", "10000000000", "123456.7", "-1725938.2"]);
    got.forEach((t, i) => {
      const x = floats[i]!;
      expect(Math.fround(Number(t))).toBe(x === 0 ? 0 : x); // reads back as the float
      const digits = t.replace(/^-|e.*$|[.]/g, "").replace(/^0+|0+$/g, "").length;
      if (digits > 1) expect(Math.fround(Number(x.toPrecision(digits - 1)))).not.toBe(x); // no shorter text does
    });
  });
});
