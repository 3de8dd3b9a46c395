import { AdfError } from "../errors.ts";

/** A value that is not a valid Data Factory expression; `position` is the 0-based offset in `text`. */
export class ExpressionSyntaxError extends AdfError {
  override readonly name = "ExpressionSyntaxError";
  readonly text: string;
  readonly position: number;
  /** The problem alone, without the position and excerpt that `message` adds. */
  readonly reason: string;
  constructor(text: string, position: number, reason: string) {
    super(
      "EXPRESSION_SYNTAX",
      `${reason} at column ${position + 1} of ${excerpt(text, position)}`,
      "Expressions start with '@' (whole value) or sit in '@{…}' (inside text); strings are single-quoted with '' for a quote; write '@@' for a literal '@'.",
      { rule: "expression-syntax" },
    );
    this.text = text;
    this.position = position;
    this.reason = reason;
  }
}

/** The text around the position, with a marker, short enough for one line. */
function excerpt(text: string, position: number): string {
  const from = Math.max(0, position - 40);
  const to = Math.min(text.length, position + 40);
  const before = (from > 0 ? "…" : "") + text.slice(from, position);
  const after = text.slice(position, to) + (to < text.length ? "…" : "");
  return JSON.stringify(`${before}⟨here⟩${after}`);
}
