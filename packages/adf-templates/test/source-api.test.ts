import { generateOrderLines, type SalesApiServer, startSalesApi } from "@saleslake/ingest/testing";
import { salesOrderLines } from "@saleslake/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTIVITY } from "../src/generate/entity-pipeline.ts";
import { EXAMPLE_FACTORY_OPTIONS } from "../src/generate/example-options.ts";
import { generateFactory } from "../src/generate/generate-factory.ts";
import type { SourceApi } from "../src/generate/source-api.ts";
import { lintFactory } from "../src/lint/lint-factory.ts";
import { LOGIN_SOURCES } from "./fixtures/login-sources.ts";
import { expectValidArtifacts } from "./support/valid-artifacts.ts";

/** The order system's API, as `saleslake ingest`'s HTTP source reads it: pages and cursors. */
const PAGES: SourceApi = {
  url: "https://orders.example.com/v1/order-lines",
  pagination: { kind: "page", pageSize: 3 },
  highParam: "updated_until",
  auth: { secret: "orders-api-token" },
};
const CURSORS: SourceApi = {
  url: "https://orders.example.com/v2/order-lines?region=eu",
  recordsPath: "results",
  pagination: { kind: "cursor", nextCursorPath: "paging.next", pageSize: 4 },
  auth: { header: "X-Api-Key", secret: "orders-api-key", keyVault: "kv-orders" },
};

const withApi = (api: SourceApi) =>
  generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, sourceApis: { [salesOrderLines.name]: api } });

interface Activity {
  name: string;
  type: string;
  dependsOn: { activity: string }[];
  policy: { secureInput: boolean; secureOutput: boolean };
  inputs?: { parameters?: { relative_url?: { value: string } } }[];
  typeProperties: Record<string, unknown> & {
    source?: {
      type: string;
      paginationRules?: Record<string, string>;
      additionalHeaders?: Record<string, string>;
    };
    translator?: {
      collectionReference?: string;
      mappings: { source: { path: string }; sink: { name: string } }[];
    };
    baseParameters?: Record<string, string>;
  };
}
const activities = (f: ReturnType<typeof generateFactory>) =>
  f.artifacts.pipelines.find((p) => p.name === `pl_${salesOrderLines.name}`)!.properties
    .activities as unknown as Activity[];
const activity = (f: ReturnType<typeof generateFactory>, name: string) =>
  activities(f).find((a) => a.name === name)!;

