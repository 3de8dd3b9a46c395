import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { gunzipSync } from "node:zlib";
import { defineEntity, type Entity, salesOrderLines, t } from "@saleslake/schema";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Redactor } from "../src/http/redactor.ts";
import { assertCredentialsTransport, isLoopbackHost } from "../src/http/transport-guard.ts";
import {
  type HttpPagination,
  type HttpSource,
  HttpSourceError,
  type HttpSourceEvent,
  IngestError,
  type LakeStore,
  type LandHttpWindowOptions,
  LocalLakeStore,
  landHttpWindow,
  landSourceWindow,
  listLandedBatches,
  listLandedManifests,
  readHttpWindow,
} from "../src/index.ts";
import {
  type Fault,
  generateOrderLines,
  IdentityEndpoint,
  type OrderLineRow,
  type SalesApiServer,
  type ServedRequest,
  startSalesApi,
} from "../src/testing/index.ts";
import {
  type AzuriteServer,
  azuriteLakeStore,
  SKIP_AZURITE,
  startAzurite,
} from "./harness/azurite-server.ts";
import { type KeyVaultRecorder, startKeyVaultRecorder } from "./harness/key-vault-recorder.ts";

if (SKIP_AZURITE)
  console.warn("SALESLAKE_SKIP_AZURITE=1: the HTTP source's ADLS (Azurite) landings are skipped");

const TOKEN_VAR = "SALESLAKE_TEST_SALES_API_TOKEN";
const TOKEN = "sk_live_4f8a9c2e1b7d4e6f9a0b3c5d7e9f1a2b";
const work = mkdtempSync(join(tmpdir(), "saleslake-http-"));
let azurite: AzuriteServer | undefined;
let api: SalesApiServer;
let n = 0;

