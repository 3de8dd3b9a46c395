import { setTimeout as sleep } from "node:timers/promises";
import { duplicateKeyIn, jsonPath } from "../files/duplicate-keys.ts";
import { parseExactJson } from "../files/exact-json.ts";
import { HttpSourceError } from "./http-source-error.ts";
import type { Redactor } from "./redactor.ts";
import { backoffMs, isRetryableStatus, type ResolvedRetry, retryAfterMs } from "./retry-policy.ts";
import { assertCredentialsTransport } from "./transport-guard.ts";

/** What an HTTP source reports while it reads; every string is already redacted. */
export type HttpSourceEvent =
  | { readonly kind: "request"; readonly url: string; readonly attempt: number }
  | {
      readonly kind: "retry";
      readonly url: string;
      readonly attempt: number;
      readonly status: number | undefined;
      readonly reason: string;
      readonly delayMs: number;
    }
  | { readonly kind: "page"; readonly url: string; readonly records: number };

export interface FetchContext {
  readonly headers: Readonly<Record<string, string>>;
  readonly carriesCredentials: boolean;
  readonly retry: ResolvedRetry;
  readonly timeoutMs: number;
  readonly maxResponseBytes: number;
  readonly redactor: Redactor;
  /** Query parameters whose values may appear in messages. */
  readonly visibleParams: ReadonlySet<string>;
  readonly signal?: AbortSignal | undefined;
  readonly log: (event: HttpSourceEvent) => void;
  /** Counts every request sent, retries included. */
  readonly counters: { requests: number; retries: number };
}

/** A failed attempt: retried unless attempts run out, `final` failures are not retried at all. */
interface Failure {
  readonly reason: string;
  readonly status?: number;
  readonly retryAfter?: number;
  readonly final?: boolean;
  readonly code?: "HTTP_REQUEST_FAILED" | "HTTP_BAD_RESPONSE";
  readonly hint?: string;
}

async function readLimited(response: Response, limit: number): Promise<Buffer | undefined> {
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
}

const hintFor = (status: number | undefined): string =>
  status === 401 || status === 403
    ? "Check the credential and its permissions on the API."
    : status === 404
      ? "Check the URL of the API endpoint."
      : status !== undefined && status < 500
        ? "The API refused the request; check the source's options (parameters, pagination)."
        : "The API kept failing; try again later, or raise retry.maxAttempts / timeoutMs.";

/**
 * GETs `url` and parses its JSON body. Retries 408, 429, 5xx, network errors, timeouts and
 * bodies that are not complete JSON, with exponential backoff and full jitter, waiting at least
 * what `Retry-After` asks. Each attempt has its own timeout covering headers and body.
 */
export async function fetchJson(url: URL, ctx: FetchContext): Promise<unknown> {
  const safeUrl = ctx.redactor.url(url, ctx.visibleParams);
  const { retry } = ctx;
  let last: Failure | undefined;
  let attempts = 0;
  while (attempts < retry.maxAttempts) {
    assertCredentialsTransport(url, ctx.carriesCredentials);
    attempts++;
    ctx.counters.requests++;
    if (attempts > 1) ctx.counters.retries++;
    ctx.log({ kind: "request", url: safeUrl, attempt: attempts });
    const outcome = await attemptOnce(url, ctx);
    if ("body" in outcome) return outcome.body;
    last = outcome;
    if (last.final || attempts === retry.maxAttempts) break;
    if (last.retryAfter !== undefined && last.retryAfter > retry.maxRetryAfterMs) {
      last = {
        ...last,
        final: true,
        reason: `${last.reason}; the server asked to wait ${Math.ceil(last.retryAfter / 1000)} s, more than retry.maxRetryAfterMs (${retry.maxRetryAfterMs} ms)`,
      };
      break;
    }
    const delayMs = backoffMs(retry, attempts, last.retryAfter);
    ctx.log({
      kind: "retry",
      url: safeUrl,
      attempt: attempts,
      status: last.status,
      reason: ctx.redactor.text(last.reason),
      delayMs,
    });
    await sleep(delayMs, undefined, ctx.signal ? { signal: ctx.signal } : {});
  }
  const failure = last ?? { reason: "no attempt was made" };
  const tries = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
  throw new HttpSourceError(
    failure.code ?? "HTTP_REQUEST_FAILED",
    ctx.redactor.text(`GET ${safeUrl} failed after ${tries}: ${failure.reason}`),
    failure.hint ?? hintFor(failure.status),
    { url: safeUrl, status: failure.status, attempts },
  );
}

