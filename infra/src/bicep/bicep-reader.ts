import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InfraError } from "../infra-error.ts";
import {
  BicepExpression,
  type BicepFile,
  type BicepLoad,
  BicepLoop,
  type BicepModule,
  type BicepParam,
  type BicepResource,
  type BicepValue,
} from "./bicep-syntax.ts";

/**
 * Reads the declarations of a Bicep file without the Bicep compiler: every `resource` (top-level,
 * nested, `existing`, conditional, looped) with its body as JSON where the body is literal and as
 * expression text where it is not; `var`s; `module` paths; `loadJsonContent` targets. Enough to
 * check bodies against the Azure type definitions; it does not evaluate Bicep.
 */
export function readBicep(file: string, text: string): BicepFile {
  return new BicepReader(file, text).readFile();
}

/** Every Bicep file under a folder (not `node_modules`), in path order. */
export function readBicepFolder(dir: string): BicepFile[] {
  const out: BicepFile[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory() && e.name !== "node_modules") walk(join(d, e.name));
      else if (e.isFile() && e.name.endsWith(".bicep"))
        out.push(readBicep(join(d, e.name), readFileSync(join(d, e.name), "utf8")));
    }
  };
  walk(dir);
  return out;
}

const IDENT = /[A-Za-z_][\w]*/y;

class BicepReader {
  private readonly file: string;
  private readonly src: string;
  private pos = 0;
  private readonly lineStarts: number[] = [0];
  private readonly resources: BicepResource[] = [];
  private readonly modules: BicepModule[] = [];
  private readonly params: BicepParam[] = [];
  private readonly vars = new Map<string, BicepValue>();

  constructor(file: string, src: string) {
    this.file = file;
    this.src = src.replace(/\r\n/g, "\n");
    for (let i = 0; i < this.src.length; i++) if (this.src[i] === "\n") this.lineStarts.push(i + 1);
  }

