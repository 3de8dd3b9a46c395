import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Column,
  defineEntity,
  type Entity,
  jsonSchema,
  parseValue,
  qualityRules,
  t,
  zodValidator,
} from "../src/index.ts";
import { failingRulesInDuckdb, type RawRecord } from "./support/duckdb-rules.ts";
import { schemaAccepts } from "./support/json-schema-check.ts";

/** Every logical type, format and constraint the validator and the SQL rules must agree on. */
const probe = defineEntity({
  name: "probe",
  columns: {
    id: t.string().length(2, 12).pattern("[A-Z]{2}[0-9]*"),
    label: t.string().nullable().maxLength(40),
    qty: t.int().min(-5).max(1000),
    big: t.bigint().nullable().min(0),
    price: t.decimal(8, 2).min(0).max("99999.99"),
    eu_price: t.decimal(9, 3).nullable().numberFormat({ decimalSeparator: ",", groupSeparator: "." }),
    ratio: t.double().nullable().min(0),
    active: t.boolean().nullable(),
    day: t.date().format("d/M/yyyy").min("2000-01-01"),
    iso_day: t.date().nullable().max("2100-12-31"),
    at: t.timestamp().nullable(),
    local_at: t.timestamp().nullable().format("M/d/yyyy H:mm"),
    offset_at: t.timestamp().nullable().format("yyyy-MM-dd'T'HH:mm:ss.SSSXXX"),
    tier: t.enum(["gold", "silver", "bronze"]).nullable(),
    note: t.string().nullable().warnIfMissing(),
  },
  key: ["id"],
});

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`));
const sign = fc.constantFrom("", "+", "-");
const pad = fc.constantFrom("", " ", "  ", "\t", "\u00a0", "\u3000", " \u2009", "\u200b", "\n");
const junk = fc.oneof(
  fc.constant(""),
  fc.constant(" "),
  fc.string({ maxLength: 8 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.constantFrom("NaN", "Infinity", "1e400", "0x10", "1_000", "--1", "1.2.3", "12abc", "null", "٣", "１２"),
);
const date = fc.tuple(
  fc.integer({ min: 0, max: 32 }),
  fc.integer({ min: 0, max: 13 }),
  fc.integer({ min: 0, max: 10000 }),
);

function valueFor(c: Column): fc.Arbitrary<string | null> {
  const typed: fc.Arbitrary<string> = (() => {
    switch (c.type.kind) {
      case "int":
      case "bigint":
        return fc.oneof(
          fc.tuple(sign, digits(1, c.type.kind === "int" ? 11 : 20)).map(([s, d]) => s + d),
          fc.integer({ min: -10, max: 1010 }).map(String),
          fc.constantFrom(
            "2147483647",
            "2147483648",
            "-2147483648",
            "-2147483649",
            "9223372036854775807",
            "9223372036854775808",
          ),
        );
      case "decimal":
        return fc.oneof(
          fc
            .tuple(sign, digits(0, 8), fc.constantFrom("", ".", ","), digits(0, 4))
            .map(([s, i, p, f]) => s + i + p + f),
          fc.constantFrom("99999.99", "100000.00", "0.001", "1.234,5", "1.234.567,891", "-0", ".5", "5."),
        );
      case "double":
        return fc.oneof(
          fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
          fc
            .tuple(sign, digits(1, 22), fc.constantFrom("", "e5", "E-3", "e+99", "e100"))
            .map(([s, d, e]) => s + d + e),
        );
      case "boolean":
        return fc.constantFrom("true", "FALSE", "t", "F", "yes", "No", "1", "0", "y", "n", "2", "truthy", "");
      case "date":
        return c.format
          ? date.map(([d, m, y]) => `${d}/${m}/${y}`)
          : date.map(
              ([d, m, y]) =>
                `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`,
            );
      case "timestamp":
        if (c.format === "M/d/yyyy H:mm") {
          return fc
            .tuple(date, fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }))
            .map(([[d, m, y], h, mi]) => `${m}/${d}/${y} ${h}:${String(mi).padStart(2, "0")}`);
        }
        return fc
          .tuple(
            date,
            fc.integer({ min: 0, max: 24 }),
            fc.integer({ min: 0, max: 60 }),
            fc.constantFrom(
              "",
              ":00",
              ":59",
              ":60",
              ":07.5",
              ":07.123",
              ":07.1234567",
              ":07.123456789",
              ":07.1234567891",
            ),
            fc.constantFrom("", "Z", "+02:00", "-05:30", "+18:00", "+19:00", "+0200"),
            fc.constantFrom("T", " "),
          )
          .map(
            ([[d, m, y], h, mi, s, z, sep]) =>
              `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}${sep}${String(h).padStart(2, "0")}:${String(mi).padStart(2, "0")}${s}${z}`,
          );
      case "enum":
        return fc.constantFrom(...c.type.values, "GOLD", " gold", "platinum");
      case "string":
        return fc.oneof(
          fc.stringMatching(/^[A-Z]{2}[0-9]{0,12}$/),
          fc.string({ unit: "grapheme", maxLength: 45 }),
          fc.string({ unit: "binary", maxLength: 20 }),
          fc.constant("x".repeat(5000)),
        );
    }
  })();
  return fc.oneof(
    { arbitrary: typed, weight: 6 },
    { arbitrary: fc.tuple(pad, typed, pad).map(([a, v, b]) => a + v + b), weight: 2 },
    { arbitrary: junk, weight: 2 },
    { arbitrary: fc.constant(null), weight: 1 },
  );
}

function recordArb(entity: Entity): fc.Arbitrary<RawRecord> {
  return fc.record(Object.fromEntries(entity.columns.map((c) => [c.source, valueFor(c)])));
}

function zodFailures(entity: Entity, raw: RawRecord): string[] {
  const r = zodValidator(entity).safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => i.message.split(":")[0]!).sort();
}

/** A record every rule accepts; the edge cases change one value of it. */
const EDGE_OK: RawRecord = {
  id: "AB1",
  label: null,
  qty: "7",
  big: null,
  price: "12.50",
  eu_price: "1.234,5",
  ratio: "0.5",
  active: "yes",
  day: "29/2/2024",
  iso_day: "2024-02-29",
  at: "2024-02-29T23:59:59.999999+01:00",
  local_at: "2/29/2024 9:05",
  offset_at: "2024-02-29T10:00:00.123-05:30",
  tier: "gold",
  note: "n",
};

describe("decimals parse to the column's scale", () => {
  it("zeros past the scale are dropped, as the engines' casts drop them", () => {
    const price = probe.columns.find((c) => c.name === "price")!;
    const whole = { ...price, type: { kind: "decimal", precision: 5, scale: 0 } } as Column;
    expect(["5.000", "-012.5000", ".5000", "99999.99000", "7"].map((v) => parseValue(price, v))).toEqual([
      "5.00",
      "-12.50",
      "0.50",
      "99999.99",
      "7.00",
    ]);
    expect(["5.", "5.000", "-0.0", "12"].map((v) => parseValue(whole, v))).toEqual(["5", "5", "0", "12"]);
    expect(["5.001", ".5"].map((v) => parseValue(whole, v))).toEqual([undefined, undefined]);
  });
});

describe("the zod validator and the DuckDB quality rules agree", () => {
  const errorRules = qualityRules(probe).filter((r) => r.severity === "error");

  it("on generated records, rule by rule", async () => {
    const samples = fc.sample(recordArb(probe), { numRuns: 3000, seed: 20261124 });
    const sql = await failingRulesInDuckdb(probe, samples, errorRules);
    const mismatches = samples.flatMap((raw, i) => {
      const js = zodFailures(probe, raw);
      const db = [...sql[i]!].sort();
      return JSON.stringify(js) === JSON.stringify(db) ? [] : [{ raw, js, db }];
    });
    expect(mismatches.slice(0, 5)).toEqual([]);
    // The generator reaches both outcomes for every rule, or the property would prove little.
    const broken = new Set(sql.flat());
    expect(errorRules.map((r) => r.id).filter((id) => !broken.has(id))).toEqual([]);
    // ...and every column also passes often: valid values are generated, not only junk.
    for (const c of probe.columns) {
      const passing = sql.filter((ids) => !ids.some((id) => id.startsWith(`${c.name}.`))).length;
      expect({ column: c.name, passing: passing > 300 }).toEqual({ column: c.name, passing: true });
    }
  });

  it("as a property, with shrinking to the smallest disagreement", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb(probe), { minLength: 1, maxLength: 40 }), async (batch) => {
        const sql = await failingRulesInDuckdb(probe, batch, errorRules);
        batch.forEach((raw, i) => {
          expect(zodFailures(probe, raw)).toEqual([...sql[i]!].sort());
        });
      }),
      { numRuns: 25, seed: 7 },
    );
  });

  it("on the edge values, each with its expected verdict", async () => {
    const ok = EDGE_OK;
    const cases: [Partial<RawRecord>, string[]][] = [
      [{}, []],
      [{ id: null }, ["id.not_null"]],
      [{ id: "" }, ["id.not_null"]],
      [{ id: "A" }, ["id.min_length", "id.pattern"]],
      [{ id: "ab1" }, ["id.pattern"]],
      [{ qty: " 7 " }, []],
      [{ qty: "\t7" }, ["qty.parse"]],
      [{ qty: "7.0" }, ["qty.parse"]],
      [{ qty: "2147483648" }, ["qty.parse"]],
      [{ qty: "-6" }, ["qty.min"]],
      [{ price: "100000.00" }, ["price.max"]],
      [{ price: "1000000.00" }, ["price.parse"]],
      [{ price: "99999.999" }, ["price.parse"]],
      // Zeros past the scale lose nothing (a wider typed source writes them); other digits would.
      [{ price: "99999.99000" }, []],
      [{ price: "5.000" }, []],
      [{ price: ".5000" }, []],
      [{ price: "99999.990001" }, ["price.parse"]],
      [{ price: "100000.000" }, ["price.max"]],
      [{ eu_price: "1.234,50000" }, []],
      [{ price: "-0.01" }, ["price.min"]],
      [{ eu_price: "1,5" }, []],
      [{ ratio: "1e400" }, ["ratio.parse"]],
      [{ ratio: "-1" }, ["ratio.min"]],
      [{ active: "maybe" }, ["active.parse"]],
      [{ day: "29/2/2019" }, ["day.parse"]],
      [{ day: "31/4/2021" }, ["day.parse"]],
      [{ day: "1/1/1999" }, ["day.min"]],
      [{ iso_day: "2101-01-01" }, ["iso_day.max"]],
      [{ at: "2024-01-01 24:00:00" }, ["at.parse"]],
      [{ at: "2024-01-01T10:00Z" }, ["at.parse"]],
      [{ at: "2024-01-01T10:00:00+19:00" }, ["at.parse"]],
      // Azure SQL's datetime2 has seven fraction digits; nine is ISO 8601's nanosecond.
      [{ at: "2024-01-01T10:00:00.1234567" }, []],
      [{ at: "2024-01-01 10:00:00.123456789Z" }, []],
      [{ at: "2024-01-01T10:00:00.1234567891Z" }, ["at.parse"]],
      [{ local_at: "13/1/2024 9:05" }, ["local_at.parse"]],
      [{ tier: "GOLD" }, ["tier.enum"]],
      [{ label: "é".repeat(40) }, []],
      [{ label: "é".repeat(41) }, ["label.max_length"]],
      [{ label: "👍".repeat(40) }, []],
    ];
    const records = cases.map(([patch]) => ({ ...ok, ...patch }) as RawRecord);
    const sql = await failingRulesInDuckdb(probe, records, errorRules);
    cases.forEach(([patch, expected], i) => {
      expect({ patch, sql: [...sql[i]!].sort() }).toEqual({ patch, sql: expected });
      expect({ patch, zod: zodFailures(probe, records[i]!) }).toEqual({ patch, zod: expected });
    });
  });

  it("keeps a timestamp to the microsecond, dropping further digits as DuckDB and Spark do", () => {
    const at = (text: string) => zodValidator(probe).parse({ ...EDGE_OK, at: text }).at;
    expect(at("2024-02-29T23:59:59.9999999+01:00")).toBe("2024-02-29T22:59:59.999999Z");
    expect(at("2024-01-01 10:00:00.123456789")).toBe("2024-01-01T10:00:00.123456Z");
    expect(at("2024-01-01T10:00:00.5Z")).toBe("2024-01-01T10:00:00.500000Z");
  });
});

/** String columns, NOT NULL and nullable, bare and constrained, for the JSON Schema to agree on. */
const texts = defineEntity({
  name: "texts",
  columns: {
    id: t.int(),
    req: t.string(),
    req_len: t.string().length(2, 5),
    req_pattern: t.string().maxLength(8).pattern("[A-Z]{2}[0-9]*"),
    opt: t.string().nullable(),
    opt_len: t.string().nullable().length(2, 5),
    opt_pattern: t.string().nullable().maxLength(8).pattern("[^@ ]+@[^@ ]+"),
  },
  key: ["id"],
});
const textColumns = texts.columns.filter((c) => c.type.kind === "string").map((c) => c.name);
const textProperties = jsonSchema(texts).properties as Record<string, Record<string, unknown>>;
/** A record every rule of `texts` accepts; a case changes some of its values. */
const OK_TEXTS: RawRecord = {
  id: "1",
  req: "a",
  req_len: "ab",
  req_pattern: "AB1",
  opt: null,
  opt_len: null,
  opt_pattern: null,
};

/** Per string column of a raw record: does the validator accept its value, does the JSON Schema? */
function textVerdicts(raw: RawRecord) {
  const r = zodValidator(texts).safeParse(raw);
  const failing = new Set(r.success ? [] : r.error.issues.map((i) => String(i.path[0])));
  return textColumns.map((name) => ({
    name,
    value: raw[name],
    zod: !failing.has(name),
    json: schemaAccepts(textProperties[name]!, raw[name]),
  }));
}

/** Space separators (Zs), which the validator trims from other types only, and look-alikes that are not Zs. */
const spaceLike = fc.constantFrom(
  "",
  " ",
  "  ",
  "\u00a0",
  "\u3000 ",
  "\t",
  "\u1680",
  "\u202f\u205f",
  "\u200b",
  "\n",
);
const textBase = fc.oneof(
  fc.stringMatching(/^[A-Z]{2}[0-9]{0,6}$/),
  fc.stringMatching(/^[a-z]{1,3}@[a-z]{1,3}$/),
  fc.string({ unit: "grapheme", maxLength: 7 }),
  fc.string({ unit: "binary", maxLength: 7 }),
);
const textValue: fc.Arbitrary<string | null> = fc.oneof(
  { arbitrary: spaceLike, weight: 3 },
  { arbitrary: textBase, weight: 4 },
  { arbitrary: fc.tuple(pad, textBase, pad).map(([a, v, b]) => a + v + b), weight: 3 },
  { arbitrary: fc.constant(null), weight: 1 },
);
const textRecord = fc.record({
  id: fc.constant("1"),
  ...Object.fromEntries(textColumns.map((name) => [name, textValue])),
}) as fc.Arbitrary<RawRecord>;

describe("the zod validator and the JSON Schema agree on string columns", () => {
  it("on space-only and empty values, each with its expected verdict", async () => {
    // The validator trims no text: "" is missing (null, or a not_null failure), anything else is
    // a value, kept as it came. DuckDB's rules read these values the same way.
    const values = ["", " ", "\u00a0", "\u3000 ", "\t"];
    const records = values.map((v) => ({ ...OK_TEXTS, req: v, opt: v }));
    const sql = await failingRulesInDuckdb(texts, records, qualityRules(texts));
    const verdicts = values.map((v, i) => {
      const r = zodValidator(texts).safeParse(records[i]);
      return {
        v,
        zod: r.success
          ? { req: r.data.req, opt: r.data.opt }
          : r.error.issues.map((x) => x.message.split(":")[0]),
        sql: sql[i],
        json: { req: schemaAccepts(textProperties.req!, v), opt: schemaAccepts(textProperties.opt!, v) },
      };
    });
    expect(verdicts).toEqual([
      { v: "", zod: ["req.not_null"], sql: ["req.not_null"], json: { req: false, opt: true } },
      ...values
        .slice(1)
        .map((v) => ({ v, zod: { req: v, opt: v }, sql: [], json: { req: true, opt: true } })),
    ]);
  });

  it("on generated values, column by column, and the validated record fits the JSON Schema", () => {
    const schema = jsonSchema(texts);
    fc.assert(
      fc.property(textRecord, (raw) => {
        expect(textVerdicts(raw).filter((v) => v.zod !== v.json)).toEqual([]);
        const r = zodValidator(texts).safeParse(raw);
        if (r.success) expect(schemaAccepts(schema, r.data)).toBe(true);
      }),
      { numRuns: 3000, seed: 20261206 },
    );
    // Every column is both accepted and refused often, or the property would prove little; a
    // nullable column with no constraint takes any string, and null.
    const verdicts = fc.sample(textRecord, { numRuns: 3000, seed: 20261206 }).flatMap(textVerdicts);
    expect(verdicts.filter((v) => v.name === "opt" && !v.zod)).toEqual([]);
    for (const name of textColumns.filter((n) => n !== "opt")) {
      const zod = verdicts.filter((v) => v.name === name).map((v) => v.zod);
      const both = zod.filter(Boolean).length > 200 && zod.filter((ok) => !ok).length > 200;
      expect({ name, both }).toEqual({ name, both: true });
    }
  });
});
