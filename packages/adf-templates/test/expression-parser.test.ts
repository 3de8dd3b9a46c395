import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Expression } from "../src/expression/expression-ast.ts";
import { parseAdfValue, parseExpression } from "../src/expression/expression-parser.ts";
import { printAdfValue, printExpression } from "../src/expression/expression-printer.ts";
import { ExpressionSyntaxError } from "../src/expression/expression-syntax-error.ts";

/** The tree without offsets, for comparing shapes. */
function shape(e: Expression): unknown {
  switch (e.kind) {
    case "call":
      return { call: e.name, args: e.args.map(shape) };
    case "member":
      return { member: e.property, safe: e.safe, of: shape(e.object) };
    case "index":
      return { index: shape(e.index), safe: e.safe, of: shape(e.object) };
    case "null":
      return null;
    default:
      return e.value;
  }
}

function syntaxError(text: string): ExpressionSyntaxError {
  try {
    parseAdfValue(text);
  } catch (e) {
    if (e instanceof ExpressionSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(text)} to fail`);
}

describe("parseAdfValue", () => {
  it("reads pipeline parameters, activity outputs and system functions", () => {
    const v = parseAdfValue("@activity('Lookup new watermark').output.firstRow.high_mark");
    expect(v.kind).toBe("expression");
    if (v.kind !== "expression") return;
    expect(shape(v.expression)).toEqual({
      member: "high_mark",
      safe: false,
      of: {
        member: "firstRow",
        safe: false,
        of: { member: "output", safe: false, of: { call: "activity", args: ["Lookup new watermark"] } },
      },
    });
    expect(v.expression).toMatchObject({ start: 1, end: 59 });
  });

  it("reads nested calls with every literal kind", () => {
    const v = parseAdfValue(
      "@if(equals(coalesce(pipeline().parameters.x, null), 'it''s'), addHours(trigger().outputs.windowStartTime, -1.5), json('{}')?.a[0]['b'])",
    );
    if (v.kind !== "expression") throw new Error("not an expression");
    expect(shape(v.expression)).toEqual({
      call: "if",
      args: [
        {
          call: "equals",
          args: [
            {
              call: "coalesce",
              args: [
                {
                  member: "x",
                  safe: false,
                  of: { member: "parameters", safe: false, of: { call: "pipeline", args: [] } },
                },
                null,
              ],
            },
            "it's",
          ],
        },
        {
          call: "addHours",
          args: [
            {
              member: "windowStartTime",
              safe: false,
              of: { member: "outputs", safe: false, of: { call: "trigger", args: [] } },
            },
            -1.5,
          ],
        },
        {
          index: "b",
          safe: false,
          of: { index: 0, safe: false, of: { member: "a", safe: true, of: { call: "json", args: ["{}"] } } },
        },
      ],
    });
  });

  it("reads interpolation and escapes", () => {
    expect(parseAdfValue("plain text")).toEqual({ kind: "literal", text: "plain text" });
    expect(parseAdfValue("@@")).toEqual({ kind: "literal", text: "@" });
    expect(parseAdfValue(" @")).toEqual({ kind: "literal", text: " @" });
    expect(parseAdfValue("user@example.com")).toEqual({ kind: "literal", text: "user@example.com" });
    expect(parseAdfValue("Answer is: @@{pipeline().parameters.n}")).toEqual({
      kind: "literal",
      text: "Answer is: @{pipeline().parameters.n}",
    });
    const v = parseAdfValue("landing/@{item().name}/batch=@{variables('batch')}");
    expect(v.kind).toBe("interpolation");
    if (v.kind !== "interpolation") return;
    expect(v.parts.map((p) => (p.kind === "text" ? p.text : shape(p.expression)))).toEqual([
      "landing/",
      { member: "name", safe: false, of: { call: "item", args: [] } },
      "/batch=",
      { call: "variables", args: ["batch"] },
    ]);
  });

  it("keeps a '}' inside a string literal of an interpolation", () => {
    const v = parseAdfValue("x @{concat('}', dataset().p)} y");
    expect(v.kind).toBe("interpolation");
  });

  it.each([
    ["@", 1, "expected an expression but found end of text"],
    ["@concat('a', ", 13, "expected an expression but found end of text"],
    ["@concat('a' 'b')", 12, "expected ',' or ')' in the arguments of concat() but found \"'\""],
    ["@pipeline().parameters.", 23, "expected a property name after '.' but found end of text"],
    ["@pipeline().parameters.x)", 24, 'unexpected ")" after the expression'],
    ["@pipeline", 9, "'pipeline' is not a function call or literal: expected '(' but found end of text"],
    ["@concat('abc", 8, "unterminated string literal: expected a closing quote"],
    ["a @{item().x b", 13, "expected '}' to close '@{' but found \"b\""],
    ["@item()[0", 9, "expected ']' but found end of text"],
    ["@add(1x, 2)", 5, 'malformed number "1x"'],
  ])("rejects %j at offset %i: %s", (text, position, reason) => {
    const e = syntaxError(text);
    expect(e.code).toBe("EXPRESSION_SYNTAX");
    expect(e.position).toBe(position);
    expect(e.reason).toBe(reason);
    expect(e.message).toContain(`at column ${position + 1} of`);
    expect(e.hint).toMatch(/single-quoted/);
  });

  it("fails with a typed error on very deep nesting instead of overflowing the stack", () => {
    const deep = `@${"concat(".repeat(5000)}'x'${")".repeat(5000)}`;
    expect(syntaxError(deep).reason).toMatch(/nested deeper than 200 levels/);
  });
});

const identifier = fc
  .stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/)
  .filter((s) => !/^(true|false|null)$/i.test(s));
const expressionArb: fc.Arbitrary<Expression> = fc.letrec<{ e: Expression }>((tie) => ({
  e: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string({ maxLength: 6 }).map((value) => ({ kind: "string" as const, value, start: 0, end: 0 })),
    fc
      .integer({ min: -1000, max: 1000 })
      .map((n) => ({ kind: "number" as const, value: n, raw: String(n), start: 0, end: 0 })),
    fc.boolean().map((value) => ({ kind: "boolean" as const, value, start: 0, end: 0 })),
    fc.constant({ kind: "null" as const, start: 0, end: 0 }),
    fc
      .record({ name: identifier, args: fc.array(tie("e"), { maxLength: 3 }) })
      .map((r) => ({ kind: "call" as const, ...r, start: 0, end: 0 })),
    fc
      .record({ object: tie("e"), property: identifier, safe: fc.boolean() })
      .map((r) => ({ kind: "member" as const, ...r, start: 0, end: 0 })),
    fc
      .record({ object: tie("e"), index: tie("e"), safe: fc.boolean() })
      .map((r) => ({ kind: "index" as const, ...r, start: 0, end: 0 })),
  ),
})).e;

describe("parser properties (fast-check, bounded)", () => {
  it("never throws anything but ExpressionSyntaxError on arbitrary text", () => {
    const alphabet = fc.constantFrom(..."@{}()[].,?'- 0123456789abcdefxyz_\n\t".split(""));
    const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: alphabet, maxLength: 60 }));
    fc.assert(
      fc.property(text, (t) => {
        try {
          parseAdfValue(t);
        } catch (e) {
          if (!(e instanceof ExpressionSyntaxError)) throw e;
          expect(e.position).toBeGreaterThanOrEqual(0);
          expect(e.position).toBeLessThanOrEqual(t.length);
        }
      }),
      { numRuns: 5000, interruptAfterTimeLimit: 20_000 },
    );
  });

  it("prints any expression so that it parses back to the same tree", () => {
    fc.assert(
      fc.property(expressionArb, (e) => {
        const text = printExpression(e);
        expect(shape(parseExpression(text))).toEqual(shape(e));
        const whole = parseAdfValue(`@${text}`);
        expect(whole.kind === "expression" && shape(whole.expression)).toEqual(shape(e));
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 20_000 },
    );
  });

  it("round-trips literal text and interpolations through printAdfValue", () => {
    const part = fc.oneof(
      fc
        .string({ unit: fc.constantFrom(..."@{}ab ".split("")), minLength: 1, maxLength: 8 })
        .map((text) => ({ kind: "text" as const, text })),
      expressionArb.map((expression) => ({ kind: "embedded" as const, expression })),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 4 }), (parts) => {
        // Adjacent text parts are one part once printed.
        const merged: typeof parts = [];
        for (const p of parts) {
          const last = merged.at(-1);
          if (p.kind === "text" && last?.kind === "text")
            merged[merged.length - 1] = { kind: "text", text: last.text + p.text };
          else merged.push(p);
        }
        // Text ending in '@' right before '@{' has no spelling in the language ('@@{' is the escape).
        fc.pre(
          !merged.some(
            (p, i) => p.kind === "text" && p.text.endsWith("@") && merged[i + 1]?.kind === "embedded",
          ),
        );
        const value = merged.some((p) => p.kind === "embedded")
          ? ({ kind: "interpolation", parts: merged } as const)
          : ({
              kind: "literal",
              text: merged.map((p) => (p.kind === "text" ? p.text : "")).join(""),
            } as const);
        const back = parseAdfValue(printAdfValue(value));
        const norm = (v: typeof back) =>
          v.kind === "interpolation"
            ? v.parts.map((p) => (p.kind === "text" ? p.text : shape(p.expression)))
            : v.kind === "literal"
              ? v.text
              : shape(v.expression);
        expect(norm(back)).toEqual(norm(value));
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 20_000 },
    );
  });
});
