import type { TokenCredential } from "@azure/core-auth";
import { carSales, carSalesStar, salesOrderLines, salesOrderStar } from "@saleslake/schema";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deployFactory, formatPlan } from "../src/deploy/deploy-factory.ts";
import { factoryClient } from "../src/deploy/factory-client.ts";
import { followPipelineRun, listActivityRuns, startPipelineRun } from "../src/deploy/pipeline-runs.ts";
import { AdfError } from "../src/errors.ts";
import { EXAMPLE_FACTORY_OPTIONS } from "../src/generate/example-options.ts";
import { generateFactory } from "../src/generate/generate-factory.ts";
import type { PipelineBody } from "../src/generate/wire-types.ts";
import { type ArmRecorder, armError, DataFactoryFake, startArmRecorder } from "../src/testing/index.ts";

const TOKEN = "test-token-not-a-secret";
const credential: TokenCredential = {
  getToken: async () => ({ token: TOKEN, expiresOnTimestamp: Date.now() + 3600_000 }),
};
const target = { resourceGroup: "rg-saleslake-dev", factoryName: "saleslake-dev-adf" };
const F =
  "/subscriptions/sub-1/resourceGroups/rg-saleslake-dev/providers/Microsoft.DataFactory/factories/saleslake-dev-adf";
const generated = () =>
  generateFactory({
    ...EXAMPLE_FACTORY_OPTIONS,
    entities: [
      { entity: carSales, star: carSalesStar },
      { entity: salesOrderLines, star: salesOrderStar },
    ],
  });

let rec: ArmRecorder;
let fake: DataFactoryFake;
beforeEach(async () => {
  fake = new DataFactoryFake();
  rec = await startArmRecorder({ routes: [fake.route], expectToken: TOKEN });
});
afterEach(async () => {
  await rec.close();
});
const client = (maxRetries = 0) =>
  factoryClient({ subscriptionId: "sub-1", credential, endpoint: rec.url, maxRetries });

const LISTS = [`GET ${F}/linkedservices`, `GET ${F}/datasets`, `GET ${F}/pipelines`, `GET ${F}/triggers`];
const PUT_LINKED_SERVICES = [
  "ls_lake",
  "ls_source_sql",
  "ls_control_sql",
  "ls_databricks",
  "ls_key_vault",
].map((n) => `PUT ${F}/linkedservices/${n}`);
const DATASETS = [
  "ds_control",
  "ds_car_sales_landing_parquet",
  "ds_car_sales_landing_csv",
  "ds_sales_order_lines_source",
  "ds_sales_order_lines_landing_jsonl",
  "ds_sales_order_lines_landing_parquet",
  "ds_sales_order_lines_landing_csv",
];
const PUT_DATASETS = DATASETS.map((n) => `PUT ${F}/datasets/${n}`);
const PUT_PIPELINES = ["pl_car_sales", "pl_sales_order_lines", "pl_saleslake_incremental"].map(
  (n) => `PUT ${F}/pipelines/${n}`,
);
const TRIGGERS = ["tr_saleslake_window", "tr_car_sales_file_drop"];
const PUT_TRIGGERS = TRIGGERS.map((n) => `PUT ${F}/triggers/${n}`);
const START = TRIGGERS.map((n) => `POST ${F}/triggers/${n}/start`);
const STOP = TRIGGERS.map((n) => `POST ${F}/triggers/${n}/stop`);

