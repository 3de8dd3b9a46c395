import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One order line as the order system's API serves it: keyed by the entity's source names. */
export interface OrderLineRow {
  OrderID: string;
  LineNo: number;
  order_date: string;
  customer_id: string;
  product_id: string;
  quantity: number;
  unit_price: string;
  discount_pct: string | null;
  currency: string;
  status: string;
  channel: string | null;
  updated_at: string;
  is_deleted: boolean;
}

/** What the server does to a request instead of answering it properly. */
export type Fault =
  /**
   * An error status, optionally with `Retry-After`: delta-seconds (`retryAfter`), or an HTTP-date
   * `retryAfterDateS` seconds after the response's own `Date` header. `body` defaults to a JSON
   * error that echoes the request's Authorization header, as careless APIs do.
   */
  | {
      readonly kind: "status";
      readonly status: number;
      readonly retryAfter?: string;
      readonly retryAfterDateS?: number;
      readonly body?: string;
    }
  /** 200 with half of the JSON body, then a clean end (chunked: nothing tells the client it is short). */
  | { readonly kind: "truncate" }
  /** 200 announcing the full length, half the body, then the connection is dropped. */
  | { readonly kind: "reset" }
  /** Waits `delayMs` before answering at all (past the client's timeout). */
  | { readonly kind: "slow"; readonly delayMs: number }
  /** Sends the headers and a first chunk, then waits `delayMs` before the rest. */
  | { readonly kind: "stall-body"; readonly delayMs: number };

export interface ServedRequest {
  /** Arrival, in ms on a monotonic clock (performance.timeOrigin + performance.now()). */
  readonly at: number;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  /** The fault served, if any. */
  fault?: Fault["kind"];
  status?: number;
  /** When the response was finished (same clock as `at`). */
  respondedAt?: number;
  /** Headers of the response the server sent. */
  responseHeaders?: Record<string, string>;
}

export interface SalesApiServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly requests: ServedRequest[];
  /** Rows the server holds, by `OrderID/LineNo`. */
  readonly rows: Map<string, OrderLineRow>;
  /** Inserts or replaces rows (a change in the order system). */
  upsert(rows: readonly OrderLineRow[]): void;
  /** The rows with `updated_at` in (low, high], in API order: what a window should land. */
  window(low: string | null, high: string): OrderLineRow[];
  /**
   * Queues a fault for the next `times` requests that `match` (default: any request). Faults
   * are served in the order queued.
   */
  misbehave(fault: Fault, options?: { times?: number; match?: (r: ServedRequest) => boolean }): void;
  /** Requests without `Authorization: Bearer <token>` get 401. Undefined: no auth. */
  requireToken(token: string | undefined): void;
  stop(): Promise<void>;
}

const now = () => performance.timeOrigin + performance.now();
const keyOf = (r: OrderLineRow) => `${r.OrderID}/${r.LineNo}`;
const order = (a: OrderLineRow, b: OrderLineRow) =>
  Date.parse(a.updated_at) - Date.parse(b.updated_at) ||
  (a.OrderID < b.OrderID ? -1 : a.OrderID > b.OrderID ? 1 : 0) ||
  a.LineNo - b.LineNo;

/** A small deterministic generator (mulberry32), so the same seed gives the same rows. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Generated order lines valid for the `sales_order_lines` entity: `count` lines over orders
 * numbered from `firstOrder`, one to three lines each, `updated_at` from `updatedFrom` in steps
 * of `stepMs` (so several lines can share a timestamp when `stepMs` is 0).
 */
