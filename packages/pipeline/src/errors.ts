/** Stable codes for pipeline failures; the CLI prints `error <CODE>: message` and the hint. */
export type PipelineErrorCode =
  | "RUN_IN_PROGRESS"
  | "MISSING_COLUMNS"
  | "UNKNOWN_COLUMNS"
  | "DUPLICATE_COLUMNS"
  | "BAD_MANIFEST"
  | "UNKNOWN_ENTITY"
  | "NO_WAREHOUSE"
  | "READ_ONLY"
  | "INVALID_OPTION"
  | "UNSUPPORTED_PATH"
  | "ENGINE_ERROR"
  /** A table holds rows the entity's or star's new definition cannot take in place. */
  | "SCHEMA_CHANGE"
  /** The engine ran out of the memory it may use, and of spill space to make up for it. */
  | "OUT_OF_MEMORY"
  /** The run was stopped (an AbortSignal, Ctrl-C): what it had not committed was rolled back. */
  | "INTERRUPTED";

export interface PipelineErrorDetails {
  readonly file?: string;
  readonly row?: number;
  readonly rule?: string;
  readonly cause?: unknown;
}

export class PipelineError extends Error {
  override readonly name = "PipelineError";
  readonly code: PipelineErrorCode;
  readonly hint: string;
  readonly file?: string;
  readonly row?: number;
  readonly rule?: string;
  constructor(code: PipelineErrorCode, message: string, hint: string, details: PipelineErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.hint = hint;
    if (details.file !== undefined) this.file = details.file;
    if (details.row !== undefined) this.row = details.row;
    if (details.rule !== undefined) this.rule = details.rule;
  }
}