describe("deployFactory through the real DataFactoryManagementClient", () => {
  it("creates everything in dependency order, sending exactly the generated wire bodies, then starts the triggers", async () => {
    const g = generated();
    const result = await deployFactory(client(), target, g.artifacts);
    expect(rec.lines()).toEqual([
      ...LISTS,
      ...PUT_LINKED_SERVICES,
      ...PUT_DATASETS,
      ...PUT_PIPELINES,
      ...PUT_TRIGGERS,
      ...START,
    ]);
    expect(result.plan.every((p) => p.action === "create")).toBe(true);
    for (const r of rec.requests) {
      expect(r.apiVersion).toBe("2018-06-01");
      expect(r.authorized).toBe(true);
    }
    const sent = new Map(
      rec.requests.filter((r) => r.method === "PUT").map((r) => [r.path.split("/").at(-1), r.body]),
    );
    for (const doc of [
      ...g.artifacts.linkedServices,
      ...g.artifacts.datasets,
      ...g.artifacts.pipelines,
      ...g.artifacts.triggers,
    ])
      expect(sent.get(doc.name), doc.name).toEqual({ properties: doc.properties });
    expect(JSON.stringify(rec.requests)).not.toContain(TOKEN);
    expect(rec.get(`${F}/triggers/tr_saleslake_window`)).toMatchObject({
      properties: { runtimeState: "Started" },
    });
  });

  it("issues no write on a second deploy of the same artifacts", async () => {
    await deployFactory(client(), target, generated().artifacts);
    rec.clearRequests();
    const second = await deployFactory(client(), target, generated().artifacts);
    expect(rec.lines()).toEqual(LISTS);
    expect(rec.writes()).toEqual([]);
    expect(new Set(second.plan.map((p) => p.action))).toEqual(new Set(["unchanged"]));
    expect(second.steps).toEqual([]);
  });

  it("dry run returns the plan with a diff and writes nothing; the real run stops triggers, updates, restarts", async () => {
    await deployFactory(client(), target, generated().artifacts);
    const changed = generated();
    const pl = changed.artifacts.pipelines.find((p) => p.name === "pl_sales_order_lines") as PipelineBody;
    (pl.properties.activities[2]!.policy as { retry: number }).retry = 5;
    rec.clearRequests();
    const dry = await deployFactory(client(), target, changed.artifacts, { dryRun: true });
    expect(rec.writes()).toEqual([]);
    expect(dry.plan.filter((p) => p.action !== "unchanged")).toEqual([
      {
        type: "pipeline",
        name: "pl_sales_order_lines",
        action: "update",
        diff: [{ op: "change", path: "activities[2].policy.retry", before: 2, after: 5 }],
      },
    ]);
    expect(formatPlan(dry.plan)).toContain(
      "update    pipeline pl_sales_order_lines\n  ~ activities[2].policy.retry: 2 → 5",
    );
    rec.clearRequests();
    await deployFactory(client(), target, changed.artifacts);
    expect(rec.lines()).toEqual([...LISTS, ...STOP, `PUT ${F}/pipelines/pl_sales_order_lines`, ...START]);
  });

  it("stops at a failed call mid-deploy with a typed error, and a rerun finishes from what exists", async () => {
    rec.failNext(
      "PUT",
      /\/datasets\/ds_sales_order_lines_source$/,
      armError(409, "Conflict", "another operation is in progress"),
    );
    const g = generated();
    const error = await deployFactory(client(), target, g.artifacts).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdfError);
    expect(error).toMatchObject({
      code: "DEPLOY_FAILED",
      message:
        "deploy stopped at put dataset ds_sales_order_lines_source (8 of 19 writes done): PUT dataset ds_sales_order_lines_source: HTTP 409 Conflict: another operation is in progress",
      hint: expect.stringContaining("deploy again"),
    });
    expect(rec.lines()).toEqual([...LISTS, ...PUT_LINKED_SERVICES, ...PUT_DATASETS.slice(0, 4)]);
    rec.clearRequests();
    await deployFactory(client(), target, g.artifacts);
    expect(rec.lines()).toEqual([
      ...LISTS,
      ...PUT_DATASETS.slice(3),
      ...PUT_PIPELINES,
      ...PUT_TRIGGERS,
      ...START,
    ]);
    rec.clearRequests();
    await deployFactory(client(), target, g.artifacts);
    expect(rec.writes()).toEqual([]);
  });

  it("keeps artifacts it does not deploy unless asked to delete them; deletes triggers before pipelines", async () => {
    await deployFactory(client(), target, generated().artifacts);
    rec.put(`${F}/pipelines/pl_old`, { properties: { activities: [] } });
    rec.put(`${F}/triggers/tr_old`, {
      properties: {
        type: "ScheduleTrigger",
        runtimeState: "Stopped",
        pipelines: [{ pipelineReference: { referenceName: "pl_old", type: "PipelineReference" } }],
        typeProperties: {},
      },
    });
    rec.clearRequests();
    const kept = await deployFactory(client(), target, generated().artifacts);
    expect(kept.plan.filter((p) => p.action === "untouched").map((p) => `${p.type} ${p.name}`)).toEqual([
      "pipeline pl_old",
      "trigger tr_old",
    ]);
    expect(rec.writes()).toEqual([]);
    await deployFactory(client(), target, generated().artifacts, { deleteMissing: true });
    expect(rec.lines((r) => r.method !== "GET")).toEqual([
      ...STOP,
      `DELETE ${F}/triggers/tr_old`,
      `DELETE ${F}/pipelines/pl_old`,
      ...START,
    ]);
    expect(rec.get(`${F}/pipelines/pl_old`)).toBeUndefined();
  });

  it("follows a list's next page on Resource Manager's host, and no other", async () => {
    const other = await startArmRecorder({});
    try {
      let nextLink = "";
      const paged = await startArmRecorder({
        expectToken: TOKEN,
        routes: [
          (r, self) => {
            if (r.method !== "GET") return undefined;
            if (r.path === `${F}/pipelines`)
              return { status: 200, body: { value: [], nextLink: nextLink.replace("{self}", self.url) } };
            if (r.path === `${F}/pipelines/next-page`)
              return { status: 200, body: { value: [{ name: "pl_old", properties: { activities: [] } }] } };
            return undefined;
          },
          fake.route,
        ],
      });
      try {
        const pagedClient = factoryClient({
          subscriptionId: "sub-1",
          credential,
          endpoint: paged.url,
          maxRetries: 0,
        });
        nextLink = `{self}${F}/pipelines/next-page?api-version=2018-06-01`;
        const { plan } = await deployFactory(pagedClient, target, generated().artifacts, { dryRun: true });
        expect(plan.filter((p) => p.action === "untouched").map((p) => `${p.type} ${p.name}`)).toEqual([
          "pipeline pl_old",
        ]);
        nextLink = `${other.url}${F}/pipelines/next-page?api-version=2018-06-01`;
        const e = await deployFactory(pagedClient, target, generated().artifacts, { dryRun: true }).catch(
          (x: unknown) => x,
        );
        expect(e).toBeInstanceOf(AdfError);
        expect((e as AdfError).message).toBe(
          `GET pipeline list: the next page is not on ${new URL(paged.url).host} but on ${new URL(other.url).host}: not followed, so that the credential goes to no other host`,
        );
        expect(other.requests).toEqual([]);
      } finally {
        await paged.close();
      }
    } finally {
      await other.close();
    }
  });

  it("reports a refused credential with the role it needs", async () => {
    const wrong = factoryClient({
      subscriptionId: "sub-1",
      credential: {
        getToken: async () => ({ token: "someone-else", expiresOnTimestamp: Date.now() + 3600_000 }),
      },
      endpoint: rec.url,
      maxRetries: 0,
    });
    await expect(deployFactory(wrong, target, generated().artifacts)).rejects.toMatchObject({
      code: "DEPLOY_FAILED",
      message: expect.stringContaining("HTTP 401 AuthenticationFailed"),
      hint: expect.stringContaining("Data Factory Contributor"),
    });
  });

  it("refuses plain HTTP to anything but loopback", () => {
    expect(() =>
      factoryClient({ subscriptionId: "s", credential, endpoint: "http://management.example.com" }),
    ).toThrow(/non-loopback/);
  });
});

