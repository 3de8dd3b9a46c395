import type { AdfValue, Expression, TemplatePart } from "./expression-ast.ts";
import { ExpressionSyntaxError } from "./expression-syntax-error.ts";

const IDENT_START = /[A-Za-z_$]/;
const IDENT_PART = /[A-Za-z0-9_$]/;
const DIGIT = /[0-9]/;
const SPACE = /\s/;

/**
 * Reads what a JSON string value means to Data Factory: a literal, one `@expression`, or text
 * with `@{…}` interpolations. Throws `ExpressionSyntaxError` (and nothing else) on bad input.
 */
export function parseAdfValue(text: string): AdfValue {
  if (text.startsWith("@") && !text.startsWith("@@") && !text.startsWith("@{")) {
    const p = new Parser(text, 1);
    p.skipSpace();
    const expression = p.expression();
    p.skipSpace();
    if (!p.atEnd()) p.fail(`unexpected ${p.describe()} after the expression`);
    return { kind: "expression", expression };
  }
  const parts: TemplatePart[] = [];
  let buffer = "";
  let i = 0;
  if (text.startsWith("@@")) {
    buffer = "@";
    i = 2;
  }
  while (i < text.length) {
    if (text.startsWith("@@{", i)) {
      buffer += "@{";
      i += 3;
    } else if (text.startsWith("@{", i)) {
      if (buffer) parts.push({ kind: "text", text: buffer });
      buffer = "";
      const p = new Parser(text, i + 2);
      p.skipSpace();
      const expression = p.expression();
      p.skipSpace();
      p.expect("}", "'}' to close '@{'");
      parts.push({ kind: "embedded", expression });
      i = p.pos;
    } else {
      buffer += text[i];
      i++;
    }
  }
  if (parts.length === 0) return { kind: "literal", text: buffer };
  if (buffer) parts.push({ kind: "text", text: buffer });
  return { kind: "interpolation", parts };
}

/** Parses an expression body (no leading `@`), e.g. `pipeline().parameters.x`. */
export function parseExpression(body: string): Expression {
  const p = new Parser(body, 0);
  p.skipSpace();
  const e = p.expression();
  p.skipSpace();
  if (!p.atEnd()) p.fail(`unexpected ${p.describe()} after the expression`);
  return e;
}

/** True when the string holds an expression or an interpolation (not a plain literal). */
export function isDynamic(text: string): boolean {
  return parseAdfValue(text).kind !== "literal";
}

// Nesting limit: deep input must fail with a typed error, not exhaust the stack.
const MAX_DEPTH = 200;

class Parser {
  readonly text: string;
  pos: number;
  private depth = 0;

  constructor(text: string, pos: number) {
    this.text = text;
    this.pos = pos;
  }

  fail(reason: string, at = this.pos): never {
    throw new ExpressionSyntaxError(this.text, at, reason);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  private peek(offset = 0): string {
    return this.text[this.pos + offset] ?? "";
  }

  describe(): string {
    if (this.atEnd()) return "end of text";
    return JSON.stringify(this.peek());
  }

  skipSpace(): void {
    while (!this.atEnd() && SPACE.test(this.peek())) this.pos++;
  }

  expect(token: string, what: string): void {
    if (!this.text.startsWith(token, this.pos)) this.fail(`expected ${what} but found ${this.describe()}`);
    this.pos += token.length;
  }

  expression(): Expression {
    if (++this.depth > MAX_DEPTH) this.fail(`expression nested deeper than ${MAX_DEPTH} levels`);
    let e = this.primary();
    for (;;) {
      this.skipSpace();
      const c = this.peek();
      const safe = c === "?" && (this.peek(1) === "." || this.peek(1) === "[");
      const op = safe ? this.peek(1) : c;
      if (op === ".") {
        this.pos += safe ? 2 : 1;
        this.skipSpace();
        const property = this.identifier("a property name after '.'");
        e = { kind: "member", object: e, property, safe, start: e.start, end: this.pos };
      } else if (op === "[") {
        this.pos += safe ? 2 : 1;
        this.skipSpace();
        const index = this.expression();
        this.skipSpace();
        this.expect("]", "']'");
        e = { kind: "index", object: e, index, safe, start: e.start, end: this.pos };
      } else {
        break;
      }
    }
    this.depth--;
    return e;
  }

  private identifier(what: string): string {
    const start = this.pos;
    if (!IDENT_START.test(this.peek())) this.fail(`expected ${what} but found ${this.describe()}`);
    while (!this.atEnd() && IDENT_PART.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private primary(): Expression {
    const start = this.pos;
    const c = this.peek();
    if (c === "'") return this.string();
    if (DIGIT.test(c) || ((c === "-" || c === "+") && (DIGIT.test(this.peek(1)) || this.peek(1) === ".")))
      return this.number();
    if (c === "." && DIGIT.test(this.peek(1))) return this.number();
    if (!IDENT_START.test(c)) this.fail(`expected an expression but found ${this.describe()}`);
    const name = this.identifier("a function name");
    const lower = name.toLowerCase();
    this.skipSpace();
    if (this.peek() !== "(") {
      if (lower === "true" || lower === "false")
        return { kind: "boolean", value: lower === "true", start, end: this.pos };
      if (lower === "null") return { kind: "null", start, end: this.pos };
      this.fail(`'${name}' is not a function call or literal: expected '(' but found ${this.describe()}`);
    }
    this.pos++;
    this.skipSpace();
    const args: Expression[] = [];
    if (this.peek() !== ")") {
      for (;;) {
        this.skipSpace();
        args.push(this.expression());
        this.skipSpace();
        if (this.peek() === ",") {
          this.pos++;
          continue;
        }
        break;
      }
    }
    this.expect(")", `',' or ')' in the arguments of ${name}()`);
    return { kind: "call", name, args, start, end: this.pos };
  }

  private string(): Expression {
    const start = this.pos;
    this.pos++;
    let value = "";
    for (;;) {
      if (this.atEnd()) this.fail("unterminated string literal: expected a closing quote", start);
      const c = this.peek();
      if (c === "'") {
        if (this.peek(1) === "'") {
          value += "'";
          this.pos += 2;
          continue;
        }
        this.pos++;
        break;
      }
      value += c;
      this.pos++;
    }
    return { kind: "string", value, start, end: this.pos };
  }

  private number(): Expression {
    const start = this.pos;
    if (this.peek() === "-" || this.peek() === "+") this.pos++;
    while (DIGIT.test(this.peek())) this.pos++;
    if (this.peek() === "." && DIGIT.test(this.peek(1))) {
      this.pos++;
      while (DIGIT.test(this.peek())) this.pos++;
    }
    if (
      (this.peek() === "e" || this.peek() === "E") &&
      /^[-+]?[0-9]/.test(this.text.slice(this.pos + 1, this.pos + 3))
    ) {
      this.pos++;
      if (this.peek() === "-" || this.peek() === "+") this.pos++;
      while (DIGIT.test(this.peek())) this.pos++;
    }
    const raw = this.text.slice(start, this.pos);
    if (IDENT_START.test(this.peek()))
      this.fail(`malformed number ${JSON.stringify(raw + this.peek())}`, start);
    return { kind: "number", value: Number(raw), raw, start, end: this.pos };
  }
}
