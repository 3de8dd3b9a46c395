import {
  type Column,
  columnIssues,
  columnOf,
  type Entity,
  type LandingManifest,
  parseValue,
  type RawValue,
  recordFromSource,
  zodValidator,
} from "@saleslake/schema";
import { IngestError } from "../errors.ts";
import { exactRecord } from "../files/exact-json.ts";
import { type HttpAuth, resolveAuthHeader } from "./auth-secret.ts";
import { type FetchContext, fetchJson, type HttpSourceEvent } from "./fetch-json.ts";
import { HttpSourceError } from "./http-source-error.ts";
import { atPath } from "./json-path.ts";
import { Redactor, SECRET_NAME } from "./redactor.ts";
import { type RetryOptions, resolveRetry } from "./retry-policy.ts";
import { assertCredentialsTransport } from "./transport-guard.ts";

/** How the API pages. Parameter names and response paths are configurable; paths are dotted (`meta.next_page`). */
export type HttpPagination =
  | {
      readonly kind: "page";
      /** Query parameter of the page number. Default `page`. */
      readonly pageParam?: string;
      /** Number of the first page. Default `1`. */
      readonly firstPage?: number;
      /** Query parameter of the page size; `null` sends none. Default `page_size`. */
      readonly pageSizeParam?: string | null;
      /** Records per page asked for. Default `100`. */
      readonly pageSize?: number;
      /**
       * Where a response names the next page number (absent or null: it was the last). Default:
       * none, the next page is page + 1 until an empty page, or one shorter than `pageSize`.
       */
      readonly nextPagePath?: string;
    }
  | {
      readonly kind: "cursor";
      /** Query parameter carrying the cursor. Default `cursor`. */
      readonly cursorParam?: string;
      /** Where a response holds the next cursor (absent, null or empty: it was the last). Default `next_cursor`. */
      readonly nextCursorPath?: string;
      /** Query parameter of the page size; `null` sends none. Default `limit`. */
      readonly pageSizeParam?: string | null;
      /** Records per page asked for. Default `100`. */
      readonly pageSize?: number;
    };

export interface HttpWindowOptions {
  readonly entity: Entity;
  /** The endpoint. Query parameters in it are sent on every request (their values never appear in messages). */
  readonly url: string;
  /** Where a response holds its records array, dotted. Default `data`; `""` when the body is the array. */
  readonly recordsPath?: string;
  readonly pagination: HttpPagination;
  /** Exclusive low watermark (already reduced by any lookback); null reads from the start. */
  readonly low: string | null;
  /**
   * Query parameter of the low mark. Default `updated_since`. Many APIs read it as `>=`: the
   * records at exactly `low` belong to the previous window and are dropped here.
   */
  readonly lowParam?: string;
  /**
   * Query parameter of the high mark, for APIs that take an upper bound (e.g. `updated_until`).
   * Default: none. Either way records above the high mark are dropped and come with the next window.
   */
  readonly highParam?: string;
  /** Inclusive high watermark. Default: the clock when the read starts. */
  readonly high?: string;
  /** Clock for the default high mark. Default `() => new Date()`. */
  readonly clock?: () => Date;
  /** The credential header, from an environment variable or a Key Vault secret. */
  readonly auth?: HttpAuth;
  /** Other request headers. Names that look like credentials are treated as such (redacted, https only). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly retry?: RetryOptions;
  /** Timeout of one attempt, headers and body. Default `30_000` ms. */
  readonly timeoutMs?: number;
  /** Largest response body read. Default `64 MiB`. */
  readonly maxResponseBytes?: number;
  /** A read fails after this many pages, against a server that never ends. Default `1_000_000`. */
  readonly maxPages?: number;
  /**
   * Records failing the entity's validator: `land` (default) lands them as received and reports
   * them, and bronze quarantines them with their rule ids (nothing lost, counts reconcile);
   * `reject` fails the read, and nothing is landed.
   */
  readonly onInvalid?: "land" | "reject";
  /** Cancels the read. */
  readonly signal?: AbortSignal;
  /** Requests, retries and pages as they happen; strings are redacted. */
  readonly log?: (event: HttpSourceEvent) => void;
}