async function attemptOnce(url: URL, ctx: FetchContext): Promise<{ body: unknown } | Failure> {
  const timeout = AbortSignal.timeout(ctx.timeoutMs);
  const signal = ctx.signal ? AbortSignal.any([timeout, ctx.signal]) : timeout;
  let status: number | undefined;
  try {
    const response = await fetch(url, { headers: ctx.headers, signal, redirect: "manual" });
    status = response.status;
    if (status >= 300 && status < 400) {
      await response.body?.cancel().catch(() => {});
      const location = response.headers.get("location");
      let where = "elsewhere";
      if (location) {
        try {
          where = ctx.redactor.url(new URL(location, url));
        } catch {
          where = "an unreadable location";
        }
      }
      return {
        status,
        final: true,
        reason: `HTTP ${status}: the API redirected to ${where}`,
        hint: "Configure the final URL: redirects are not followed, so credentials never go elsewhere.",
      };
    }
    if (status < 200 || status >= 300) {
      const detail = await readLimited(response, 4096).catch(() => undefined);
      // Some APIs echo the request (headers included) in their errors: redacted before any use.
      const snippet = ctx.redactor
        .text(detail?.toString("utf8").replace(/\s+/g, " ").trim() ?? "")
        .slice(0, 200);
      const retryAfter =
        status === 429 || status === 503
          ? retryAfterMs(response.headers.get("retry-after"), response.headers.get("date"))
          : undefined;
      return {
        status,
        final: !isRetryableStatus(status),
        reason: `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ""}${snippet ? ` (${snippet})` : ""}`,
        ...(retryAfter !== undefined && { retryAfter }),
      };
    }
    const bytes = await readLimited(response, ctx.maxResponseBytes);
    if (bytes === undefined) {
      return {
        status,
        final: true,
        code: "HTTP_BAD_RESPONSE",
        reason: `the response is larger than maxResponseBytes (${ctx.maxResponseBytes})`,
        hint: "Ask for smaller pages (pagination.pageSize), or raise maxResponseBytes.",
      };
    }
    const text = bytes.toString("utf8");
    let body: unknown;
    try {
      body = parseExactJson(text);
    } catch (e) {
      // A cut-off body is the usual cause: a dropped connection or a proxy timing out.
      return {
        status,
        reason: `the body is not complete JSON (${bytes.length} bytes: ${(e as Error).message})`,
      };
    }
    // JSON.parse keeps a repeated key's last value, DuckDB's reader the first, Spark's neither:
    // refused, as landing refuses such a file.
    const twice = duplicateKeyIn(text, body);
    if (twice !== undefined) {
      return {
        status,
        final: true,
        code: "HTTP_BAD_RESPONSE",
        reason: `the object at ${jsonPath(twice.at)} holds the key ${JSON.stringify(twice.key)} twice`,
        hint: "Which value is meant is not known; ask the API's owner to send each key once in an object.",
      };
    }
    return { body };
  } catch (e) {
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    if (timeout.aborted)
      return { ...(status !== undefined && { status }), reason: `timed out after ${ctx.timeoutMs} ms` };
    return {
      ...(status !== undefined && { status }),
      reason: `network error: ${ctx.redactor.describe(e)}`,
    };
  }
}
