/** Stable codes for everything that can go wrong while landing data. */
export type IngestErrorCode =
  | "EMPTY_FILE"
  | "INVALID_ENCODING"
  | "MALFORMED_CSV"
  | "MALFORMED_JSON"
  | "CORRUPT_FILE"
  | "DECOMPRESSION_LIMIT"
  | "MISSING_COLUMNS"
  | "UNKNOWN_COLUMNS"
  | "DUPLICATE_COLUMNS"
  | "UNSAFE_PATH"
  | "NO_FILES"
  | "MIXED_FORMATS"
  | "RECORD_TOO_LONG"
  | "NOT_FOUND"
  | "BAD_MANIFEST"
  | "LAKE_ACCESS_DENIED"
  | "LAKE_UNAVAILABLE"
  | "BAD_OPTIONS"
  | "HTTP_REQUEST_FAILED"
  | "HTTP_BAD_RESPONSE"
  | "INSECURE_TRANSPORT"
  | "SECRET_UNAVAILABLE"
  | "INVALID_RECORDS"
  | "SOURCE_UNAVAILABLE"
  /** The same content is being landed by another landing now. */
  | "LANDING_IN_PROGRESS";

export class IngestError extends Error {
  override readonly name = "IngestError";
  readonly code: IngestErrorCode;
  readonly hint: string;
  readonly file?: string;
  readonly row?: number;
  /** The rule or limit that was broken, e.g. `contract.unknownColumns` or `maxRecordBytes`. */
  readonly rule?: string;
  constructor(
    code: IngestErrorCode,
    message: string,
    hint: string,
    details: { file?: string; row?: number; rule?: string; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.hint = hint;
    if (details.file !== undefined) this.file = details.file;
    if (details.row !== undefined) this.row = details.row;
    if (details.rule !== undefined) this.rule = details.rule;
  }
}