describe("source APIs in the generated factory", () => {
  it("reads the credential from Key Vault as the factory, kept out of the logs, and sends it as a header", () => {
    const f = withApi(PAGES);
    expect(lintFactory(f.artifacts).filter((x) => x.severity === "error")).toEqual([]);
    const read = activity(f, ACTIVITY.readCredential);
    expect(read).toMatchObject({
      type: "WebActivity",
      policy: { secureOutput: true },
      typeProperties: {
        method: "GET",
        url: `https://${EXAMPLE_FACTORY_OPTIONS.keyVaultName}.vault.azure.net/secrets/orders-api-token?api-version=7.4`,
        authentication: { type: "MSI", resource: "https://vault.azure.net" },
      },
    });
    const copy = activity(f, ACTIVITY.copy);
    expect(copy.policy.secureInput).toBe(true);
    expect(copy.dependsOn.map((d) => d.activity)).toEqual([ACTIVITY.beginRun, ACTIVITY.readCredential]);
    expect(copy.typeProperties.source).toMatchObject({
      type: "RestSource",
      additionalHeaders: { Authorization: `Bearer @{activity('${ACTIVITY.readCredential}').output.value}` },
      paginationRules: { "QueryParameters.page": "RANGE:1::1", "EndCondition:$.data": "Empty" },
    });
    // No table is read: no high-mark lookup; the window ends at the trigger's end.
    expect(activities(f).map((a) => a.name)).not.toContain(ACTIVITY.highMark);
    expect(activity(f, ACTIVITY.seal).typeProperties.baseParameters).toMatchObject({
      source_name: "https://orders.example.com/v1/order-lines",
    });
    expect(f.artifacts.linkedServices.find((l) => l.name === "ls_source_rest")!.properties).toMatchObject({
      type: "RestService",
      parameters: { baseUrl: { type: "String" } },
      typeProperties: { url: "@{linkedService().baseUrl}", authenticationType: "Anonymous" },
    });
    expect(
      f.artifacts.datasets.find((d) => d.name === `ds_${salesOrderLines.name}_source`)!.properties,
    ).toMatchObject({
      type: "RestResource",
      linkedServiceName: {
        referenceName: "ls_source_rest",
        parameters: { baseUrl: "https://orders.example.com/" },
      },
    });
    // Without an API no REST service; a credential header only with auth.
    expect(
      generateFactory(EXAMPLE_FACTORY_OPTIONS).artifacts.linkedServices.map((l) => l.name),
    ).not.toContain("ls_source_rest");
    const { auth: _, ...anonymous } = PAGES;
    const open = withApi(anonymous);
    expect(activities(open).map((a) => a.name)).not.toContain(ACTIVITY.readCredential);
    expect(activity(open, ACTIVITY.copy).typeProperties.source?.additionalHeaders).toBeUndefined();
  });

  it("its linked service, dataset and pipelines are valid against the official type definitions", () => {
    for (const f of [withApi(PAGES), withApi(CURSORS)]) {
      expect(expectValidArtifacts(f.artifacts, /^ls_source_rest$|_source$/)).toBeGreaterThan(4);
    }
  });

  it("refuses what the factory cannot read safely, never repeating a credential", () => {
    const cases: [Partial<SourceApi> | "table" | "file drop", string][] = [
      [{ url: "http://orders.example.com/v1" }, "url"],
      [{ url: "https://user:hunter2@orders.example.com/v1" }, "url"],
      [{ url: "not a url" }, "url"],
      [{ pagination: { kind: "offset" } as unknown as SourceApi["pagination"] }, "pagination"],
      [{ pagination: { kind: "page", pageSize: 0 } }, "pagination.pageSize"],
      [{ recordsPath: "data[0]" }, "recordsPath"],
      [{ lowParam: "since&x=1" }, "lowParam"],
      [{ auth: { secret: "Bearer hunter2" } }, "auth.secret"],
      ["table", ""],
    ];
    for (const [change, rule] of cases) {
      let thrown: unknown;
      try {
        if (change === "table")
          generateFactory({
            ...EXAMPLE_FACTORY_OPTIONS,
            sourceTables: { [salesOrderLines.name]: LOGIN_SOURCES.sales_order_lines },
            sourceApis: { [salesOrderLines.name]: PAGES },
          });
        else withApi({ ...PAGES, ...(change as Partial<SourceApi>) } as SourceApi);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toMatchObject({
        code: "INVALID_OPTIONS",
        rule: `sourceApis.${salesOrderLines.name}${rule === "" ? "" : `.${rule}`}`,
      });
      expect(String((thrown as Error).message)).not.toContain("hunter2");
    }
    let fileDrop: unknown;
    try {
      generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, sourceApis: { car_sales: PAGES } });
    } catch (e) {
      fileDrop = e;
    }
    expect(fileDrop).toMatchObject({
      rule: "sourceApis.car_sales",
      hint: expect.stringContaining("file-drop entity"),
    });
  });
});

/**
 * What Copy does with a REST source, as far as these pipelines use it: the dataset's relative URL
 * (its interpolations given), the linked service's base URL, the credential header, the pagination
 * rules (`RANGE:first::1` with an `Empty` end condition; a query parameter from a response field
 * with an `Empty` end condition) and the translator's collection and paths.
 */
