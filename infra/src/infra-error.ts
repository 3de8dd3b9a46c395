/** Codes for every way infra work can fail. Stable: tools and the CLI match on them. */
export type InfraErrorCode =
  | "BICEP_SYNTAX"
  | "BICEP_CHECK_FAILED"
  | "UNKNOWN_ENVIRONMENT"
  | "NO_CREDENTIALS"
  | "DEPLOY_STEP_FAILED"
  | "MISSING_ARTIFACT"
  | "INVALID_PARAMETER";

export interface InfraErrorDetails {
  readonly hint: string;
  /** The file the problem was found in, when it came from one. */
  readonly file?: string;
  /** 1-based line, when known. */
  readonly row?: number;
  /** The check or deploy step that failed. */
  readonly rule?: string;
  readonly cause?: unknown;
}

/** A typed error: `code` for tools, `hint` for people, and where it happened when known. */
export class InfraError extends Error {
  override readonly name: string = "InfraError";
  readonly code: InfraErrorCode;
  readonly hint: string;
  readonly file?: string;
  readonly row?: number;
  readonly rule?: string;
  constructor(code: InfraErrorCode, message: string, details: InfraErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.hint = details.hint;
    if (details.file !== undefined) this.file = details.file;
    if (details.row !== undefined) this.row = details.row;
    if (details.rule !== undefined) this.rule = details.rule;
  }
}
