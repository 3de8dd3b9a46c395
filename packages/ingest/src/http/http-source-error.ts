import { IngestError, type IngestErrorCode } from "../errors.ts";

/**
 * An HTTP source failure: the request URL (query secrets replaced by `***`), the last HTTP
 * status (undefined after a network error or timeout) and how many attempts were made.
 */
export class HttpSourceError extends IngestError {
  /** The request, without credentials: userinfo dropped, secret-looking query values `***`. */
  readonly url: string;
  readonly status: number | undefined;
  readonly attempts: number;
  constructor(
    code: Extract<IngestErrorCode, "HTTP_REQUEST_FAILED" | "HTTP_BAD_RESPONSE">,
    message: string,
    hint: string,
    details: { url: string; status?: number | undefined; attempts: number; cause?: unknown },
  ) {
    super(code, message, hint, details.cause === undefined ? {} : { cause: details.cause });
    this.url = details.url;
    this.status = details.status;
    this.attempts = details.attempts;
  }
}