async function copyAsFactory(
  f: ReturnType<typeof generateFactory>,
  server: SalesApiServer,
  bounds: readonly string[],
  secret: string,
): Promise<Record<string, unknown>[]> {
  const copy = activity(f, ACTIVITY.copy);
  const relative = copy.inputs![0]!.parameters!.relative_url!.value;
  const interpolations = relative.match(/@\{[^}]*\}/g) ?? [];
  expect(interpolations).toHaveLength(bounds.length);
  let i = 0;
  const url = new URL(
    relative.replace(/@\{[^}]*\}/g, () => encodeURIComponent(bounds[i++]!)),
    `${server.url}/`,
  );
  const source = copy.typeProperties.source!;
  const headers = Object.fromEntries(
    Object.entries(source.additionalHeaders ?? {}).map(([k, v]) => [k, v.replace(/@\{[^}]*\}/, secret)]),
  );
  const at = (body: unknown, path: string) =>
    path
      .replace(/^\$\.?/, "")
      .split(/\.|\['|'\]\['|'\]/)
      .filter((x) => x !== "")
      .reduce<unknown>((v, k) => (v as Record<string, unknown> | null)?.[k], body);
  const empty = (v: unknown) =>
    v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0);
  const rules = Object.entries(source.paginationRules ?? {});
  const [paramRule, paramValue] = rules.find(([k]) => k.startsWith("QueryParameters."))!;
  const [endRule, endValue] = rules.find(([k]) => k.startsWith("EndCondition:"))!;
  expect(endValue).toBe("Empty");
  const param = paramRule.slice("QueryParameters.".length);
  const range = /^RANGE:(\d+)::1$/.exec(paramValue);
  if (range) url.searchParams.set(param, range[1]!);
  const translator = copy.typeProperties.translator!;
  const rows: Record<string, unknown>[] = [];
  for (let request = 0; request < 100; request++) {
    const response = await fetch(url, { headers });
    expect(response.status).toBe(200);
    const body = (await response.json()) as unknown;
    const records = (
      translator.collectionReference ? at(body, translator.collectionReference) : body
    ) as Record<string, unknown>[];
    for (const r of records)
      rows.push(
        Object.fromEntries(translator.mappings.map((m) => [m.sink.name, at(r, m.source.path) ?? null])),
      );
    if (empty(at(body, endRule.slice("EndCondition:".length)))) return rows;
    if (range) url.searchParams.set(param, String(Number(url.searchParams.get(param)) + 1));
    else url.searchParams.set(param, String(at(body, paramValue)));
  }
  throw new Error("no end condition met in 100 requests");
}

describe("the generated API copy against an API server", () => {
  let server: SalesApiServer;
  beforeAll(async () => {
    server = await startSalesApi();
    server.upsert(
      generateOrderLines({
        count: 20,
        firstOrder: 1,
        updatedFrom: "2026-01-05T09:00:00.000Z",
        stepMs: 60_000,
        seed: 7,
      }),
    );
    server.requireToken("t0ken");
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ["pages numbered until an empty one", PAGES, "Authorization"],
    ["cursors, a fixed query parameter, another credential header", CURSORS, "x-api-key"],
    [
      "pages named by the response",
      { ...PAGES, pagination: { kind: "page", pageSize: 4, nextPagePath: "meta.next_page" } },
      "Authorization",
    ],
  ] as const)("%s: every record of the window, from its first page to its last", async (_, api, header) => {
    const f = withApi(api as SourceApi);
    // Low less the lookback, and the window end: what the interpolations give.
    const low = "2026-01-05T09:05:00.000Z";
    const high = "2026-01-05T09:15:00.000Z";
    const bounds = api.highParam === undefined ? [low] : [low, high];
    if (header === "x-api-key") server.requireToken(undefined);
    try {
      const before = server.requests.length;
      const rows = await copyAsFactory(f, server, bounds, "t0ken");
      const keys = (xs: readonly { OrderID: unknown; LineNo: unknown }[]) =>
        xs.map((r) => `${r.OrderID}/${r.LineNo}`);
      const window = server.window(low, high);
      expect(window.length).toBeGreaterThan(5);
      // The window whole; an API that reads the low mark inclusively adds its boundary row, and
      // one without an upper bound the rows after the window end: the merge keeps each key's newest.
      expect(keys(rows as { OrderID: unknown; LineNo: unknown }[])).toEqual(
        expect.arrayContaining(keys(window)),
      );
      const extra = rows.filter((r) => !keys(window).includes(`${r.OrderID}/${r.LineNo}`));
      for (const r of extra) {
        const t = Date.parse(String(r.updated_at));
        expect(t === Date.parse(low) || (api.highParam === undefined && t > Date.parse(high))).toBe(true);
      }
      expect(new Set(keys(rows as { OrderID: unknown; LineNo: unknown }[])).size).toBe(rows.length);
      // Each record with the entity's source fields, as the API names them.
      expect(Object.keys(rows[0]!).sort()).toEqual(Object.keys(window[0]!).sort());
      const served = server.requests.slice(before);
      expect(served.length).toBeGreaterThan(1);
      for (const r of served) {
        expect(r.status).toBe(200);
        expect(r.query.updated_since).toBe(low);
        expect(r.headers[header.toLowerCase()]).toBe(header === "Authorization" ? "Bearer t0ken" : "t0ken");
      }
      if (api === CURSORS)
        expect(served.every((r) => r.query.region === "eu" && r.query.limit === "4")).toBe(true);
    } finally {
      server.requireToken("t0ken");
    }
  });
});
