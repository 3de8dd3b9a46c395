/** How an HTTP source retries. Every field has a default. */
export interface RetryOptions {
  /** Attempts per request, the first included. Default `5`. */
  readonly maxAttempts?: number;
  /** Backoff before the second attempt, doubled after each failure (full jitter). Default `250` ms. */
  readonly baseDelayMs?: number;
  /** Cap of one backoff delay. Default `30_000` ms. */
  readonly maxDelayMs?: number;
  /** A `Retry-After` longer than this fails the read instead of waiting. Default `300_000` ms. */
  readonly maxRetryAfterMs?: number;
  /** Random source in [0, 1) for the jitter. Default `Math.random`. */
  readonly random?: () => number;
}

export type ResolvedRetry = Required<RetryOptions>;

export function resolveRetry(options: RetryOptions = {}): ResolvedRetry {
  return {
    maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 5)),
    baseDelayMs: Math.max(0, options.baseDelayMs ?? 250),
    maxDelayMs: Math.max(0, options.maxDelayMs ?? 30_000),
    maxRetryAfterMs: Math.max(0, options.maxRetryAfterMs ?? 300_000),
    random: options.random ?? Math.random,
  };
}

/** 408, 429 and 5xx (but 501 Not Implemented and 505) are worth another attempt. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/**
 * `Retry-After` in milliseconds: delta-seconds, or an HTTP-date measured against the response's
 * own `Date` header when it has one (the server's clock, not ours). Undefined when absent or
 * unreadable; never negative.
 */
export function retryAfterMs(
  value: string | null,
  serverDate: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  const server = serverDate === null ? Number.NaN : Date.parse(serverDate);
  return Math.max(0, at - (Number.isNaN(server) ? now : server));
}

/** Exponential backoff with full jitter before attempt `failures + 1`, never shorter than `retryAfter`. */
export function backoffMs(retry: ResolvedRetry, failures: number, retryAfter?: number): number {
  const cap = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** Math.max(0, failures - 1));
  const jittered = Math.floor(retry.random() * cap);
  return Math.max(retryAfter ?? 0, jittered);
}
