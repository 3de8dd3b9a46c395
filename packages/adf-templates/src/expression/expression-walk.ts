import type { AdfValue, Expression } from "./expression-ast.ts";

/** Calls `visit` on every node of the expression, parents before children. */
export function walkExpression(e: Expression, visit: (node: Expression) => void): void {
  visit(e);
  switch (e.kind) {
    case "call":
      for (const a of e.args) walkExpression(a, visit);
      return;
    case "member":
      walkExpression(e.object, visit);
      return;
    case "index":
      walkExpression(e.object, visit);
      walkExpression(e.index, visit);
      return;
    default:
      return;
  }
}

/** The expressions of a value: none for a literal, one, or one per `@{…}`. */
export function valueExpressions(v: AdfValue): Expression[] {
  if (v.kind === "expression") return [v.expression];
  if (v.kind === "interpolation")
    return v.parts.flatMap((p) => (p.kind === "embedded" ? [p.expression] : []));
  return [];
}

/**
 * Flattens `f(args).a.b['c']` into its call and the property path after it; the path stops at
 * the first index that is not a string literal. Undefined when the chain does not start with a call.
 */
export function accessChain(
  e: Expression,
): { call: Extract<Expression, { kind: "call" }>; path: string[]; complete: boolean } | undefined {
  const path: string[] = [];
  let complete = true;
  let cur = e;
  for (;;) {
    if (cur.kind === "member") {
      path.unshift(cur.property);
      cur = cur.object;
    } else if (cur.kind === "index") {
      if (cur.index.kind === "string") path.unshift(cur.index.value);
      else {
        path.length = 0;
        complete = false;
      }
      cur = cur.object;
    } else if (cur.kind === "call") {
      return { call: cur, path, complete };
    } else {
      return undefined;
    }
  }
}
