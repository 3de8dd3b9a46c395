import type { AdfValue, Expression } from "./expression-ast.ts";

/** Writes an expression back as source text (no leading `@`); parsing the result gives the same tree. */
export function printExpression(e: Expression): string {
  switch (e.kind) {
    case "string":
      return `'${e.value.replaceAll("'", "''")}'`;
    case "number":
      return e.raw;
    case "boolean":
      return String(e.value);
    case "null":
      return "null";
    case "call":
      return `${e.name}(${e.args.map(printExpression).join(", ")})`;
    case "member":
      return `${printExpression(e.object)}${e.safe ? "?." : "."}${e.property}`;
    case "index":
      return `${printExpression(e.object)}${e.safe ? "?[" : "["}${printExpression(e.index)}]`;
  }
}

/** Writes a value back as the JSON string Data Factory reads (escaping `@` where needed). */
export function printAdfValue(v: AdfValue): string {
  switch (v.kind) {
    case "expression":
      return `@${printExpression(v.expression)}`;
    case "literal":
      return escapeText(v.text, true);
    case "interpolation":
      return v.parts
        .map((p, i) =>
          p.kind === "text" ? escapeText(p.text, i === 0) : `@{${printExpression(p.expression)}}`,
        )
        .join("");
  }
}

/**
 * Literal text as it must be written in a Data Factory value: `@{` as `@@{` (else it opens an
 * interpolation), and a leading `@` as `@@` (`atStart`: the text opens the value).
 */
export function escapeText(text: string, atStart: boolean): string {
  const escaped = text.replaceAll("@{", "@@{");
  return atStart && escaped.startsWith("@") && !escaped.startsWith("@@{") ? `@${escaped}` : escaped;
}
