/**
 * The Data Factory expression language as plain data. Offsets are 0-based indexes into the
 * JSON string value the expression was read from (after JSON unescaping).
 */

export interface Span {
  readonly start: number;
  readonly end: number;
}

export type Expression =
  | ({ readonly kind: "string"; readonly value: string } & Span)
  | ({ readonly kind: "number"; readonly value: number; readonly raw: string } & Span)
  | ({ readonly kind: "boolean"; readonly value: boolean } & Span)
  | ({ readonly kind: "null" } & Span)
  | ({ readonly kind: "call"; readonly name: string; readonly args: readonly Expression[] } & Span)
  /** `a.b`, or `a?.b` when `safe`. */
  | ({
      readonly kind: "member";
      readonly object: Expression;
      readonly property: string;
      readonly safe: boolean;
    } & Span)
  /** `a[i]`, or `a?[i]` when `safe`. */
  | ({
      readonly kind: "index";
      readonly object: Expression;
      readonly index: Expression;
      readonly safe: boolean;
    } & Span);

export type ExpressionKind = Expression["kind"];

/** One part of an interpolated string: literal text or an embedded `@{…}` expression. */
export type TemplatePart =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "embedded"; readonly expression: Expression };

/** What a JSON string value means to Data Factory. */
export type AdfValue =
  /** No expression: the text, with `@@` escapes resolved. */
  | { readonly kind: "literal"; readonly text: string }
  /** `@expr`: the whole value is one expression, of any type. */
  | { readonly kind: "expression"; readonly expression: Expression }
  /** `… @{expr} …`: always a string. */
  | { readonly kind: "interpolation"; readonly parts: readonly TemplatePart[] };
