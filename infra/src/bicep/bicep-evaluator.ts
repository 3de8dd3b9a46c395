import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { BicepExpression, BicepLoop, type BicepValue, isBicepObject } from "./bicep-syntax.ts";

/**
 * Evaluates the little of Bicep that decides what a body holds when it comes from a generated
 * file: `loadJsonContent('f.json'[, '$.path'])`, variables bound to it, loop items, and member
 * access (`x.a`, `x['a']`, `x[0]`). Anything else stays an expression.
 */

/** Marks what cannot be evaluated offline. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Evaluated = unknown | typeof UNKNOWN;

export type Scope = ReadonlyMap<string, () => Evaluated>;

function member(v: Evaluated, key: string | number): Evaluated {
  if (v === UNKNOWN || typeof v !== "object" || v === null) return UNKNOWN;
  const out = (v as Record<string | number, unknown>)[key];
  return out === undefined ? UNKNOWN : out;
}

function jsonPath(v: Evaluated, path: string): Evaluated {
  let cur = v;
  for (const m of path.replace(/^\$/, "").matchAll(/\.([A-Za-z_][\w]*)|\[(\d+)\]|\['([^']*)'\]/g)) {
    cur = member(cur, m[1] ?? m[3] ?? Number(m[2]));
  }
  return cur;
}

/** Reads and parses a `loadJsonContent` target relative to the Bicep file; UNKNOWN when it cannot. */
export function loadJson(bicepFile: string, path: string): Evaluated {
  const full = resolve(dirname(bicepFile), path);
  if (!existsSync(full)) return UNKNOWN;
  try {
    return JSON.parse(readFileSync(full, "utf8")) as unknown;
  } catch {
    return UNKNOWN;
  }
}

export function evaluate(text: string, scope: Scope, bicepFile: string): Evaluated {
  const head = /^(?:loadJsonContent\(\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?\)|([A-Za-z_]\w*))/.exec(text);
  if (!head) return UNKNOWN;
  let v: Evaluated;
  if (head[1] !== undefined) {
    v = loadJson(bicepFile, head[1]);
    if (head[2] !== undefined) v = jsonPath(v, head[2]);
  } else {
    const bound = scope.get(head[3]!);
    if (!bound) return UNKNOWN;
    v = bound();
  }
  let rest = text.slice(head[0].length);
  const access = /^\s*(?:\.([A-Za-z_]\w*)|\[\s*'([^']*)'\s*\]|\[\s*(\d+)\s*\])/;
  while (rest.trim() !== "") {
    const m = access.exec(rest);
    if (!m) return UNKNOWN;
    v = member(v, m[1] ?? m[2] ?? Number(m[3]));
    rest = rest.slice(m[0].length);
  }
  return v;
}

/** The file's `var`s as a scope, each evaluated on first use. */
export function fileScope(
  vars: ReadonlyMap<string, BicepValue>,
  bicepFile: string,
): Map<string, () => Evaluated> {
  const scope = new Map<string, () => Evaluated>();
  for (const [name, value] of vars) {
    let cached: Evaluated | undefined;
    scope.set(name, () => {
      if (cached === undefined) {
        cached = UNKNOWN; // guards against a var that refers to itself
        cached = value instanceof BicepExpression ? evaluate(value.text, scope, bicepFile) : UNKNOWN;
      }
      return cached;
    });
  }
  return scope;
}

/** Iterations of a loop source that evaluates to an array, each as a scope; undefined when unknown. */
export function loopScopes(
  loop: { item: string; index: string | undefined; source: string },
  scope: Scope,
  bicepFile: string,
): Map<string, () => Evaluated>[] | undefined {
  const items = evaluate(loop.source, scope, bicepFile);
  if (!Array.isArray(items)) return undefined;
  return items.map((item: unknown, i) => {
    const s = new Map(scope);
    s.set(loop.item, () => item);
    if (loop.index) s.set(loop.index, () => i);
    return s;
  });
}

/**
 * The body as JSON for the type validator: evaluable expressions replaced by their value, the
 * rest written as ARM expressions (`"[…]"`), Bicep-only keys (`parent`, `scope`, `dependsOn`) left out.
 */
export function toJson(value: BicepValue, scope: Scope, bicepFile: string, top = true): unknown {
  if (value instanceof BicepExpression) {
    const v = evaluate(value.text, scope, bicepFile);
    return v === UNKNOWN ? `[${value.text}]` : v;
  }
  if (value instanceof BicepLoop) {
    const scopes = loopScopes(value, scope, bicepFile);
    return scopes ? scopes.map((s) => toJson(value.body, s, bicepFile, false)) : `[for ${value.item}]`;
  }
  if (Array.isArray(value)) return value.map((v: BicepValue) => toJson(v, scope, bicepFile, false));
  if (isBicepObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === "..." || (top && (k === "parent" || k === "scope" || k === "dependsOn"))) continue;
      out[k] = toJson(v, scope, bicepFile, false);
    }
    return out;
  }
  return value;
}
