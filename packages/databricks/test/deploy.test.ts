import type { TokenCredential } from "@azure/core-auth";
import { ManagedIdentityCredential } from "@azure/identity";
import { IdentityEndpoint } from "@saleslake/ingest/testing";
import { carSales, carSalesStar } from "@saleslake/schema";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CONTENT_TAG,
  DatabricksError,
  deployJobs,
  jobDefinition,
  runNow,
  waitForRun,
  withContentTag,
} from "../src/index.ts";
import { DatabricksRecorder } from "../src/testing/index.ts";

const RESOURCE_ID =
  "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/saleslake-test/providers/Microsoft.Databricks/workspaces/saleslake-test-dbw";
const ROOT = "/Workspace/saleslake";
const SEAL = { path: `${ROOT}/_landing/seal_batch`, source: "# Databricks notebook source\nprint('seal')\n" };

let identity: IdentityEndpoint;
let dbx: DatabricksRecorder;
let credential: TokenCredential;
const saved = { ...process.env };
beforeAll(async () => {
  identity = await new IdentityEndpoint({ token: "local-databricks-token-7f3a9c" }).start();
  // The real ManagedIdentityCredential, finding an App Service style endpoint on 127.0.0.1.
  Object.assign(process.env, identity.env());
  credential = new ManagedIdentityCredential();
});
afterAll(async () => {
  for (const k of Object.keys(identity.env())) delete process.env[k];
  Object.assign(process.env, saved);
  await identity.close();
});
beforeEach(async () => {
  await dbx?.close();
  dbx = await new DatabricksRecorder(identity.token).start();
});

const job = () =>
  jobDefinition(carSales, carSalesStar, { root: ROOT, lakeRoot: "abfss://lake@acct.dfs.core.windows.net" });
const deploy = (extra: { force?: boolean } = {}) =>
  deployJobs([job()], {
    workspaceUrl: dbx.url,
    credential,
    workspaceResourceId: RESOURCE_ID,
    extraNotebooks: [SEAL],
    ...extra,
  });

describe("the job definition", () => {
  it("bronze → silver → dimensions in parallel → fact → aggregate → commit → maintenance, on one job cluster", () => {
    const { settings, notebooks } = job();
    expect(settings.tasks.map((t) => [t.task_key, t.depends_on.map((d) => d.task_key)])).toEqual([
      ["bronze", []],
      ["silver", ["bronze"]],
      ["dim_branch", ["silver"]],
      ["dim_dealer", ["silver"]],
      ["dim_model", ["silver"]],
      ["dim_date", ["silver"]],
      ["fact_sales", ["dim_branch", "dim_dealer", "dim_model", "dim_date"]],
      ["agg_sales_daily", ["fact_sales"]],
      ["commit", ["agg_sales_daily"]],
      ["maintenance", ["commit"]],
    ]);
    // Every task runs a notebook that is deployed with it.
    expect(settings.tasks.map((t) => t.notebook_task.notebook_path)).toEqual(notebooks.map((n) => n.path));
    for (const t of settings.tasks) {
      expect(t).toMatchObject({
        job_cluster_key: "saleslake",
        max_retries: 2,
        min_retry_interval_millis: 60_000,
        timeout_seconds: 7200,
      });
    }
    expect(settings.job_clusters[0]!.new_cluster).toMatchObject({
      spark_version: "17.3.x-scala2.13",
      node_type_id: "Standard_D4ds_v5",
      num_workers: 2,
    });
    expect(settings).toMatchObject({
      name: "saleslake-car_sales",
      max_concurrent_runs: 1,
      timeout_seconds: 21_600,
    });
    expect(Object.fromEntries(settings.parameters.map((p) => [p.name, p.default]))).toEqual({
      run_id: "{{job.run_id}}",
      batch_id: "",
      window_low: "",
      window_high: "",
      catalog: "main",
      lake_root: "abfss://lake@acct.dfs.core.windows.net",
      full_refresh: "false",
    });
  });

  it("takes the cluster, retries and timeouts as options, and can leave maintenance out", () => {
    const { settings } = jobDefinition(carSales, undefined, {
      cluster: { sparkVersion: "16.4.x-scala2.13", nodeType: "Standard_E8ds_v5", workers: 4 },
      retry: { maxRetries: 0, minRetryIntervalMillis: 0 },
      taskTimeoutSeconds: 600,
      jobTimeoutSeconds: 3600,
      maintenance: false,
    });
    expect(settings.tasks.map((t) => t.task_key)).toEqual(["bronze", "silver", "commit"]);
    expect(settings.tasks.every((t) => t.max_retries === 0 && t.timeout_seconds === 600)).toBe(true);
    expect(settings.timeout_seconds).toBe(3600);
    expect(settings.job_clusters[0]!.new_cluster.num_workers).toBe(4);
    expect(() => jobDefinition(carSales, undefined, { catalog: "main; DROP" })).toThrow(/not a catalog name/);
  });

  it("whole-text golden of the car-sales job settings", async () => {
    await expect(`${JSON.stringify(job().settings, null, 2)}\n`).toMatchFileSnapshot(
      "__golden__/jobs/saleslake-car_sales.json",
    );
  });
});