beforeAll(async () => {
  if (!SKIP_AZURITE) azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(async () => {
  api = await startSalesApi();
  api.requireToken(TOKEN);
  process.env[TOKEN_VAR] = TOKEN;
});
afterEach(async () => {
  await api.stop();
  delete process.env[TOKEN_VAR];
});

const local = async (): Promise<LakeStore> => new LocalLakeStore(join(work, `lake-${++n}`));
const adls = async (): Promise<LakeStore> => {
  if (!azurite) throw new Error("Azurite is not running");
  return azuriteLakeStore(azurite, { cacheDir: join(work, `cache-${++n}`) });
};
const stores: [string, () => Promise<LakeStore>, boolean][] = [
  ["local", local, false],
  ["adls (Azurite)", adls, SKIP_AZURITE],
];

const cursor = (pageSize: number): HttpPagination => ({
  kind: "cursor",
  nextCursorPath: "paging.next",
  pageSize,
});
const pages = (pageSize: number, nextPagePath?: string): HttpPagination => ({
  kind: "page",
  pageSize,
  ...(nextPagePath !== undefined && { nextPagePath }),
});
const fast = { baseDelayMs: 5, maxDelayMs: 40 };
const auth = { secret: { env: TOKEN_VAR } };

/** Options for the cursor endpoint (`/v2`) or the page endpoint (`/v1`). */
function source(
  kind: "cursor" | "page",
  extra: Partial<LandHttpWindowOptions> & { low: string | null; clock?: () => Date },
) {
  return {
    entity: salesOrderLines,
    url: `${api.url}/${kind === "cursor" ? "v2" : "v1"}/order-lines`,
    recordsPath: kind === "cursor" ? "results" : "data",
    pagination: kind === "cursor" ? cursor(10) : pages(10),
    auth,
    retry: fast,
    ...extra,
  };
}

const at = (iso: string) => () => new Date(iso);

/** Every record of an entity's landed batches, per batch, in landed order. */
async function landedRows(store: LakeStore): Promise<Record<string, unknown>[][]> {
  const out: Record<string, unknown>[][] = [];
  for (const b of await listLandedBatches(store, "sales_order_lines")) {
    const rows: Record<string, unknown>[] = [];
    for (const f of b.files) {
      let bytes = await store.get(f);
      if (f.endsWith(".gz")) bytes = gunzipSync(bytes);
      for (const line of bytes.toString("utf8").split("\n")) if (line) rows.push(JSON.parse(line));
    }
    out.push(rows);
  }
  return out;
}

const keys = (rows: readonly { OrderID?: unknown; LineNo?: unknown; updated_at?: unknown }[]) =>
  rows.map((r) => `${r.OrderID}/${r.LineNo}@${r.updated_at}`);
const apiRequests = () => api.requests.filter((r) => r.path.endsWith("/order-lines"));

describe.each(stores)("HTTP source lands generated order lines into the %s store", (_name, make, skip) => {
  it.skipIf(skip)(
    "lands exactly the rows the API holds for the window, with manifests, by cursor and by page",
    async () => {
      const store = await make();
      api.upsert(generateOrderLines({ count: 57, updatedFrom: "2026-01-05T10:00:00.000Z", stepMs: 60_000 }));
      const high1 = "2026-01-05T10:40:00.000Z";
      const first = await landHttpWindow({
        ...source("cursor", { low: null, clock: at(high1) }),
        store,
        rowsPerPart: 15,
        now: new Date("2026-01-10T00:00:00Z"),
      });
      // Rows changed after the high mark wait for the next window (this API takes no upper bound).
      expect(first.window).toEqual({ column: "updated_at", low: null, high: high1 });
      expect(first.stats).toMatchObject({ pages: 6, received: 57, passed: 41, afterHigh: 16, invalid: 0 });
      expect(first.landed).toMatchObject({ status: "landed", rows: 41 });

      // The page endpoint with an upper bound: the server bounds the window itself.
      const second = await landHttpWindow({
        ...source("page", { low: high1, clock: at("2026-01-06T00:00:00.000Z") }),
        pagination: pages(7, "meta.next_page"),
        highParam: "updated_until",
        store,
        gzip: true,
        now: new Date("2026-01-10T00:01:00Z"),
      });
      expect(second.stats).toMatchObject({ pages: 3, received: 17, passed: 16, beforeLow: 1, afterHigh: 0 });
      expect(apiRequests().at(-1)!.query).toMatchObject({
        updated_since: high1,
        updated_until: "2026-01-06T00:00:00.000Z",
        page: "3",
        page_size: "7",
      });

      const [batch1, batch2] = await landedRows(store);
      expect(batch1).toEqual(api.window(null, high1));
      expect(batch2).toEqual(api.window(high1, "2026-01-06T00:00:00.000Z"));
      const manifests = (await listLandedBatches(store, "sales_order_lines")).map((b) => b.manifest);
      expect(manifests).toMatchObject([
        {
          source: { kind: "http", name: `${api.url}/v2/order-lines` },
          window: { column: "updated_at", low: null, high: high1 },
          format: "jsonl",
          compression: "none",
          rowCount: 41,
          files: [{ rows: 15 }, { rows: 15 }, { rows: 11 }],
        },
        {
          source: { kind: "http", name: `${api.url}/v1/order-lines` },
          window: { column: "updated_at", low: high1, high: "2026-01-06T00:00:00.000Z" },
          compression: "gzip",
          rowCount: 16,
        },
      ]);
      // The credential came from the environment and went out as a bearer token.
      for (const r of apiRequests()) expect(r.headers.authorization).toBe(`Bearer ${TOKEN}`);
    },
  );

  it.skipIf(skip)(
    "retries exhausted: a typed error naming URL and status, and no visible batch",
    async () => {
      const store = await make();
      api.upsert(generateOrderLines({ count: 30, updatedFrom: "2026-01-05T10:00:00.000Z" }));
      api.misbehave(
        { kind: "status", status: 500 },
        { times: 10, match: (r) => r.query.cursor !== undefined },
      );
      const e = await landHttpWindow({
        ...source("cursor", { low: null }),
        url: `${api.url}/v2/order-lines?region=eu&api_key=${TOKEN}`,
        retry: { ...fast, maxAttempts: 3 },
        store,
        rowsPerPart: 4, // two parts are written before the failing page: they must not stay
      }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(HttpSourceError);
      const err = e as HttpSourceError;
      expect(err).toMatchObject({ code: "HTTP_REQUEST_FAILED", status: 500, attempts: 3 });
      expect(err.url).toMatch(
        new RegExp(
          `^${api.url}/v2/order-lines\\?region=\\*\\*\\*&api_key=\\*\\*\\*&limit=10&cursor=[A-Za-z0-9_-]+$`,
        ),
      );
      expect(err.message).toContain(err.url);
      expect(err.message).toMatch(/failed after 3 attempts: HTTP 500 Internal Server Error/);
      expect(inspect(err, { depth: null })).not.toContain(TOKEN);
      expect(apiRequests().filter((r) => r.query.cursor !== undefined)).toHaveLength(3);
      expect(await listLandedBatches(store, "sales_order_lines")).toEqual([]);
      expect(await store.list("landing/")).toEqual([]);
    },
  );
});

describe.each([
  ["cursor", "cursor" as const, cursor(2)],
  ["page number", "page" as const, pages(2)],
])("three consecutive windows by %s", (_name, kind, pagination) => {
  it("return exactly the rows changed in each window, rows sharing a boundary timestamp included", async () => {
    const store = await local();
    const row = (order: number, line: number, updated: string, quantity = 1): OrderLineRow => ({
      ...generateOrderLines({ count: 1, updatedFrom: updated, seed: order * 10 + line })[0]!,
      OrderID: `SO${String(order).padStart(8, "0")}`,
      LineNo: line,
      quantity,
    });
    const land = async (low: string | null, high: string, minute: number) => {
      const r = await landHttpWindow({
        ...source(kind, { low, clock: at(high) }),
        pagination,
        store,
        now: new Date(Date.UTC(2026, 0, 10, 0, minute)),
      });
      const rows = (await landedRows(store)).at(-1)!;
      expect(rows).toEqual(api.window(low, high)); // landed = what the API holds for (low, high]
      return { r, got: keys(rows) };
    };

    api.upsert([
      row(1, 1, "2026-01-05T10:00:00.000Z"),
      row(1, 2, "2026-01-05T10:00:00.000Z"),
      row(2, 1, "2026-01-05T11:00:00.000Z"),
      row(2, 2, "2026-01-05T11:00:00.000Z"),
      row(6, 1, "2026-01-05T11:30:00.000Z"), // after the first high mark: not yet
    ]);
    const w1 = await land(null, "2026-01-05T11:00:00.000Z", 1);
    expect(w1.got).toEqual([
      "SO00000001/1@2026-01-05T10:00:00.000Z",
      "SO00000001/2@2026-01-05T10:00:00.000Z",
      "SO00000002/1@2026-01-05T11:00:00.000Z",
      "SO00000002/2@2026-01-05T11:00:00.000Z",
    ]);
    expect(w1.r.stats.afterHigh).toBe(1);

    // Three rows share the next high mark; the API's inclusive updated_since also returns the
    // rows sitting exactly on the previous high mark, which belong to the first window.
    api.upsert([
      row(3, 1, "2026-01-05T12:00:00.000Z"),
      row(3, 2, "2026-01-05T12:00:00.000Z"),
      row(1, 1, "2026-01-05T12:00:00.000Z", 5),
    ]);
    const w2 = await land("2026-01-05T11:00:00.000Z", "2026-01-05T12:00:00.000Z", 2);
    expect(w2.got).toEqual([
      "SO00000006/1@2026-01-05T11:30:00.000Z",
      "SO00000001/1@2026-01-05T12:00:00.000Z",
      "SO00000003/1@2026-01-05T12:00:00.000Z",
      "SO00000003/2@2026-01-05T12:00:00.000Z",
    ]);
    expect(w2.r.stats.beforeLow).toBe(2);

    // A late commit at exactly the last high mark is caught by a one-hour lookback, once.
    api.upsert([row(4, 1, "2026-01-05T12:00:00.000Z"), row(5, 1, "2026-01-05T13:30:00.000Z")]);
    const w3 = await land("2026-01-05T11:00:00.000Z", "2026-01-05T13:30:00.000Z", 3);
    expect(w3.got).toEqual([
      "SO00000006/1@2026-01-05T11:30:00.000Z",
      "SO00000001/1@2026-01-05T12:00:00.000Z",
      "SO00000003/1@2026-01-05T12:00:00.000Z",
      "SO00000003/2@2026-01-05T12:00:00.000Z",
      "SO00000004/1@2026-01-05T12:00:00.000Z",
      "SO00000005/1@2026-01-05T13:30:00.000Z",
    ]);
    const manifests = (await listLandedBatches(store, "sales_order_lines")).map((b) => b.manifest.window);
    expect(manifests).toEqual([
      { column: "updated_at", low: null, high: "2026-01-05T11:00:00.000Z" },
      { column: "updated_at", low: "2026-01-05T11:00:00.000Z", high: "2026-01-05T12:00:00.000Z" },
      { column: "updated_at", low: "2026-01-05T11:00:00.000Z", high: "2026-01-05T13:30:00.000Z" },
    ]);
  });
});

describe("misbehaving API: each fault is recovered", () => {
  const secondPage = (r: ServedRequest) => r.query.cursor !== undefined;
  const cases: [string, Fault, Partial<LandHttpWindowOptions>][] = [
    ["429 with Retry-After in seconds", { kind: "status", status: 429, retryAfter: "1" }, {}],
    ["503 with Retry-After as an HTTP-date", { kind: "status", status: 503, retryAfterDateS: 2 }, {}],
    ["500", { kind: "status", status: 500 }, {}],
    ["502 without Retry-After", { kind: "status", status: 502 }, {}],
    ["truncated JSON (a clean end)", { kind: "truncate" }, {}],
    ["a connection dropped mid-body", { kind: "reset" }, {}],
    ["a response slower than the timeout", { kind: "slow", delayMs: 5_000 }, { timeoutMs: 1_000 }],
    ["a body that stalls past the timeout", { kind: "stall-body", delayMs: 5_000 }, { timeoutMs: 1_000 }],
  ];
  it.each(cases)("%s", async (_name, fault, extra) => {
    const store = await local();
    api.upsert(generateOrderLines({ count: 25, updatedFrom: "2026-01-05T10:00:00.000Z" }));
    api.misbehave(fault, { match: secondPage });
    const events: HttpSourceEvent[] = [];
    const r = await landHttpWindow({
      ...source("cursor", { low: null }),
      ...extra,
      store,
      log: (e) => events.push(e),
    });
    // Three pages, and one more request for the page that failed.
    const sent = apiRequests();
    expect(sent).toHaveLength(4);
    expect(sent.map((x) => x.fault)).toEqual([undefined, fault.kind, undefined, undefined]);
    expect(sent[2]!.query.cursor).toBe(sent[1]!.query.cursor);
    expect(r.stats).toMatchObject({ requests: 4, retries: 1, pages: 3, passed: 25 });
    expect((await landedRows(store))[0]).toEqual(api.window(null, r.window.high));
    expect(events.filter((e) => e.kind === "retry")).toHaveLength(1);
    if (fault.kind === "status" && (fault.retryAfter || fault.retryAfterDateS)) {
      // Measured by the server: from the throttled request's arrival to the retry's arrival.
      const waitMs = fault.retryAfter ? Number(fault.retryAfter) * 1000 : fault.retryAfterDateS! * 1000;
      expect(sent[2]!.at - sent[1]!.at).toBeGreaterThanOrEqual(waitMs);
      expect(events.find((e) => e.kind === "retry")).toMatchObject({ status: fault.status, delayMs: waitMs });
    }
  });

  it("a Retry-After longer than maxRetryAfterMs fails at once instead of waiting", async () => {
    api.upsert(generateOrderLines({ count: 5, updatedFrom: "2026-01-05T10:00:00.000Z" }));
    api.misbehave({ kind: "status", status: 429, retryAfter: "3600" });
    const e = await readHttpWindow({ ...source("cursor", { low: null }), retry: { maxRetryAfterMs: 60_000 } })
      .then(async (w) => {
        for await (const _ of w.records);
      })
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "HTTP_REQUEST_FAILED", status: 429, attempts: 1 });
    expect((e as Error).message).toMatch(/asked to wait 3600 s/);
    expect(apiRequests()).toHaveLength(1);
  });

  it("a 4xx other than 408/429 is not retried", async () => {
    const e = await landHttpWindow({
      ...source("cursor", { low: null }),
      url: `${api.url}/v3/order-lines`,
      store: await local(),
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "HTTP_REQUEST_FAILED", status: 404, attempts: 1 });
    expect((e as IngestError).hint).toMatch(/URL/);
  });
});

describe("credentials", () => {
  it("refuses to send credentials over plain http to a host that is not loopback, before reading them", async () => {
    delete process.env[TOKEN_VAR]; // refused for the transport, not for the missing secret
    for (const options of [
      { url: "http://sales-api.invalid/v2/order-lines", auth },
      { url: "http://sales-api.invalid/v2/order-lines?api_key=abc123" },
      { url: "http://sales-api.invalid/v2/order-lines", headers: { "X-Api-Key": "abc123" } },
    ]) {
      const e = await readHttpWindow({
        entity: salesOrderLines,
        pagination: cursor(10),
        low: null,
        ...options,
      }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(IngestError);
      expect(e).toMatchObject({ code: "INSECURE_TRANSPORT" });
      expect((e as Error).message).toBe(
        "refusing to send credentials over plain http to sales-api.invalid: anyone on the path could read them",
      );
      expect(inspect(e)).not.toMatch(/pa55word|abc123/);
    }
    // Plain http without credentials is the caller's choice; https is always accepted.
    expect(() => assertCredentialsTransport(new URL("http://sales-api.invalid/x"), false)).not.toThrow();
    expect(() => assertCredentialsTransport(new URL("https://sales-api.invalid/x"), true)).not.toThrow();
    for (const host of ["127.0.0.1", "127.8.9.10", "localhost", "[::1]", "[::ffff:127.0.0.1]"])
      expect(isLoopbackHost(new URL(`http://${host}/`).hostname)).toBe(true);
    for (const host of [
      "10.0.0.1",
      "192.168.1.5",
      "128.0.0.1",
      "sales-api.invalid",
      "[::2]",
      "127.0.0.1.nip.io",
    ])
      expect(isLoopbackHost(new URL(`http://${host}/`).hostname)).toBe(false);
  });

  it("refuses a user name or password in the URL before any request, and never shows them or the query", async () => {
    for (const url of [
      "https://svc:a$b%3Ac@sales-api.invalid/v2/order-lines?code=TOPSECRET",
      "http://svc:pa55word@sales-api.invalid/v2/order-lines",
      "https://svc@sales-api.invalid/v2/order-lines",
    ]) {
      const e = await readHttpWindow({
        entity: salesOrderLines,
        pagination: cursor(10),
        low: null,
        url,
      }).catch((x: unknown) => x);
      expect(e).toMatchObject({ code: "BAD_OPTIONS" });
      expect((e as Error).message, url).toBe(
        `the url of ${url.startsWith("https") ? "https" : "http"}://sales-api.invalid/v2/order-lines carries a user name or password`,
      );
      expect(inspect(e), url).not.toMatch(/svc|pa55word|a\$b|TOPSECRET/);
    }
  });

  it("a url that does not parse is shown only when it cannot hold a credential", async () => {
    const read = (url: string) =>
      readHttpWindow({ entity: salesOrderLines, pagination: cursor(10), low: null, url }).then(
        () => new Error("the read was not refused"),
        (x: unknown) => x as Error,
      );
    const hidden = await read("https://svc:pa/ss@sales-api.invalid:44x/v1?api_key=SECRET123");
    expect(hidden).toMatchObject({ code: "BAD_OPTIONS" });
    expect(hidden.message).toBe(
      "the source's url is not an absolute URL (not shown: it may hold a credential)",
    );
    expect(inspect(hidden)).not.toMatch(/pa\/ss|SECRET123/);
    expect((await read("sales-api.invalid/v2/order-lines")).message).toBe(
      'the source\'s url is not an absolute URL: "sales-api.invalid/v2/order-lines"',
    );
  });

  it("a URL quoted in a library's error is shown without user info or query values", () => {
    const redactor = new Redactor();
    const cause = new TypeError(
      "Request cannot be constructed from a URL that includes credentials: https://svc:a$b%3Ac@sales-api.invalid/v2/x?code=TOPSECRET&page=2",
    );
    expect(redactor.describe(new TypeError("fetch failed", { cause }))).toBe(
      "fetch failed: Request cannot be constructed from a URL that includes credentials: https://sales-api.invalid/v2/x?code=***&page=***",
    );
  });

  it("never shows the secret: not in errors, hints, causes or log events, even when the API echoes it", async () => {
    api.upsert(generateOrderLines({ count: 12, updatedFrom: "2026-01-05T10:00:00.000Z" }));
    api.requireToken("a-different-token"); // 401, and the body echoes the Authorization header back
    const events: HttpSourceEvent[] = [];
    const e = await landHttpWindow({
      ...source("cursor", { low: null }),
      store: await local(),
      log: (x) => events.push(x),
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "HTTP_REQUEST_FAILED", status: 401, attempts: 1 });
    const err = e as HttpSourceError;
    expect(JSON.parse(err.message.slice(err.message.indexOf("(") + 1, -1))).toEqual({
      error: "missing or wrong bearer token",
      received_authorization: "***",
    });
    expect(apiRequests()[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`); // it was sent, to loopback
    for (const text of [
      err.message,
      err.hint,
      err.url,
      inspect(err, { depth: null }),
      JSON.stringify(events),
    ])
      expect(text).not.toContain(TOKEN);

    // Retried failures echoing it too.
    api.requireToken(TOKEN);
    api.misbehave({ kind: "status", status: 500 }, { times: 2 });
    const e2 = await landHttpWindow({
      ...source("cursor", { low: null }),
      retry: { ...fast, maxAttempts: 2 },
      store: await local(),
      log: (x) => events.push(x),
    }).catch((x: unknown) => x);
    expect(e2).toMatchObject({ code: "HTTP_REQUEST_FAILED", status: 500, attempts: 2 });
    expect((e2 as Error).message).toContain('"received_authorization":"***"');
    for (const text of [inspect(e2, { depth: null }), JSON.stringify(events)])
      expect(text).not.toContain(TOKEN);
  });

  it("a missing environment variable is named, with nothing sent", async () => {
    delete process.env[TOKEN_VAR];
    const e = await readHttpWindow({ ...source("cursor", { low: null }) }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "SECRET_UNAVAILABLE" });
    expect((e as Error).message).toContain(TOKEN_VAR);
    expect(apiRequests()).toHaveLength(0);
  });
});

describe("credential from Key Vault, through the real SecretClient and DefaultAzureCredential", () => {
  let vault: KeyVaultRecorder;
  let identity: IdentityEndpoint;
  const saved = { ...process.env };
  beforeAll(async () => {
    identity = await new IdentityEndpoint().start();
    vault = await startKeyVaultRecorder({ expectToken: identity.token });
    vault.secrets.set("sales-api-token", TOKEN);
    // DefaultAzureCredential finds a managed identity endpoint (App Service style) on 127.0.0.1.
    for (const k of Object.keys(process.env)) if (k.startsWith("AZURE_")) delete process.env[k];
    Object.assign(process.env, identity.env());
  });
  afterAll(async () => {
    for (const k of Object.keys(identity.env())) delete process.env[k];
    Object.assign(process.env, saved);
    await vault.stop();
    await identity.close();
  });

  const keyVault = (secretName: string) => ({
    secret: {
      keyVault: {
        vaultUrl: vault.url,
        secretName,
        // The vault is 127.0.0.1, not *.vault.azure.net: the SDK's check that the challenge's
        // resource matches the vault's domain cannot pass here, and is the one thing turned off.
        clientOptions: { disableChallengeResourceVerification: true },
      },
    },
  });

  it("reads the secret with a managed-identity token and sends it as the bearer token", async () => {
    delete process.env[TOKEN_VAR];
    api.upsert(generateOrderLines({ count: 12, updatedFrom: "2026-01-05T10:00:00.000Z" }));
    const store = await local();
    const r = await landHttpWindow({
      ...source("cursor", { low: null }),
      auth: keyVault("sales-api-token"),
      store,
    });
    expect(r.landed?.rows).toBe(12);
    expect(apiRequests().map((x) => x.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    // The SDK's challenge: first without a token, then with the one the identity endpoint gave.
    expect(vault.requests.map((x) => [x.method, x.path, x.authorization])).toEqual([
      ["GET", "/secrets/sales-api-token/", undefined],
      ["GET", "/secrets/sales-api-token/", `Bearer ${identity.token}`],
    ]);
    expect(vault.requests[1]!.query["api-version"]).toMatch(/^\d/);
    expect(identity.resources).toEqual(["https://vault.azure.net"]);
  });

  it("a secret that cannot be read is SECRET_UNAVAILABLE, naming it, with nothing sent to the API", async () => {
    const e = await readHttpWindow({
      ...source("cursor", { low: null }),
      auth: keyVault("no-such-secret"),
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "SECRET_UNAVAILABLE" });
    expect((e as Error).message).toMatch(
      /Key Vault secret no-such-secret at https:\/\/127\.0\.0\.1:\d+ could not be read/,
    );
    expect(apiRequests()).toHaveLength(0);
  });

  it("the secret itself never reaches a message, even from an injected client's error", async () => {
    const e = await readHttpWindow({
      ...source("cursor", { low: null }),
      auth: {
        secret: {
          keyVault: {
            vaultUrl: "https://sales.vault.azure.net",
            secretName: "sales-api-token",
            client: { getSecret: async () => ({ name: "x", value: `${TOKEN}\n`, properties: {} as never }) },
          },
        },
      },
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "SECRET_UNAVAILABLE" });
    expect((e as Error).message).toMatch(/line break/);
    expect(inspect(e, { depth: null })).not.toContain(TOKEN);
  });
});

describe("validation with the entity's zod validator", () => {
  const bad = (row: OrderLineRow, patch: Record<string, unknown>) => ({ ...row, ...patch }) as OrderLineRow;

  it("lands numbers as the API wrote them: digits past 2^53, trailing zeros and exponents kept", async () => {
    const store = await local();
    const [row] = generateOrderLines({ count: 1, updatedFrom: "2026-01-05T10:00:00.000Z" });
    // The body as an API might write it; JSON.stringify could not (a JavaScript number changes it).
    const record = JSON.stringify({ ...row, quantity: 7, unit_price: 1, discount_pct: 2 })
      .replace('"quantity":7', '"quantity":9007199254740993')
      .replace('"unit_price":1', '"unit_price":12.10')
      .replace('"discount_pct":2', '"discount_pct":1E1');
    api.misbehave({ kind: "status", status: 200, body: `{"results":[${record}],"paging":{"next":null}}` });
    const r = await landHttpWindow({
      ...source("cursor", { low: null, clock: at("2026-01-06T00:00:00.000Z") }),
      store,
    });
    const landed = (await store.get(`${r.landed!.dir}/part-00000.jsonl`)).toString();
    expect(landed).toContain('"quantity":9007199254740993,"unit_price":12.10,"discount_pct":1E1,');
    // Validated as the engines read the landed text: the quantity exactly, past an int's range;
    // the others as doubles (12.1, 10), within theirs.
    expect(r.invalid.issues.map((i) => i.rule)).toEqual(["quantity.parse"]);
  });

  it("refuses a page holding a key twice in one object, naming where, and lands nothing", async () => {
    const store = await local();
    const [first, second] = generateOrderLines({ count: 2, updatedFrom: "2026-01-05T10:00:00.000Z" });
    // The second record says its quantity twice; a raw number in the first must not hide it.
    const twice = JSON.stringify({ ...second, quantity: 3 }).replace(
      '"quantity":3',
      '"quantity":3,"quantity":4',
    );
    const raw = JSON.stringify({ ...first, quantity: 7 }).replace('"quantity":7', '"quantity":12.10');
    const body = `{"results":[${raw},${twice}],"paging":{"next":null}}`;
    api.misbehave({ kind: "status", status: 200, body });
    const e = await landHttpWindow({
      ...source("cursor", { low: null, clock: at("2026-01-06T00:00:00.000Z") }),
      store,
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "HTTP_BAD_RESPONSE", status: 200, attempts: 1 });
    expect((e as Error).message).toMatch(/the object at \$\.results\[1\] holds the key "quantity" twice$/);
    expect(await store.list("landing/")).toEqual([]);
    // Keys repeated in sibling or nested objects are no duplicates.
    const nested = JSON.stringify({ ...first, note: { quantity: 1, n: [{ quantity: 2 }] } });
    api.misbehave({ kind: "status", status: 200, body: `{"results":[${nested}],"paging":{"next":null}}` });
    const r = await landHttpWindow({
      ...source("cursor", { low: null, clock: at("2026-01-06T00:00:00.000Z") }),
      store,
    });
    expect(r.landed?.rows).toBe(1);
  });

  it("refuses records with a field the contract rejects, as a file's header, and lands nothing", async () => {
    const strict: Entity = {
      ...salesOrderLines,
      contract: { ...salesOrderLines.contract, unknownColumns: "reject" },
    };
    const rows = generateOrderLines({ count: 3, updatedFrom: "2026-01-05T10:00:00.000Z" });
    api.upsert([rows[0]!, { ...rows[1]!, coupon: "XMAS" } as OrderLineRow, rows[2]!]);
    const store = await local();
    const e = await landHttpWindow({
      ...source("cursor", { low: null, clock: at("2026-01-06T00:00:00.000Z") }),
      entity: strict,
      store,
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "UNKNOWN_COLUMNS", rule: "contract.unknownColumns" });
    expect((e as Error).message).toBe(
      `${api.url}/v2/order-lines: unknown field "coupon" for entity sales_order_lines, in records of this window; nothing was landed`,
    );
    expect(await store.list("")).toEqual([]);
  });

  it("lands invalid records as received (bronze quarantines them) and reports file, row and rule", async () => {
    const store = await local();
    const rows = generateOrderLines({ count: 9, updatedFrom: "2026-01-05T10:00:00.000Z" });
    rows[2] = bad(rows[2]!, { quantity: 0 });
    rows[6] = bad(rows[6]!, { currency: "XYZ", customer_id: "C12345" });
    api.upsert(rows);
    const r = await landHttpWindow({
      ...source("cursor", { low: null, clock: at("2026-01-06T00:00:00.000Z") }),
      pagination: cursor(4),
      store,
      rowsPerPart: 5,
    });
    expect(r.landed?.rows).toBe(9); // nothing dropped: counts reconcile downstream
    expect(r.invalid.count).toBe(2);
    const dir = r.landed!.dir;
    expect(r.invalid.issues).toEqual([
      {
        file: `${dir}/part-00000.jsonl`,
        row: 3,
        rule: "quantity.min",
        message: "quantity.min: quantity: below the minimum 1",
      },
      {
        file: `${dir}/part-00001.jsonl`,
        row: 2,
        rule: "customer_id.pattern",
        message: "customer_id.pattern: customer_id: does not match the pattern C[0-9]{6}",
      },
      {
        file: `${dir}/part-00001.jsonl`,
        row: 2,
        rule: "currency.enum",
        message: "currency.enum: currency: not one of EUR, USD, GBP",
      },
    ]);
    // The named file and row hold the invalid record, as the API sent it.
    const part = (await store.get(r.invalid.issues[1]!.file)).toString().trim().split("\n");
    expect(JSON.parse(part[1]!)).toEqual(api.rows.get(`${rows[6]!.OrderID}/${rows[6]!.LineNo}`));
  });

  it('with onInvalid: "reject" the read fails on the first invalid record and nothing is landed', async () => {
    const store = await local();
    const rows = generateOrderLines({ count: 9, updatedFrom: "2026-01-05T10:00:00.000Z" });
    rows[6] = bad(rows[6]!, { quantity: 0 });
    api.upsert(rows);
    const e = await landHttpWindow({
      ...source("cursor", { low: null }),
      pagination: cursor(4),
      onInvalid: "reject",
      store,
      rowsPerPart: 2,
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "INVALID_RECORDS", row: 7, rule: "quantity.min" });
    expect(await store.list("landing/")).toEqual([]);
  });

  it("a record whose watermark cannot be read is landed and reported, not dropped", async () => {
    const store = await local();
    const rows = generateOrderLines({ count: 3, updatedFrom: "2026-01-05T10:00:00.000Z" });
    rows[1] = bad(rows[1]!, { updated_at: "yesterday" });
    api.upsert(rows);
    const r = await landHttpWindow({ ...source("cursor", { low: null }), store });
    expect(r.landed?.rows).toBe(3);
    expect(r.invalid.issues.map((i) => i.rule)).toEqual(["updated_at.parse"]);
  });

  it("pages of an API that serves fewer records than asked for: every record, until a shorter or empty page", async () => {
    const capped = await startSalesApi({ maxPageSize: 100 });
    try {
      capped.upsert(generateOrderLines({ count: 250, updatedFrom: "2026-01-05T00:00:00Z" }));
      const read = async (count: number) => {
        const r = await readHttpWindow({
          entity: salesOrderLines,
          url: `${capped.url}/v1/order-lines`,
          recordsPath: "data",
          pagination: pages(500),
          low: null,
          clock: at("2026-01-10T00:00:00Z"),
          retry: fast,
        });
        const got = [];
        for await (const record of r.records) got.push(record);
        expect(got).toHaveLength(count);
        return capped.requests.splice(0).map((q) => q.query.page);
      };
      // 100, 100, then 50: shorter than the pages before it.
      expect(await read(250)).toEqual(["1", "2", "3"]);
      // One page shorter than pageSize, then one more request, which is empty.
      const few = await startSalesApi();
      try {
        few.upsert(generateOrderLines({ count: 30, updatedFrom: "2026-01-05T00:00:00Z" }));
        const r = await readHttpWindow({
          entity: salesOrderLines,
          url: `${few.url}/v1/order-lines`,
          recordsPath: "data",
          pagination: pages(500),
          low: null,
          clock: at("2026-01-10T00:00:00Z"),
          retry: fast,
        });
        let count = 0;
        for await (const _ of r.records) count++;
        expect(count).toBe(30);
        expect(few.requests.map((q) => q.query.page)).toEqual(["1", "2"]);
      } finally {
        await few.stop();
      }
    } finally {
      await capped.stop();
    }
  });

  it("refuses an entity whose watermark is a number, before any request", async () => {
    const events = defineEntity({
      name: "events",
      columns: { id: t.int(), seq: t.bigint() },
      key: ["id"],
      sequence: "seq",
      watermark: { column: "seq" },
    });
    await expect(readHttpWindow({ ...source("page", { low: null }), entity: events })).rejects.toMatchObject({
      code: "BAD_OPTIONS",
      message:
        "entity events: watermark column seq is bigint; HTTP sources read windows of a date or timestamp column",
    });
    expect(api.requests).toEqual([]);
  });

  it("a response without the records array is a typed error naming the path", async () => {
    api.upsert(generateOrderLines({ count: 3, updatedFrom: "2026-01-05T10:00:00.000Z" }));
    const e = await landHttpWindow({
      ...source("cursor", { low: null }),
      recordsPath: "items",
      store: await local(),
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "HTTP_BAD_RESPONSE" });
    expect((e as Error).message).toMatch(/no records array at "items"/);
  });
});

describe("landSourceWindow: the next window of an HTTP source", () => {
  it("asks for changes since the last landed window's high less the lookback", async () => {
    const store = await local();
    let now = "2026-01-05T10:30:00.000Z";
    const def: HttpSource = {
      kind: "http",
      url: `${api.url}/v2/order-lines`,
      recordsPath: "results",
      pagination: cursor(5),
      auth,
      retry: fast,
      clock: () => new Date(now),
    };
    api.upsert(generateOrderLines({ count: 12, updatedFrom: "2026-01-05T10:00:00.000Z", stepMs: 60_000 }));
    const first = await landSourceWindow({ store, entity: salesOrderLines, source: def });
    expect(first).toMatchObject({
      source: { kind: "http", name: `${api.url}/v2/order-lines` },
      window: { column: "updated_at", low: null, high: "2026-01-05T10:30:00.000Z" },
      landed: { status: "landed", rows: 12 },
      invalid: { count: 0 },
    });

    api.upsert(generateOrderLines({ count: 3, firstOrder: 500, updatedFrom: "2026-01-05T11:00:00.000Z" }));
    now = "2026-01-05T11:10:00.000Z";
    api.requests.length = 0;
    // A label names the source for tools; the window still follows the source's kind and name.
    const second = await landSourceWindow({
      store,
      entity: salesOrderLines,
      source: def,
      label: "orders_api",
    });
    expect((await listLandedManifests(store, "sales_order_lines")).map((m) => m.source)).toEqual([
      { kind: "http", name: `${api.url}/v2/order-lines` },
      { kind: "http", name: `${api.url}/v2/order-lines`, label: "orders_api" },
    ]);
    // sales_order_lines looks back one hour: every row changed after 09:30 is asked for again.
    expect(second.window).toEqual({
      column: "updated_at",
      low: "2026-01-05T09:30:00.000Z",
      high: "2026-01-05T11:10:00.000Z",
    });
    expect(second.previous?.high).toBe("2026-01-05T10:30:00.000Z");
    expect(new Set(apiRequests().map((r) => r.query.updated_since))).toEqual(
      new Set(["2026-01-05T09:30:00.000Z"]),
    );
    expect(second.landed?.rows).toBe(15);
    expect(keys((await landedRows(store))[1]!)).toEqual(keys(api.window("2026-01-05T09:30:00.000Z", now)));
  });
});
