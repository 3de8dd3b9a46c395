export type BenchErrorCode =
  | "USAGE"
  | "CONTENDER_FAILED"
  | "CONTENDER_TIMEOUT"
  | "BAD_OUTPUT"
  | "PYTHON_MISSING"
  | "JAVA_MISSING"
  | "COUNT_MISMATCH"
  | "INTERRUPTED"
  | "NOTHING_TO_RESUME"
  | "RESUME_REFUSED"
  | "RUN_PENDING";

/** A benchmark failure with a code and a hint on what to do about it. */
export class BenchError extends Error {
  readonly code: BenchErrorCode;
  readonly hint: string;

  constructor(code: BenchErrorCode, message: string, hint: string) {
    super(message);
    this.name = "BenchError";
    this.code = code;
    this.hint = hint;
  }
}