  private lineOf(pos: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  private fail(message: string): never {
    throw new InfraError("BICEP_SYNTAX", `${message} at ${this.file}:${this.lineOf(this.pos)}`, {
      hint: "The offline reader understands a subset of Bicep; run `bicep build` to see whether the file is valid.",
      file: this.file,
      row: this.lineOf(this.pos),
    });
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? "";
  }

  /** Skips blanks and comments; newlines too when `newlines`. */
  private skip(newlines: boolean): void {
    for (;;) {
      const c = this.peek();
      if (c === " " || c === "\t" || (newlines && c === "\n")) this.pos++;
      else if (c === "/" && this.peek(1) === "/") {
        while (this.pos < this.src.length && this.peek() !== "\n") this.pos++;
      } else if (c === "/" && this.peek(1) === "*") {
        const end = this.src.indexOf("*/", this.pos + 2);
        this.pos = end < 0 ? this.src.length : end + 2;
      } else return;
    }
  }

  private ident(): string | undefined {
    IDENT.lastIndex = this.pos;
    const m = IDENT.exec(this.src);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  private expect(ch: string): void {
    this.skip(true);
    if (this.peek() !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  /** Reads a string at `pos`; `interpolated` when it holds `${…}`. */
  private string(): { value: string; interpolated: boolean } {
    if (this.src.startsWith("'''", this.pos)) {
      const end = this.src.indexOf("'''", this.pos + 3);
      if (end < 0) this.fail("unterminated multi-line string");
      const value = this.src.slice(this.pos + 3, end).replace(/^\n/, "");
      this.pos = end + 3;
      return { value, interpolated: false };
    }
    this.pos++;
    let value = "";
    let interpolated = false;
    for (;;) {
      const c = this.peek();
      if (c === "" || c === "\n") this.fail("unterminated string");
      this.pos++;
      if (c === "'") return { value, interpolated };
      if (c === "\\") {
        const e = this.peek();
        this.pos++;
        value += e === "n" ? "\n" : e === "t" ? "\t" : e === "r" ? "\r" : e;
      } else if (c === "$" && this.peek() === "{") {
        interpolated = true;
        this.pos++;
        this.balanced("}");
        value += "${…}";
      } else value += c;
    }
  }

  /** Skips to the matching `close`, through strings and nested brackets. */
  private balanced(close: string): void {
    const stack = [close];
    while (stack.length > 0) {
      const c = this.peek();
      if (c === "") this.fail(`missing '${stack[stack.length - 1]}'`);
      if (c === "'") {
        this.string();
        continue;
      }
      if (c === "/" && (this.peek(1) === "/" || this.peek(1) === "*")) {
        this.skip(false);
        continue;
      }
      this.pos++;
      if (c === "{") stack.push("}");
      else if (c === "[") stack.push("]");
      else if (c === "(") stack.push(")");
      else if (c === stack[stack.length - 1]) stack.pop();
    }
  }

  /** An expression's text up to the end of the value: a newline, `,`, or a closing bracket, at depth 0. */
  private expression(): BicepExpression {
    const start = this.pos;
    for (;;) {
      const c = this.peek();
      if (c === "" || c === "\n" || c === "," || c === "}" || c === "]" || c === ")") break;
      if (c === "/" && (this.peek(1) === "/" || this.peek(1) === "*")) break;
      if (c === "'") this.string();
      else if (c === "{" || c === "[" || c === "(") {
        this.pos++;
        this.balanced(c === "{" ? "}" : c === "[" ? "]" : ")");
      } else this.pos++;
    }
    const text = this.src.slice(start, this.pos).trim();
    if (text === "") this.fail("expected a value");
    return new BicepExpression(text);
  }

  /** True when only blanks or a comment stand before the end of the value. */
  private atValueEnd(): boolean {
    const save = this.pos;
    this.skip(false);
    const c = this.peek();
    const end = c === "" || c === "\n" || c === "," || c === "}" || c === "]" || c === ")";
    this.pos = save;
    return end;
  }

  private value(): BicepValue {
    this.skip(false);
    const start = this.pos;
    const c = this.peek();
    let v: BicepValue | undefined;
    if (c === "{") v = this.object(undefined);
    else if (c === "[") v = this.arrayOrLoop();
    else if (c === "'") {
      const s = this.string();
      v = s.interpolated ? undefined : s.value;
    } else {
      const m = /^(-?\d+|true|false|null)\b/.exec(this.src.slice(this.pos, this.pos + 24));
      if (m) {
        this.pos += m[0].length;
        v = m[0] === "true" ? true : m[0] === "false" ? false : m[0] === "null" ? null : Number(m[0]);
      }
    }
    // A literal followed by more (`{…}.x`, `'a' == b`, `1 + 2`) is an expression after all.
    if (v !== undefined && this.atValueEnd()) return v;
    this.pos = start;
    return this.expression();
  }

  private arrayOrLoop(): BicepValue {
    const open = this.pos;
    this.pos++;
    this.skip(true);
    const save = this.pos;
    if (this.ident() === "for" && /\s|\(/.test(this.peek())) return this.loop(open);
    this.pos = save;
    const items: BicepValue[] = [];
    for (;;) {
      this.skip(true);
      if (this.peek() === "]") {
        this.pos++;
        return items;
      }
      if (this.peek() === ",") {
        this.pos++;
        continue;
      }
      items.push(this.value());
    }
  }

  /** `[for x in xs: body]` after its `[for`. */
  private loop(open: number): BicepValue {
    const { item, index, source, filter } = this.loopHead();
    const body = this.peek() === "{" ? this.object(undefined) : this.value();
    this.skip(true);
    if (this.peek() !== "]") {
      this.pos = open;
      return this.expression();
    }
    this.pos++;
    return new BicepLoop(item, index, source, filter, body);
  }

  /** `x in xs: if (…)` or `(x, i) in xs:` after a `for`, up to the loop's body. */
  private loopHead(): {
    item: string;
    index: string | undefined;
    source: string;
    filter: string | undefined;
  } {
    this.skip(false);
    let item: string | undefined;
    let index: string | undefined;
    if (this.peek() === "(") {
      this.pos++;
      this.skip(false);
      item = this.ident();
      this.expect(",");
      this.skip(false);
      index = this.ident();
      this.expect(")");
    } else item = this.ident();
    this.skip(false);
    if (!item || this.ident() !== "in") this.fail("expected `for <item> in <source>:`");
    const start = this.pos;
    while (this.peek() !== ":" && this.peek() !== "") {
      if (this.peek() === "'") this.string();
      else if ("([{".includes(this.peek())) {
        const c = this.peek();
        this.pos++;
        this.balanced(c === "(" ? ")" : c === "[" ? "]" : "}");
      } else this.pos++;
    }
    const source = this.src.slice(start, this.pos).trim();
    this.expect(":");
    this.skip(true);
    let filter: string | undefined;
    const save = this.pos;
    if (this.ident() === "if") {
      this.skip(false);
      filter = this.condition();
    } else this.pos = save;
    this.skip(true);
    return { item, index, source, filter };
  }

  /** `(…)` of an `if`, as text. */
  private condition(): string {
    if (this.peek() !== "(") this.fail("expected '(' after if");
    const start = this.pos;
    this.pos++;
    this.balanced(")");
    return this.src.slice(start + 1, this.pos - 1).trim();
  }

  private object(parent: { symbol: string; type: string; apiVersion: string } | undefined): {
    [key: string]: BicepValue;
  } {
    this.pos++;
    const out: { [key: string]: BicepValue } = {};
    for (;;) {
      this.skip(true);
      const c = this.peek();
      if (c === "}") {
        this.pos++;
        return out;
      }
      if (c === ",") {
        this.pos++;
        continue;
      }
      if (c === "@") {
        this.expression();
        continue;
      }
      if (c === "." && this.src.startsWith("...", this.pos)) {
        // A spread: its keys are not known here.
        this.pos += 3;
        out["..."] = this.expression();
        continue;
      }
      let key: string | undefined;
      if (c === "'") key = this.string().value;
      else {
        const at = this.pos;
        key = this.ident();
        if (key === "resource") {
          this.skip(false);
          if (/[A-Za-z_]/.test(this.peek())) {
            this.pos = at;
            this.resource(parent);
            continue;
          }
        }
      }
      if (key === undefined) this.fail("expected a property name");
      this.skip(false);
      if (this.peek() !== ":") this.fail(`expected ':' after ${key}`);
      this.pos++;
      out[key] = this.value();
    }
  }

  /** `resource sym 'Type@version' [existing] = body`, at `pos`. */
  private resource(parent: { symbol: string; type: string; apiVersion: string } | undefined): void {
    const line = this.lineOf(this.pos);
    this.ident();
    this.skip(false);
    const symbol = this.ident();
    this.skip(false);
    if (!symbol || this.peek() !== "'") this.fail("expected `resource <symbol> '<type>@<apiVersion>'`");
    const declared = this.string().value;
    const at = declared.lastIndexOf("@");
    let type = at < 0 ? declared : declared.slice(0, at);
    let apiVersion = at < 0 ? "" : declared.slice(at + 1);
    if (parent && !type.includes(".")) {
      type = `${parent.type}/${type}`;
      if (apiVersion === "") apiVersion = parent.apiVersion;
    }
    this.skip(false);
    const save = this.pos;
    const existing = this.ident() === "existing";
    if (!existing) this.pos = save;
    this.expect("=");
    this.skip(false);
    let condition: string | undefined;
    let loop: Omit<BicepLoop, "body"> | undefined;
    const me = { symbol, type, apiVersion };
    let body: BicepValue;
    const save2 = this.pos;
    if (this.ident() === "if") {
      this.skip(false);
      condition = this.condition();
      this.skip(true);
      body = this.object(me);
    } else {
      this.pos = save2;
      if (this.peek() === "{") body = this.object(me);
      else {
        // A loop: read it as a value, nested resources inside belong to this one.
        const v = this.resourceLoop(me);
        loop = v;
        body = v.body;
      }
    }
    if (typeof body !== "object" || body === null || Array.isArray(body) || body instanceof BicepExpression)
      this.fail(`resource ${symbol} has no object body`);
    this.resources.push({
      file: this.file,
      line,
      symbol,
      type,
      apiVersion,
      existing,
      condition,
      loop,
      parentSymbol: parent?.symbol,
      body: body as { [key: string]: BicepValue },
    });
  }

  private resourceLoop(me: { symbol: string; type: string; apiVersion: string }): BicepLoop {
    if (this.peek() !== "[") this.fail("expected a resource body");
    this.pos++;
    this.skip(true);
    if (this.ident() !== "for") this.fail("expected `[for`");
    const { item, index, source, filter } = this.loopHead();
    const body = this.object(me);
    this.expect("]");
    return new BicepLoop(item, index, source, filter, body);
  }

  readFile(): BicepFile {
    let secure = false;
    for (;;) {
      this.skip(true);
      if (this.pos >= this.src.length) break;
      const start = this.pos;
      if (this.peek() === "@") {
        this.pos++;
        if (/^(sys\.)?secure\(/.test(this.expression().text)) secure = true;
        continue;
      }
      const keyword = this.ident();
      if (keyword === "param") {
        this.skip(false);
        const name = this.ident() ?? "";
        const rest = this.atValueEnd() ? "" : this.expression().text;
        this.params.push({
          file: this.file,
          line: this.lineOf(start),
          name,
          secure,
          hasDefault: /^[^'=]*=/.test(rest),
        });
      } else if (keyword === "resource") {
        this.pos = start;
        this.resource(undefined);
      } else if (keyword === "var") {
        this.skip(false);
        const name = this.ident();
        this.expect("=");
        const v = this.value();
        if (name) this.vars.set(name, v);
      } else if (keyword === "module") {
        this.skip(false);
        const symbol = this.ident() ?? "";
        this.skip(false);
        const path = this.peek() === "'" ? this.string().value : "";
        this.modules.push({ file: this.file, line: this.lineOf(start), symbol, path });
        this.expression();
      } else if (keyword === undefined) {
        this.fail("expected a declaration");
      } else if (!this.atValueEnd()) {
        this.expression();
      }
      if (keyword !== undefined) secure = false;
    }
    return {
      file: this.file,
      // Nested declarations finish before their parents: report them in source order.
      resources: [...this.resources].sort((a, b) => a.line - b.line),
      modules: this.modules,
      params: this.params,
      vars: this.vars,
      loads: this.loads(),
    };
  }

  private loads(): BicepLoad[] {
    const out: BicepLoad[] = [];
    const re = /\b(loadJsonContent|loadTextContent|loadFileAsBase64|loadYamlContent)\(\s*'([^']+)'/g;
    for (const m of this.src.matchAll(re)) {
      const lineStart = this.src.lastIndexOf("\n", m.index) + 1;
      if (this.src.slice(lineStart, m.index).includes("//")) continue;
      out.push({ file: this.file, line: this.lineOf(m.index), fn: m[1]!, path: m[2]! });
    }
    return out;
  }
}