describe("runs: start, follow, list activity runs", () => {
  it("starts a run with parameters, follows it to the end and lists activity runs with counts and errors", async () => {
    await deployFactory(client(), target, generated().artifacts);
    fake.scriptRun("pl_sales_order_lines", {
      statuses: ["Queued", "InProgress", "InProgress", "Failed"],
      message: "Operation on target bronze failed",
      activityRuns: [
        {
          activityName: "Copy window to landing",
          activityType: "Copy",
          status: "Succeeded",
          activityRunStart: "2026-01-01T00:01:00Z",
          durationInMs: 30000,
          output: { rowsRead: 1200, rowsCopied: 1200 },
        },
        {
          activityName: "bronze",
          activityType: "DatabricksNotebook",
          status: "Failed",
          activityRunStart: "2026-01-01T00:02:00Z",
          output: {},
          error: { errorCode: "3204", message: "Notebook failed: schema mismatch" },
        },
        {
          activityName: "Begin run",
          activityType: "Lookup",
          status: "Succeeded",
          activityRunStart: "2026-01-01T00:00:00Z",
          output: { firstRow: { old_watermark: "1900-01-01T00:00:00.0000000Z" } },
        },
      ],
    });
    rec.clearRequests();
    const runId = await startPipelineRun(client(), target, "pl_sales_order_lines", {
      window_end: "2026-01-01T01:00:00Z",
    });
    const seen: string[] = [];
    const run = await followPipelineRun(client(), target, runId, {
      pollIntervalMs: 5,
      onStatus: (r) => seen.push(r.status ?? ""),
    });
    expect(run).toMatchObject({ status: "Failed", message: "Operation on target bronze failed" });
    expect(seen).toEqual(["Queued", "InProgress", "Failed"]);
    const activities = await listActivityRuns(client(), target, runId);
    expect(activities).toEqual([
      { name: "Begin run", type: "Lookup", status: "Succeeded", start: "2026-01-01T00:00:00.000Z" },
      {
        name: "Copy window to landing",
        type: "Copy",
        status: "Succeeded",
        start: "2026-01-01T00:01:00.000Z",
        durationMs: 30000,
        rowsRead: 1200,
        rowsWritten: 1200,
      },
      {
        name: "bronze",
        type: "DatabricksNotebook",
        status: "Failed",
        start: "2026-01-01T00:02:00.000Z",
        error: { code: "3204", message: "Notebook failed: schema mismatch" },
      },
    ]);
    expect(rec.lines()).toEqual([
      `POST ${F}/pipelines/pl_sales_order_lines/createRun`,
      ...Array(4).fill(`GET ${F}/pipelineruns/${runId}`),
      `POST ${F}/pipelineruns/${runId}/queryActivityruns`,
    ]);
    expect(rec.requests[0]!.body).toEqual({ window_end: "2026-01-01T01:00:00Z" });
  });

  it("fails to start an unknown pipeline with a typed error that holds no token", async () => {
    const error = await startPipelineRun(client(), target, "pl_missing").catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "RUN_FAILED",
      message: "could not start pl_missing: HTTP 404 PipelineNotFound: pipeline pl_missing not found",
    });
    const { inspect } = await import("node:util");
    expect(inspect(error, { depth: 10 })).not.toContain(TOKEN);
  });

  it("reads a notebook's exit counts", async () => {
    await deployFactory(client(), target, generated().artifacts);
    fake.scriptRun("pl_car_sales", {
      activityRuns: [
        {
          activityName: "bronze",
          activityType: "DatabricksNotebook",
          status: "Succeeded",
          output: {
            runOutput: JSON.stringify({
              step: "bronze",
              rows_read: 1849,
              rows_accepted: 1840,
              rows_quarantined: 9,
              rows_inserted: 1840,
              rows_updated: 0,
              rows_deleted: 0,
            }),
          },
        },
      ],
    });
    const runId = await startPipelineRun(client(), target, "pl_car_sales");
    expect(await listActivityRuns(client(), target, runId)).toEqual([
      {
        name: "bronze",
        type: "DatabricksNotebook",
        status: "Succeeded",
        rowsRead: 1849,
        rowsWritten: 1840,
        rowsQuarantined: 9,
      },
    ]);
  });
});
