/** Codes for every way Data Factory work can fail here. Stable: tools and the CLI match on them. */
export type AdfErrorCode =
  | "EXPRESSION_SYNTAX"
  | "INVALID_ARTIFACT"
  | "INVALID_OPTIONS"
  | "UNSAFE_IDENTIFIER"
  | "DEPLOY_FAILED"
  | "RUN_FAILED"
  | "RUN_TIMEOUT";

export interface AdfErrorDetails {
  /** The file the problem was found in, when it came from one. */
  readonly file?: string;
  /** 1-based line or row, when known. */
  readonly row?: number;
  /** The lint rule or check that failed. */
  readonly rule?: string;
  readonly cause?: unknown;
}

/** A typed error: `code` for tools, `hint` for people, and where it happened when known. */
export class AdfError extends Error {
  override readonly name: string = "AdfError";
  readonly code: AdfErrorCode;
  readonly hint: string;
  readonly file?: string;
  readonly row?: number;
  readonly rule?: string;
  constructor(code: AdfErrorCode, message: string, hint: string, details: AdfErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.hint = hint;
    if (details.file !== undefined) this.file = details.file;
    if (details.row !== undefined) this.row = details.row;
    if (details.rule !== undefined) this.rule = details.rule;
  }
}
