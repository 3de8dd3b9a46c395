export type DatabricksErrorCode =
  | "INVALID_OPTIONS"
  | "NO_TOKEN"
  | "REQUEST_FAILED"
  | "AMBIGUOUS_JOB"
  | "RUN_FAILED"
  | "RUN_TIMEOUT";

/** A typed error with a code and a hint. Never carries a token: messages are built from status and API error text only. */
export class DatabricksError extends Error {
  override readonly name = "DatabricksError";
  readonly code: DatabricksErrorCode;
  readonly hint: string;
  /** HTTP status of the failed request, when there was one. */
  readonly status: number | undefined;
  constructor(code: DatabricksErrorCode, message: string, hint: string, status?: number) {
    super(message);
    this.code = code;
    this.hint = hint;
    this.status = status;
  }
}