describe("deploy to a workspace (local recorder, real HTTP, Microsoft Entra token)", () => {
  it("first deploy: exports find nothing, then mkdirs, imports, list, create — in this order, with the token", async () => {
    const r = await deploy();
    const nbs = [...job().notebooks, SEAL];
    expect(dbx.lines()).toEqual([
      ...nbs.map((n) => `GET /api/2.0/workspace/export?path=${n.path}&format=SOURCE`),
      "POST /api/2.0/workspace/mkdirs",
      ...job().notebooks.map(() => "POST /api/2.0/workspace/import"),
      "POST /api/2.0/workspace/mkdirs",
      "POST /api/2.0/workspace/import",
      "GET /api/2.1/jobs/list?name=saleslake-car_sales&limit=25",
      "POST /api/2.1/jobs/create",
    ]);
    const writes = dbx.writes().map((w) => w.body as Record<string, unknown>);
    expect(writes.filter((_, i) => dbx.writes()[i]!.path.endsWith("/mkdirs"))).toEqual([
      { path: `${ROOT}/car_sales` },
      { path: `${ROOT}/_landing` },
    ]);
    // Each import: SOURCE, Python, overwrite, the notebook's text in base64.
    const imports = dbx.writes().filter((w) => w.path.endsWith("/import"));
    expect(imports.map((w) => (w.body as { path: string }).path)).toEqual(nbs.map((n) => n.path));
    for (const [i, w] of imports.entries()) {
      const b = w.body as Record<string, unknown>;
      expect({ ...b, content: Buffer.from(String(b.content), "base64").toString("utf8") }).toEqual({
        path: nbs[i]!.path,
        format: "SOURCE",
        language: "PYTHON",
        overwrite: true,
        content: nbs[i]!.source,
      });
    }
    const created = dbx.writes().at(-1)!.body as { name: string; tags: Record<string, string> };
    expect(created).toEqual(withContentTag(job().settings, nbs));
    expect(created.tags[CONTENT_TAG]).toMatch(/^[0-9a-f]{64}$/);
    expect(r.jobIds).toEqual({ "saleslake-car_sales": [...dbx.jobs.keys()][0] });
    expect(r.actions.map((a) => a.kind)).toEqual([
      "mkdirs",
      ...Array(10).fill("import"),
      "mkdirs",
      "import",
      "create",
    ]);
    // Every request carried the Microsoft Entra token for Azure Databricks and the workspace id.
    expect(dbx.requests.every((q) => q.authorization === `Bearer ${identity.token}`)).toBe(true);
    expect(dbx.requests.every((q) => q.workspaceResourceId === RESOURCE_ID)).toBe(true);
    expect(new Set(identity.resources)).toEqual(new Set(["2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"]));
  });

  it("second deploy with nothing changed: reads only, no writes", async () => {
    await deploy();
    dbx.clear();
    const again = await deploy();
    expect(dbx.writes()).toEqual([]);
    expect(dbx.lines()).toHaveLength(12);
    expect(again.actions).toEqual([]);
    expect(again.unchanged).toBe(12);
  });

  it("writes only what differs: an edited notebook is reimported, a changed option resets the job", async () => {
    await deploy();
    const bronze = `${ROOT}/car_sales/bronze`;
    dbx.workspace.set(bronze, {
      type: "NOTEBOOK",
      language: "PYTHON",
      content: Buffer.from("# Databricks notebook source\nedited by hand\n").toString("base64"),
    });
    dbx.clear();
    const r = await deploy();
    expect(r.actions).toEqual([{ kind: "import", path: bronze }]);

    dbx.clear();
    const jobId = [...dbx.jobs.keys()][0]!;
    const r2 = await deployJobs(
      [
        jobDefinition(carSales, carSalesStar, {
          root: ROOT,
          lakeRoot: "abfss://lake@acct.dfs.core.windows.net",
          catalog: "sales",
        }),
      ],
      { workspaceUrl: dbx.url, credential, extraNotebooks: [SEAL] },
    );
    expect(r2.actions).toEqual([{ kind: "reset", job: "saleslake-car_sales", jobId }]);
    expect(dbx.lines().filter((l) => l.startsWith("POST"))).toEqual(["POST /api/2.1/jobs/reset"]);
    const reset = dbx.writes()[0]!.body as {
      job_id: number;
      new_settings: { parameters: { name: string; default: string }[] };
    };
    expect(reset.job_id).toBe(jobId);
    expect(reset.new_settings.parameters.find((p) => p.name === "catalog")?.default).toBe("sales");
    expect(dbx.jobs.size).toBe(1);
  });

  it("a deploy that fails half-way writes no job; the rerun imports the rest and creates it", async () => {
    // The third import fails on the server.
    let seen = 0;
    dbx.onRequest = (r) => {
      if (r.method === "POST" && r.path.endsWith("/import") && ++seen === 3)
        return {
          status: 503,
          body: { error_code: "TEMPORARILY_UNAVAILABLE", message: "The service is busy." },
        };
      return undefined;
    };
    const failed = await deploy().catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DatabricksError);
    expect((failed as DatabricksError).message).toMatch(
      /^POST \/api\/2\.0\/workspace\/import failed with HTTP 503: TEMPORARILY_UNAVAILABLE: The service is busy\.$/,
    );
    expect(dbx.lines().some((l) => l.includes("/jobs/"))).toBe(false);
    expect(dbx.jobs.size).toBe(0);
    const imported = [...dbx.workspace.entries()].filter(([, o]) => o.type === "NOTEBOOK").map(([p]) => p);
    expect(imported).toHaveLength(2);

    dbx.onRequest = undefined;
    dbx.clear();
    const rerun = await deploy();
    expect(rerun.actions.filter((a) => a.kind === "import").map((a) => (a as { path: string }).path)).toEqual(
      [...job().notebooks, SEAL].map((n) => n.path).filter((p) => !imported.includes(p)),
    );
    expect(rerun.actions.at(-1)).toMatchObject({ kind: "create", job: "saleslake-car_sales" });
    dbx.clear();
    expect((await deploy()).actions).toEqual([]);
  });

  it("errors name the request and the API's error, never the token", async () => {
    dbx.onRequest = (r) =>
      r.path.includes("/export")
        ? {
            status: 403,
            body: { error_code: "PERMISSION_DENIED", message: "User is not a member of this workspace." },
          }
        : undefined;
    const e = (await deploy().catch((x: unknown) => x)) as DatabricksError;
    expect(e.code).toBe("REQUEST_FAILED");
    expect(e.status).toBe(403);
    expect(e.message).toMatch(/HTTP 403: PERMISSION_DENIED: User is not a member of this workspace\.$/);
    expect(e.hint).toMatch(/workspace user/);
    const everything = `${e.message} ${e.hint} ${e.stack} ${JSON.stringify(e)} ${String(e)}`;
    expect(everything).not.toContain(identity.token);

    const noLogin: TokenCredential = {
      getToken: async () => {
        throw new Error("ManagedIdentityCredential: no managed identity endpoint found");
      },
    };
    const e2 = (await deployJobs([job()], { workspaceUrl: dbx.url, credential: noLogin }).catch(
      (x: unknown) => x,
    )) as DatabricksError;
    expect(e2.code).toBe("NO_TOKEN");
    expect(e2.hint).toMatch(/az login/);
    await expect(deployJobs([job()], { workspaceUrl: "http://example.com", credential })).rejects.toThrow(
      /must use https/,
    );
  });

  it("refuses a notebook path that climbs out of its folder, before any request", async () => {
    for (const path of [`${ROOT}/../elsewhere/seal_batch`, `${ROOT}/./seal_batch`, "relative/seal_batch"]) {
      const e = await deployJobs([job()], {
        workspaceUrl: dbx.url,
        credential,
        workspaceResourceId: RESOURCE_ID,
        extraNotebooks: [{ ...SEAL, path }],
      }).catch((x: unknown) => x);
      expect(e, path).toMatchObject({ code: "INVALID_OPTIONS", message: `not a workspace path: ${path}` });
    }
    expect(dbx.lines()).toEqual([]);
  });

  it("refuses to guess between two jobs of the same name", async () => {
    dbx.jobs.set(1, { name: "saleslake-car_sales", tags: {} });
    dbx.jobs.set(2, { name: "saleslake-car_sales", tags: {} });
    await expect(deploy()).rejects.toMatchObject({ code: "AMBIGUOUS_JOB" });
    expect(dbx.lines().filter((l) => l.includes("/jobs/") && l.startsWith("POST"))).toEqual([]);
  });

  it("runs the job and follows it to the end with each task's state", async () => {
    const { jobIds } = await deploy();
    const jobId = jobIds["saleslake-car_sales"]!;
    const o = { workspaceUrl: dbx.url, credential };
    const runId = await runNow(jobId, { batch_id: "20260101T000000000Z-0a1b2c3d" }, o);
    expect(dbx.requests.at(-1)!.body).toEqual({
      job_id: jobId,
      job_parameters: { batch_id: "20260101T000000000Z-0a1b2c3d" },
    });
    const states: string[] = [];
    const done = await waitForRun(runId, {
      ...o,
      pollMillis: 1,
      onState: (s) => states.push(s.lifeCycleState),
    });
    expect(states).toEqual(["RUNNING", "TERMINATED"]);
    expect(done.resultState).toBe("SUCCESS");
    expect(done.tasks.map((t) => `${t.taskKey}:${t.resultState}`)).toHaveLength(10);

    dbx.failingTasks = new Set(["dim_dealer"]);
    const second = await runNow(jobId, { batch_id: "20260101T010000000Z-0a1b2c3d" }, o);
    await expect(waitForRun(second, { ...o, pollMillis: 1 })).rejects.toThrow(
      /^run \d+ ended FAILED: dim_dealer FAILED \(Workload failed\)$/,
    );
  });
});