export function generateOrderLines(options: {
  count: number;
  firstOrder?: number;
  updatedFrom: string;
  stepMs?: number;
  seed?: number;
}): OrderLineRow[] {
  const rnd = random(options.seed ?? 42);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const out: OrderLineRow[] = [];
  let orderNo = options.firstOrder ?? 1;
  let line = 1;
  const start = Date.parse(options.updatedFrom);
  for (let i = 0; i < options.count; i++) {
    out.push({
      OrderID: `SO${String(orderNo).padStart(8, "0")}`,
      LineNo: line,
      order_date: "2026-01-05",
      customer_id: `C${String(1 + Math.floor(rnd() * 999_999)).padStart(6, "0")}`,
      product_id: `P-${String(1 + Math.floor(rnd() * 99_999)).padStart(5, "0")}`,
      quantity: 1 + Math.floor(rnd() * 20),
      unit_price: (Math.floor(rnd() * 100_000) / 100).toFixed(2),
      discount_pct: rnd() < 0.3 ? (Math.floor(rnd() * 5000) / 100).toFixed(2) : null,
      currency: pick(["EUR", "USD", "GBP"]),
      status: pick(["open", "shipped", "invoiced", "cancelled"]),
      channel: pick(["web", "store", "partner", null]),
      updated_at: new Date(start + i * (options.stepMs ?? 60_000)).toISOString(),
      is_deleted: false,
    });
    if (rnd() < 0.5 || line === 3) {
      orderNo++;
      line = 1;
    } else line++;
  }
  return out;
}

const cursorOf = (r: OrderLineRow) =>
  Buffer.from(JSON.stringify([r.updated_at, r.OrderID, r.LineNo])).toString("base64url");

/**
 * The project's own sales API, on 127.0.0.1 and a free port, for the HTTP source's tests:
 *
 *   GET /v1/order-lines?page=N&page_size=M[&updated_since=T][&updated_until=T]
 *       → { data: [...], meta: { page, page_size, next_page: N+1 | null, total } }
 *   GET /v2/order-lines?[cursor=C]&limit=M[&updated_since=T][&updated_until=T]
 *       → { results: [...], paging: { next: C | null } }   (keyset cursor: stable while rows change)
 *
 * `updated_since` is inclusive (`>=`) as in many real APIs; `updated_until` is inclusive.
 * Rows come ordered by (updated_at, OrderID, LineNo). Faults are served on demand.
 */
