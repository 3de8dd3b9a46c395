/** Codes for every way a schema definition can be wrong. Stable: tools match on them. */
export type SchemaErrorCode =
  | "INVALID_DEFINITION"
  | "UNSAFE_IDENTIFIER"
  | "RESERVED_NAME"
  | "DUPLICATE_COLUMN"
  | "UNKNOWN_COLUMN"
  | "INVALID_TYPE"
  | "INVALID_FORMAT"
  | "INVALID_CONSTRAINT";

/** A definition-time error: names the entity and column, and says how to fix it. */
export class SchemaError extends Error {
  override readonly name = "SchemaError";
  readonly code: SchemaErrorCode;
  readonly hint: string;
  constructor(code: SchemaErrorCode, message: string, hint: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}