export interface InvalidHttpRecord {
  /** 0-based position among the records passed on (the landed order). */
  readonly index: number;
  /** 1-based page the record came in. */
  readonly page: number;
  /** One per broken rule: `rule` is the rule id (`quantity.min`), `message` as bronze quarantine writes it. */
  readonly issues: readonly { readonly rule: string; readonly message: string }[];
}

/** Filled in while the records are read. */
export interface HttpReadStats {
  /** Requests sent, retries included. */
  requests: number;
  retries: number;
  pages: number;
  /** Records in the responses. */
  received: number;
  /** Records in the window, passed on. */
  passed: number;
  /** Dropped: at or below the low mark (an inclusive API's boundary rows, already read). */
  beforeLow: number;
  /** Dropped: above the high mark (changed during the read; the next window reads them). */
  afterHigh: number;
  /** Records passed on that fail the entity's validator. */
  invalid: number;
  /** The first 100 of them. */
  invalidRecords: InvalidHttpRecord[];
}

export interface HttpWindow {
  readonly column: string;
  readonly low: string | null;
  /** Taken once, when the read starts. */
  readonly high: string;
  /** For the manifest: the endpoint's origin and path, never its query or userinfo. */
  readonly source: LandingManifest["source"];
  /** The records as the API sent them, keyed by its field names; pages are fetched as they are pulled. */
  readonly records: AsyncIterable<Record<string, unknown>>;
  readonly stats: HttpReadStats;
}

const MAX_REPORTED = 100;

function badOptions(message: string, hint: string): IngestError {
  return new IngestError("BAD_OPTIONS", message, hint);
}

function watermarkColumn(entity: Entity): Column {
  if (entity.watermark.kind !== "column") {
    throw badOptions(
      `entity ${entity.name} has no watermark column`,
      "HTTP sources read by a watermark column; declare one on the entity.",
    );
  }
  const column = columnOf(entity, entity.watermark.column);
  // The window's bounds go to the API as request parameters and its records are placed by time.
  if (column.type.kind !== "date" && column.type.kind !== "timestamp")
    throw badOptions(
      `entity ${entity.name}: watermark column ${column.name} is ${column.type.kind}; HTTP sources read windows of a date or timestamp column`,
      "Give the entity a change-time watermark such as updated_at; database sources read numeric watermarks.",
    );
  return column;
}

/** The mark as the column's canonical value (UTC, microseconds), which sorts as text. */
function canonicalMark(column: Column, mark: string, name: string): string {
  const value = parseValue(column, mark.trim());
  if (typeof value !== "string") {
    throw badOptions(
      `${name} ${JSON.stringify(mark)} is not a valid value of ${column.name}`,
      "Give the watermark as an ISO 8601 timestamp, e.g. 2026-01-05T11:00:00Z.",
    );
  }
  return value;
}

function carriesCredentials(url: URL, options: HttpWindowOptions): boolean {
  return (
    options.auth !== undefined ||
    [...url.searchParams.keys()].some((k) => SECRET_NAME.test(k)) ||
    Object.keys(options.headers ?? {}).some((h) => SECRET_NAME.test(h))
  );
}