export async function startSalesApi(options: { maxPageSize?: number } = {}): Promise<SalesApiServer> {
  // Many APIs serve at most so many records a page, whatever page_size asks for.
  const cap = options.maxPageSize ?? Number.POSITIVE_INFINITY;
  const requests: ServedRequest[] = [];
  const rows = new Map<string, OrderLineRow>();
  const faults: { fault: Fault; match: (r: ServedRequest) => boolean }[] = [];
  let token: string | undefined;

  function select(query: Record<string, string>): OrderLineRow[] {
    const since = query.updated_since === undefined ? undefined : Date.parse(query.updated_since);
    const until = query.updated_until === undefined ? undefined : Date.parse(query.updated_until);
    return [...rows.values()]
      .filter((r) => {
        const t = Date.parse(r.updated_at);
        return (since === undefined || t >= since) && (until === undefined || t <= until);
      })
      .sort(order);
  }

  function answer(query: Record<string, string>, path: string): { status: number; body: unknown } {
    if (query.updated_since !== undefined && Number.isNaN(Date.parse(query.updated_since)))
      return { status: 400, body: { error: "updated_since is not a timestamp" } };
    const all = select(query);
    if (path === "/v1/order-lines") {
      const page = Number(query.page ?? 1);
      const asked = Number(query.page_size ?? 50);
      if (!Number.isInteger(page) || page < 1 || !Number.isInteger(asked) || asked < 1)
        return { status: 400, body: { error: "bad page or page_size" } };
      const size = Math.min(asked, cap);
      const data = all.slice((page - 1) * size, page * size);
      const next = page * size < all.length ? page + 1 : null;
      return {
        status: 200,
        body: { data, meta: { page, page_size: size, next_page: next, total: all.length } },
      };
    }
    if (path === "/v2/order-lines") {
      const limit = Number(query.limit ?? 50);
      let from = 0;
      if (query.cursor) {
        const [ts, id, line] = JSON.parse(Buffer.from(query.cursor, "base64url").toString()) as [
          string,
          string,
          number,
        ];
        const after = { updated_at: ts, OrderID: id, LineNo: line } as OrderLineRow;
        from = all.findIndex((r) => order(r, after) > 0);
        if (from < 0) from = all.length;
      }
      const results = all.slice(from, from + limit);
      const last = results.at(-1);
      const next = last && from + limit < all.length ? cursorOf(last) : null;
      return { status: 200, body: { results, paging: { next } } };
    }
    return { status: 404, body: { error: `no route ${path}` } };
  }

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(",") : (v ?? "");
    const served: ServedRequest = {
      at: now(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
    };
    requests.push(served);
    const send = (status: number, body: string, extra: Record<string, string> = {}) => {
      served.status = status;
      served.responseHeaders = {
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        ...extra,
      };
      res.writeHead(status, served.responseHeaders);
      res.end(body, () => {
        served.respondedAt = now();
      });
    };
    const echo = (error: string) =>
      JSON.stringify({ error, received_authorization: headers.authorization ?? null });
    const timers: NodeJS.Timeout[] = [];
    res.on("close", () => {
      for (const t of timers) clearTimeout(t);
    });
    const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));

    if (token !== undefined && headers.authorization !== `Bearer ${token}`) {
      return send(401, echo("missing or wrong bearer token"));
    }
    const i = faults.findIndex((f) => f.match(served));
    const fault = i >= 0 ? faults.splice(i, 1)[0]!.fault : undefined;
    if (fault) served.fault = fault.kind;
    const { status, body } = answer(served.query, served.path);
    const text = JSON.stringify(body);
    switch (fault?.kind) {
      case undefined:
        return send(status, text);
      case "status": {
        // Whole seconds, as HTTP-dates have: the Date header and Retry-After are exact to each other.
        const date = new Date(Math.floor(Date.now() / 1000) * 1000);
        const extra: Record<string, string> = { date: date.toUTCString() };
        if (fault.retryAfter !== undefined) extra["retry-after"] = fault.retryAfter;
        if (fault.retryAfterDateS !== undefined)
          extra["retry-after"] = new Date(date.getTime() + fault.retryAfterDateS * 1000).toUTCString();
        return send(fault.status, fault.body ?? echo(`injected ${fault.status}`), extra);
      }
      case "truncate":
        served.status = 200;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(text.slice(0, Math.floor(text.length / 2)), () => {
          served.respondedAt = now();
        });
        return;
      case "reset":
        served.status = 200;
        res.writeHead(200, {
          "content-type": "application/json",
          "content-length": String(Buffer.byteLength(text)),
        });
        res.write(text.slice(0, Math.floor(text.length / 2)), () => {
          served.respondedAt = now();
          req.socket.destroy();
        });
        return;
      case "slow":
        later(fault.delayMs, () => send(status, text));
        return;
      case "stall-body":
        served.status = 200;
        res.writeHead(200, { "content-type": "application/json" });
        res.write(text.slice(0, 1));
        later(fault.delayMs, () => res.end(text.slice(1)));
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    rows,
    upsert(list) {
      for (const r of list) rows.set(keyOf(r), { ...r });
    },
    window(low, high) {
      const lo = low === null ? Number.NEGATIVE_INFINITY : Date.parse(low);
      const hi = Date.parse(high);
      return [...rows.values()]
        .filter((r) => Date.parse(r.updated_at) > lo && Date.parse(r.updated_at) <= hi)
        .sort(order);
    },
    misbehave(fault, options = {}) {
      for (let n = 0; n < (options.times ?? 1); n++)
        faults.push({ fault, match: options.match ?? (() => true) });
    },
    requireToken(t) {
      token = t;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
