import {
  ADF_FUNCTION_NAMES,
  type AdfValue,
  type Expression,
  ExpressionSyntaxError,
  parseAdfValue,
  printAdfValue,
} from "@saleslake/adf-templates";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tally } from "./tally.ts";

/**
 * Text built from the language's own tokens (function names, `@{`, `@@`, quotes, `?.`, `?[`,
 * numbers with exponents), so most inputs get deep into the parser before they go wrong.
 */
const token = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(...ADF_FUNCTION_NAMES, "pipeline", "activity", "item", "variables"),
  },
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "@",
      "@{",
      "@@",
      "@@{",
      "}",
      "(",
      ")",
      "[",
      "]",
      ".",
      "?.",
      "?[",
      ",",
      "'",
      "''",
      " ",
    ),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom("true", "FALSE", "null", "parameters", "output", "value", "$x", "_"),
  },
  { weight: 2, arbitrary: fc.constantFrom("0", "-1", "+.5", "1e3", "2E-7", "1e", "1.", "07", "9x", "--1") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 4 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom("\n", "\t", "\u00a0", "\u2028", "\uFEFF", "\u0000", "\uD800", "é", "😀"),
  },
);
const tokenSoup = fc.array(token, { maxLength: 30 }).map((t) => t.join(""));

/** Well-formed values (as text) with one edit: a character removed, inserted or repeated. */
const call = (name: string, args: string[]) => `${name}(${args.join(", ")})`;
const validExpression = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 6 }).map((s) => `'${s.replaceAll("'", "''")}'`),
    fc.integer({ min: -99, max: 99 }).map(String),
    fc.constantFrom(
      "true",
      "false",
      "null",
      "pipeline().parameters.low",
      "activity('Lookup old').output.firstRow",
    ),
    fc
      .tuple(fc.constantFrom(...ADF_FUNCTION_NAMES), fc.array(tie("e"), { maxLength: 3 }))
      .map(([n, a]) => call(n, a)),
    fc.tuple(tie("e"), tie("e")).map(([o, i]) => `${o}?[${i}]`),
  ),
})).e;
const validValue = fc.oneof(
  validExpression.map((e) => `@${e}`),
  fc
    .array(
      fc.oneof(
        fc.string({ unit: fc.constantFrom(..."ab _-/:{}()'".split("")), maxLength: 5 }),
        validExpression.map((e) => `@{${e}}`),
      ),
      { maxLength: 4 },
    )
    .map((p) => p.join("")),
);
const edited = fc
  .tuple(
    validValue,
    fc.nat(),
    fc.constantFrom("delete", "insert", "repeat"),
    fc.constantFrom(..."@{}()[]'.,?"),
  )
  .map(([text, at, op, c]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    if (op === "delete") return text.slice(0, i) + text.slice(i + 1);
    if (op === "insert") return text.slice(0, i) + c + text.slice(i);
    return text.slice(0, i) + text.slice(i, i + 3).repeat(40) + text.slice(i);
  });

/** Nesting far past any real pipeline's, which must fail with a typed error, not a stack overflow. */
const deep = fc
  .tuple(fc.integer({ min: 150, max: 3000 }), fc.constantFrom("concat(", "[", "@{", "a?["))
  .map(([n, open]) => `@${open.repeat(n)}'x'`);

/** The tree without source offsets (printing moves them). */
function shape(e: Expression): unknown {
  switch (e.kind) {
    case "call":
      return { call: e.name, args: e.args.map(shape) };
    case "member":
      return { member: shape(e.object), property: e.property, safe: e.safe };
    case "index":
      return { index: shape(e.object), at: shape(e.index), safe: e.safe };
    case "number":
      return { number: e.raw };
    case "null":
      return null;
    default:
      return { [e.kind]: e.value };
  }
}

function valueShape(v: AdfValue): unknown {
  if (v.kind === "literal") return v.text;
  if (v.kind === "expression") return shape(v.expression);
  return v.parts.map((p) => (p.kind === "text" ? p.text : shape(p.expression)));
}

/**
 * The property: parsing either succeeds or throws ExpressionSyntaxError (nothing else) with a
 * position inside the text; what parses prints back to text that parses to the same value.
 */
const seen = { parsed: 0, refused: 0 };
function parsesOrRefuses(text: string): void {
  let value: AdfValue;
  try {
    value = parseAdfValue(text);
    seen.parsed++;
  } catch (e) {
    if (!(e instanceof ExpressionSyntaxError)) throw e;
    seen.refused++;
    expect(e.code).toBe("EXPRESSION_SYNTAX");
    expect(e.position).toBeGreaterThanOrEqual(0);
    expect(e.position).toBeLessThanOrEqual(text.length);
    return;
  }
  const printed = printAdfValue(value);
  expect(valueShape(parseAdfValue(printed))).toEqual(valueShape(value));
  expect(printAdfValue(parseAdfValue(printed))).toBe(printed);
}

/** Bounded in runs and in time, so the suite's length does not depend on the machine's load. */
const BOUND = { interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false } as const;

async function check(name: string, arb: fc.Arbitrary<string>, numRuns: number, seed: number) {
  seen.parsed = 0;
  seen.refused = 0;
  const r = await fc.check(fc.property(arb, parsesOrRefuses), { numRuns, seed, ...BOUND });
  if (r.failed) throw new Error(`${name}: ${fc.defaultReportMessage(r) ?? "failed"}`);
  tally({ inputs: r.numRuns });
  return r.numRuns;
}

describe("the ADF expression parser, fuzzed: a typed parse error or a value that round-trips", () => {
  it("token soup", async () => {
    expect(await check("token soup", tokenSoup, 4000, 21)).toBeGreaterThan(0);
    // Both outcomes are exercised, not only the error path.
    expect(seen.parsed).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(100);
  });
  it("well-formed values with one edit", async () => {
    expect(await check("edited", edited, 3000, 22)).toBeGreaterThan(0);
    expect(seen.parsed).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(100);
  });
  it("well-formed values round-trip unchanged", async () => {
    expect(await check("valid", validValue, 2000, 23)).toBeGreaterThan(0);
    fc.assert(
      fc.property(validValue, (text) => {
        expect(() => parseAdfValue(text)).not.toThrow();
      }),
      { numRuns: 500, seed: 24 },
    );
  });
  it("deep nesting", async () => {
    expect(await check("deep", deep, 200, 25)).toBeGreaterThan(0);
    expect(seen.parsed).toBe(0);
  });
});