/** How a manifest names an API source: its URL without credentials or query. */
export function httpSourceName(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Reads the records whose watermark lies in (low, high] from a paginated JSON API, high taken
 * when the read starts. The credential is checked against the transport and read before the
 * first request; pages are fetched as the records are pulled, so a window of any size streams.
 * Every record is checked with the entity's zod validator; failures are counted and reported,
 * and the record passed on (or the read failed, with `onInvalid: "reject"`).
 */
export async function readHttpWindow(options: HttpWindowOptions): Promise<HttpWindow> {
  const { entity } = options;
  const column = watermarkColumn(entity);
  let base: URL;
  try {
    base = new URL(options.url);
  } catch {
    // Shown only when it cannot hold a credential: no user info, no query, no fragment.
    const shown = /[@?#]/.test(options.url) ? "" : `: ${JSON.stringify(options.url)}`;
    throw badOptions(
      `the source's url is not an absolute URL${shown || " (not shown: it may hold a credential)"}`,
      "Give an absolute https:// URL.",
    );
  }
  if (base.username || base.password) {
    // fetch refuses such a URL, and its error would carry the whole URL.
    throw badOptions(
      `the url of ${httpSourceName(base)} carries a user name or password`,
      'A credential is never written in a URL: give it as auth, e.g. auth: { scheme: "Basic", secret: { env: "SALES_API_BASIC" } }, the variable holding base64 of user:password.',
    );
  }
  const redactor = new Redactor();
  for (const [k, v] of base.searchParams) if (SECRET_NAME.test(k)) redactor.add(v);
  for (const [k, v] of Object.entries(options.headers ?? {})) if (SECRET_NAME.test(k)) redactor.add(v);
  const credentials = carriesCredentials(base, options);
  // Before the secret is read: a refused transport never gets it.
  assertCredentialsTransport(base, credentials);

  const low = options.low;
  const lowMark = low === null ? null : canonicalMark(column, low, "low");
  const high = options.high ?? (options.clock ?? (() => new Date()))().toISOString();
  const highMark = canonicalMark(column, high, "high");
  if (lowMark !== null && lowMark > highMark) {
    throw badOptions(`low ${low} is after high ${high}`, "The low mark is the previous window's high mark.");
  }

  const headers: Record<string, string> = {
    accept: "application/json",
    "user-agent": "saleslake-ingest",
    ...options.headers,
  };
  if (options.auth) {
    const [name, value] = await resolveAuthHeader(options.auth, redactor);
    headers[name] = value;
  }

  const p = options.pagination;
  const lowParam = options.lowParam ?? "updated_since";
  const pageSize = Math.max(1, Math.floor(p.pageSize ?? 100));
  const pageSizeParam =
    p.pageSizeParam === undefined ? (p.kind === "page" ? "page_size" : "limit") : p.pageSizeParam;
  const pageParam = p.kind === "page" ? (p.pageParam ?? "page") : (p.cursorParam ?? "cursor");
  const visibleParams = new Set(
    [lowParam, options.highParam, pageParam, pageSizeParam].filter((x): x is string => !!x),
  );
  const stats: HttpReadStats = {
    requests: 0,
    retries: 0,
    pages: 0,
    received: 0,
    passed: 0,
    beforeLow: 0,
    afterHigh: 0,
    invalid: 0,
    invalidRecords: [],
  };
  const log = options.log ?? (() => {});
  const ctx: FetchContext = {
    headers,
    carriesCredentials: credentials,
    retry: resolveRetry(options.retry),
    timeoutMs: Math.max(1, options.timeoutMs ?? 30_000),
    maxResponseBytes: Math.max(1, options.maxResponseBytes ?? 64 * 1024 * 1024),
    redactor,
    visibleParams,
    signal: options.signal,
    log,
    counters: stats,
  };
  const recordsPath = options.recordsPath ?? "data";
  const maxPages = Math.max(1, options.maxPages ?? 1_000_000);
  const badResponse = (url: URL, message: string, hint: string) =>
    new HttpSourceError("HTTP_BAD_RESPONSE", redactor.text(message), hint, {
      url: redactor.url(url, visibleParams),
      status: 200,
      attempts: 1,
    });

  async function* pages(): AsyncGenerator<{ records: unknown[]; page: number; url: URL }> {
    let pageNumber = p.kind === "page" ? (p.firstPage ?? 1) : 0;
    let cursor: string | undefined;
    const seen = new Set<string>();
    let longest = 0;
    for (let n = 1; ; n++) {
      const url = new URL(base);
      if (low !== null) url.searchParams.set(lowParam, low);
      if (options.highParam) url.searchParams.set(options.highParam, high);
      if (pageSizeParam) url.searchParams.set(pageSizeParam, String(pageSize));
      if (p.kind === "page") url.searchParams.set(pageParam, String(pageNumber));
      else if (cursor !== undefined) url.searchParams.set(pageParam, cursor);
      if (n > maxPages) {
        throw badResponse(
          url,
          `more than maxPages (${maxPages}) pages`,
          "Raise maxPages, or check the pagination options.",
        );
      }
      const body = await fetchJson(url, ctx);
      const records = atPath(body, recordsPath);
      if (!Array.isArray(records)) {
        throw badResponse(
          url,
          `GET ${redactor.url(url, visibleParams)}: the response has no records array at ${JSON.stringify(recordsPath)}`,
          "Set recordsPath to where the API puts its records (dotted, '' for a body that is the array).",
        );
      }
      stats.pages++;
      log({ kind: "page", url: redactor.url(url, visibleParams), records: records.length });
      yield { records, page: n, url };
      if (p.kind === "cursor") {
        const next = atPath(body, p.nextCursorPath ?? "next_cursor");
        if (next === undefined || next === null || next === "") return;
        if (typeof next !== "string" && typeof next !== "number") {
          throw badResponse(url, `the next cursor is not a string`, "Check pagination.nextCursorPath.");
        }
        cursor = String(next);
        if (seen.has(cursor)) {
          throw badResponse(
            url,
            `the API returned a cursor it returned before`,
            "The API's cursors loop; check pagination.nextCursorPath.",
          );
        }
        seen.add(cursor);
      } else if (p.nextPagePath !== undefined) {
        const next = atPath(body, p.nextPagePath);
        if (next === undefined || next === null) return;
        if (typeof next !== "number" || !Number.isInteger(next) || next <= pageNumber) {
          throw badResponse(
            url,
            `the next page ${JSON.stringify(next)} does not follow page ${pageNumber}`,
            "Check pagination.nextPagePath.",
          );
        }
        pageNumber = next;
      } else {
        // An API may cap a page below the size asked for (many cap at 100): a page shorter than
        // pageSize ends the window only when an earlier page was longer, else an empty one does.
        if (records.length === 0 || (pageSizeParam && records.length < Math.min(pageSize, longest))) return;
        longest = Math.max(longest, records.length);
        pageNumber++;
      }
    }
  }

  const validator = zodValidator(entity);
  async function* records(): AsyncGenerator<Record<string, unknown>> {
    for await (const { records: page, page: n, url } of pages()) {
      for (const [i, raw] of page.entries()) {
        stats.received++;
        if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
          throw badResponse(
            url,
            `record ${i + 1} of page ${n} is ${raw === null ? "null" : Array.isArray(raw) ? "an array" : typeof raw}, not a JSON object`,
            "Check recordsPath: it should name an array of objects.",
          );
        }
        const record = raw as Record<string, unknown>;
        // Numbers kept as their text (see parseExactJson) are validated as the engines read them.
        const mapped = recordFromSource(entity, exactRecord(record) as Record<string, RawValue>);
        const mark = columnIssues(column, mapped[column.name] as RawValue).value;
        // A record without a readable mark cannot be placed: it is passed on, and fails validation.
        if (typeof mark === "string") {
          if (lowMark !== null && mark <= lowMark) {
            stats.beforeLow++;
            continue;
          }
          if (mark > highMark) {
            stats.afterHigh++;
            continue;
          }
        }
        const parsed = validator.safeParse(mapped);
        if (!parsed.success) {
          const issues = parsed.error.issues.map((issue) => ({
            rule: issue.message.split(":")[0] ?? issue.message,
            message: issue.message,
          }));
          if (options.onInvalid === "reject") {
            throw new IngestError(
              "INVALID_RECORDS",
              `record ${i + 1} of page ${n} fails ${issues.map((x) => x.message).join("; ")}`,
              'Fix the source, or land with onInvalid: "land" and let bronze quarantine it.',
              { row: stats.passed + 1, rule: issues[0]?.rule ?? "schema" },
            );
          }
          stats.invalid++;
          if (stats.invalidRecords.length < MAX_REPORTED) {
            stats.invalidRecords.push({ index: stats.passed, page: n, issues });
          }
        }
        stats.passed++;
        yield record;
      }
    }
  }

  return {
    column: column.name,
    low,
    high,
    source: { kind: "http", name: redactor.text(httpSourceName(base)) },
    records: records(),
    stats,
  };
}
