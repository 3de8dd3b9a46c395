import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { validateResourceBody } from "@saleslake/adf-templates";
import {
  type ArmRecorder,
  armError,
  DataFactoryFake,
  startArmRecorder,
} from "@saleslake/adf-templates/testing";
import { DatabricksRecorder } from "@saleslake/databricks/testing";
import { IdentityEndpoint } from "@saleslake/ingest/testing";
import { carSales, carSalesStar, defineEntity, t } from "@saleslake/schema";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { databricksStep } from "../src/deploy/steps/databricks-step.ts";
import { factoryStep } from "../src/deploy/steps/factory-step.ts";
import { deployMain } from "../src/index.ts";
import { goldTables } from "../src/synapse/synapse-views.ts";
import { INFRA, readInfra } from "./estate.ts";
import { deploymentsRoute } from "./harness/deployments-route.ts";
import { SqlRecorder } from "./harness/sql-recorder.ts";

const SUBSCRIPTION = "00000000-0000-0000-0000-0000000000aa";
const ADMIN_GROUP = "33333333-3333-3333-3333-333333333333";
const TEMPLATE = join(INFRA, "test/fixtures/arm/main.json");
const noCredential: TokenCredential = {
  getToken: async () => {
    throw new Error("DefaultAzureCredential failed to retrieve a token from the included credentials");
  },
};

let rec: ArmRecorder;
let dbx: DatabricksRecorder;
let sql: SqlRecorder;
let identity: IdentityEndpoint;
let credential: TokenCredential;
const saved = { ...process.env };
beforeAll(async () => {
  identity = await new IdentityEndpoint().start();
  rec = await startArmRecorder({
    routes: [new DataFactoryFake().route, deploymentsRoute],
    expectToken: identity.token,
  });
  dbx = await new DatabricksRecorder(identity.token).start();
  // The real DefaultAzureCredential, finding a managed identity endpoint (App Service style) here.
  Object.assign(process.env, identity.env());
  credential = new DefaultAzureCredential();
});
afterAll(async () => {
  for (const k of Object.keys(identity.env())) delete process.env[k];
  Object.assign(process.env, saved);
  await rec.close();
  await dbx.close();
  await identity.close();
});
beforeEach(() => {
  rec.resources.clear();
  rec.clearRequests();
  dbx.reset();
  sql = new SqlRecorder();
});

const FACTORY = "saleslake-test-adf-abc123";
const factoryPath = `/subscriptions/${SUBSCRIPTION}/resourceGroups/saleslake-test/providers/Microsoft.DataFactory/factories/${FACTORY}`;

async function deploy(args: string[], extra: { credential?: TokenCredential; env?: NodeJS.ProcessEnv } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await deployMain(
    args,
    { AZURE_SUBSCRIPTION_ID: SUBSCRIPTION, SALESLAKE_SQL_ADMIN_GROUP_ID: ADMIN_GROUP, ...extra.env },
    {
      credential: extra.credential ?? credential,
      azure: { endpoint: rec.url },
      templateFile: TEMPLATE,
      useAzureCli: false,
      connect: sql.connect,
      // The real Databricks step, its REST calls going to the local workspace recorder.
      databricks: databricksStep({ workspaceUrl: dbx.url }),
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    },
  );
  return { code, out, err };
}

describe("pnpm turbo deploy against the local recorders", () => {
  it("walks every step in order, then is a no-op the second time", async () => {
    const first = await deploy(["--env", "test"]);
    expect(first.err).toEqual([]);
    expect(first.code).toBe(0);
    expect(first.out.filter((l) => /^\[\d\/\d\] /.test(l)).map((l) => l.split(":")[0])).toEqual([
      "[1/7] build",
      "[2/7] infra",
      "[3/7] control-db",
      "[4/7] synapse-views",
      "[5/7] databricks",
      "[6/7] factory",
      "[7/7] triggers",
    ]);
    const writes = rec.lines((r) => r.method !== "GET");
    expect(writes[0]).toBe(
      `PUT /subscriptions/${SUBSCRIPTION}/resourcegroups/saleslake-test/providers/Microsoft.Resources/deployments/saleslake-test`,
    );
    // The factory: linked services, datasets, pipelines, triggers, each body valid for its type.
    const factoryWrites = rec.writes().filter((r) => r.path.startsWith(factoryPath));
    const kinds = factoryWrites.map(
      (r) => `${r.method} ${r.path.slice(factoryPath.length + 1).split("/")[0]}`,
    );
    expect([...new Set(kinds)]).toEqual([
      "PUT linkedservices",
      "PUT datasets",
      "PUT pipelines",
      "PUT triggers",
      "POST triggers",
    ]);
    for (const w of factoryWrites.filter((r) => r.method === "PUT")) {
      const collection = w.path.slice(factoryPath.length + 1).split("/")[0]!;
      expect(
        validateResourceBody(`Microsoft.DataFactory/factories/${collection}`, "2018-06-01", w.body),
        w.path,
      ).toEqual([]);
    }
    const triggers = factoryWrites
      .filter((r) => r.method === "PUT" && r.path.includes("/triggers/"))
      .map((r) => r.path.split("/").at(-1));
    expect(triggers.length).toBeGreaterThan(0);
    expect(writes.slice(-triggers.length)).toEqual(
      triggers.map((t) => `POST ${factoryPath}/triggers/${t}/start`),
    );
    expect(rec.requests.every((r) => r.authorized)).toBe(true);
    // Databricks: every notebook of every entity's job and the factory's seal notebook imported,
    // one job per entity created, all with the Databricks token and the workspace's resource id.
    const dbxWrites = dbx.lines().filter((l) => l.startsWith("POST"));
    expect([...new Set(dbxWrites)]).toEqual([
      "POST /api/2.0/workspace/mkdirs",
      "POST /api/2.0/workspace/import",
      "POST /api/2.1/jobs/create",
    ]);
    expect([...dbx.jobs.values()].map((j) => j.name)).toEqual([
      "saleslake-car_sales",
      "saleslake-sales_order_lines",
      "saleslake-customers",
      "saleslake-products",
    ]);
    const notebooks = [...dbx.workspace.entries()].filter(([, o]) => o.type === "NOTEBOOK").map(([p]) => p);
    expect(notebooks).toContain("/Workspace/saleslake/_landing/seal_batch");
    expect(notebooks).toContain("/Workspace/saleslake/car_sales/bronze");
    for (const j of dbx.jobs.values())
      for (const t of j.tasks as { notebook_task: { notebook_path: string } }[])
        expect(notebooks).toContain(t.notebook_task.notebook_path);
    // The factory's notebook activities call notebooks that the step deployed.
    const notebookActivities = factoryWrites
      .filter((w) => w.method === "PUT" && w.path.includes("/pipelines/"))
      .flatMap(
        (w) =>
          (
            w.body as {
              properties: { activities: { type: string; typeProperties?: { notebookPath?: string } }[] };
            }
          ).properties.activities,
      )
      .filter((a) => a.type === "DatabricksNotebook")
      .map((a) => a.typeProperties!.notebookPath!);
    expect(notebookActivities.length).toBeGreaterThan(0);
    for (const p of notebookActivities) expect(notebooks).toContain(p);
    expect(dbx.requests.every((r) => r.authorization === `Bearer ${identity.token}`)).toBe(true);
    expect(new Set(dbx.requests.map((r) => r.workspaceResourceId)).size).toBe(1);
    expect(dbx.requests[0]!.workspaceResourceId).toMatch(
      /\/providers\/Microsoft\.Databricks\/workspaces\/[^/]+$/,
    );
    expect(new Set(identity.resources)).toEqual(
      new Set(["https://management.azure.com", "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d"]),
    );
    const deployment = rec.writes()[0]!.body as {
      properties: { mode: string; parameters: Record<string, { value: unknown }> };
    };
    expect(deployment.properties.mode).toBe("Incremental");
    expect(deployment.properties.parameters.environment).toEqual({ value: "test" });
    expect(deployment.properties.parameters.deploySynapse).toEqual({ value: true });
    const control = sql.batches.get("saleslake-test-sql-abc123.database.windows.net/saleslake_control")!;
    expect(control.some((b) => b.includes("CREATE TABLE saleslake.watermarks"))).toBe(true);
    expect(control.at(-1)).toMatch(
      /GRANT EXECUTE ON OBJECT::saleslake\.fail_run TO \[saleslake-test-adf-abc123\]/,
    );
    const synapse = sql.batches.get("saleslake-test-syn-abc123-ondemand.sql.azuresynapse.net/master")!;
    expect(synapse[0]).toBe("IF DB_ID(N'saleslake') IS NULL CREATE DATABASE [saleslake];");
    expect(synapse.filter((b) => b.includes("CREATE OR ALTER VIEW gold."))).toHaveLength(12);
    expect(sql.open).toBe(0);
    expect(first.out.at(-1)).toMatch(/^deploy: \d+ changes applied$/);

    rec.clearRequests();
    dbx.clear();
    const executed = sql.executed();
    const second = await deploy(["--env", "test"]);
    expect(second.code).toBe(0);
    expect(rec.writes()).toEqual([]);
    expect(dbx.writes()).toEqual([]);
    // 28 notebooks of the four entities' jobs, the seal notebook, four jobs.
    expect(second.out).toContain("    databricks: 0 changed, 33 unchanged");
    expect(sql.executed()).toBe(executed);
    expect(second.out.at(-1)).toBe("deploy: nothing to change");
  });

  it("redeploys the infrastructure when a parameter changes", async () => {
    await deploy(["--env", "dev"]);
    rec.clearRequests();
    const again = await deploy(["--env", "dev"], { env: { SALESLAKE_ALERT_EMAIL: "oncall@example.org" } });
    expect(again.err).toEqual([]);
    expect(again.code).toBe(0);
    expect(rec.lines((r) => r.method === "PUT")).toEqual([
      `PUT /subscriptions/${SUBSCRIPTION}/resourcegroups/saleslake-dev/providers/Microsoft.Resources/deployments/saleslake-dev`,
    ]);
    expect(
      (rec.writes()[0]!.body as { properties: { parameters: Record<string, unknown> } }).properties.parameters
        .alertEmail,
    ).toEqual({
      value: "oncall@example.org",
    });
    // dev has no Synapse: the views step has nothing to do.
    expect([...sql.batches.keys()].some((k) => k.includes("azuresynapse"))).toBe(false);
  });

  it("without credentials prints the whole plan and exits 1 before any request", async () => {
    const r = await deploy(["--env", "prod"], {
      credential: noCredential,
      env: {
        SALESLAKE_SQL_ADMIN_GROUP_ID: "22222222-2222-2222-2222-222222222222",
        SALESLAKE_ALERT_EMAIL: "a@example.com",
      },
    });
    expect(r.code).toBe(1);
    expect(r.out[0]).toBe(
      `deploy plan for prod: subscription ${SUBSCRIPTION}, resource group saleslake-prod`,
    );
    expect(r.out.filter((l) => /^ {2}\d\. /.test(l))).toHaveLength(7);
    expect(r.err[0]).toMatch(/^error NO_CREDENTIALS: no Azure credentials: nothing was deployed/);
    expect(r.err[1]).toMatch(/^hint: Sign in with `az login`/);
    expect(rec.requests).toEqual([]);
    expect(dbx.requests).toEqual([]);
    expect(sql.connections).toEqual([]);
  });

  it("a failing step stops the deploy with its id, and later steps do not run", async () => {
    rec.failNext(
      "PUT",
      /deployments\/saleslake-test$/,
      armError(400, "InvalidTemplateDeployment", "The template deployment failed: quota exceeded."),
    );
    const r = await deploy(["--env", "test"]);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(/^error DEPLOY_STEP_FAILED: deploy step infra failed: .*quota exceeded/);
    expect(r.err[1]).toMatch(/^hint: Fix the cause and rerun `pnpm turbo deploy`; build will be no-ops\.$/);
    expect(sql.connections).toEqual([]);
  });

  it("a Databricks failure half-way stops before the factory; the rerun finishes the workspace", async () => {
    let imports = 0;
    dbx.onRequest = (r) =>
      r.path.endsWith("/workspace/import") && ++imports === 5
        ? { status: 500, body: { error_code: "INTERNAL_ERROR", message: "Internal error." } }
        : undefined;
    const r = await deploy(["--env", "test"]);
    expect(r.code).toBe(1);
    expect(r.err[0]).toMatch(
      /^error DEPLOY_STEP_FAILED: deploy step databricks failed: POST \/api\/2\.0\/workspace\/import failed with HTTP 500: INTERNAL_ERROR: Internal error\.$/,
    );
    expect(r.err.join("\n")).not.toContain(identity.token);
    expect(rec.writes().some((w) => w.path.startsWith(factoryPath))).toBe(false);
    expect(dbx.jobs.size).toBe(0);

    dbx.onRequest = undefined;
    dbx.clear();
    const again = await deploy(["--env", "test"]);
    expect(again.code).toBe(0);
    // The four notebooks imported before the failure are not written again.
    expect(dbx.lines().filter((l) => l === "POST /api/2.0/workspace/import")).toHaveLength(29 - 4);
    expect(dbx.jobs.size).toBe(4);
  });

  it("refuses an unknown environment as a usage error", async () => {
    const r = await deploy(["--env", "staging"]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      'error UNKNOWN_ENVIRONMENT: no environment "staging"',
      "hint: pass --env dev|test|prod or set SALESLAKE_ENV.",
    ]);
  });

  it("deploys the project's entities, not the bundled ones", async () => {
    const returns = defineEntity({
      name: "sales_returns",
      columns: { return_id: t.string(), quantity: t.int().min(1), returned_at: t.timestamp() },
      key: ["return_id"],
      sequence: "returned_at",
      watermark: { column: "returned_at", lookback: "PT1H" },
    });
    const entities = [{ entity: returns }, { entity: carSales, star: carSalesStar }];
    const out: string[] = [];
    const err: string[] = [];
    const code = await deployMain(
      ["--env", "test"],
      { AZURE_SUBSCRIPTION_ID: SUBSCRIPTION, SALESLAKE_SQL_ADMIN_GROUP_ID: ADMIN_GROUP },
      {
        entities,
        credential,
        azure: { endpoint: rec.url },
        templateFile: TEMPLATE,
        useAzureCli: false,
        connect: sql.connect,
        databricks: databricksStep({ workspaceUrl: dbx.url, entities }),
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      },
    );
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out).toContain(
      "       - generate the factory for sales_returns, car_sales from the schema and the infra outputs (@saleslake/adf-templates)",
    );
    const pipelines = rec
      .writes()
      .filter((w) => w.method === "PUT" && w.path.startsWith(`${factoryPath}/pipelines/`))
      .map((w) => w.path.split("/").at(-1));
    expect(pipelines).toContain("pl_sales_returns");
    expect(pipelines).toContain("pl_car_sales");
    expect(pipelines.some((p) => /order_lines|customers|products/.test(p!))).toBe(false);
    expect([...dbx.jobs.values()].map((j) => j.name)).toEqual([
      "saleslake-sales_returns",
      "saleslake-car_sales",
    ]);
    // Views over the gold tables of the project's one star, car_sales'.
    const synapse = sql.batches.get("saleslake-test-syn-abc123-ondemand.sql.azuresynapse.net/master")!;
    const views = synapse.filter((b) => b.includes("CREATE OR ALTER VIEW gold."));
    expect(views.map((v) => /VIEW gold\.\[?(\w+)/.exec(v)![1]).sort()).toEqual(
      [...goldTables([carSalesStar])].sort(),
    );
  });

  it("--template deploys that template with the SDK even where the Azure CLI is on PATH", async () => {
    // An `az` that records being called: it must not be.
    const bin = mkdtempSync(join(tmpdir(), "saleslake-az-"));
    const called = join(bin, "called");
    writeFileSync(join(bin, "az"), `#!/bin/sh\necho "$@" >> ${called}\nexit 1\n`, { mode: 0o755 });
    const path = process.env.PATH;
    process.env.PATH = `${bin}${delimiter}${path}`;
    try {
      const out: string[] = [];
      const code = await deployMain(
        ["--env", "test", "--template", TEMPLATE],
        { AZURE_SUBSCRIPTION_ID: SUBSCRIPTION, SALESLAKE_SQL_ADMIN_GROUP_ID: ADMIN_GROUP },
        {
          credential,
          azure: { endpoint: rec.url },
          connect: sql.connect,
          databricks: databricksStep({ workspaceUrl: dbx.url }),
          out: (l) => out.push(l),
          err: (l) => out.push(l),
        },
      );
      expect(out.join("\n")).toContain("ARM deployment saleslake-test of the compiled template");
      expect(code).toBe(0);
      expect(existsSync(called)).toBe(false);
      expect(rec.lines((r) => r.method === "PUT")[0]).toBe(
        `PUT /subscriptions/${SUBSCRIPTION}/resourcegroups/saleslake-test/providers/Microsoft.Resources/deployments/saleslake-test`,
      );
    } finally {
      process.env.PATH = path;
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("stops before deploying on the placeholder admin group or a malformed deployer address", async () => {
    const placeholder = await deploy(["--env", "dev"], { env: { SALESLAKE_SQL_ADMIN_GROUP_ID: undefined } });
    expect(placeholder.code).toBe(1);
    expect(placeholder.err).toEqual([
      "error INVALID_PARAMETER: deploy step infra failed: sqlAdminGroupObjectId is the placeholder 00000000-0000-0000-0000-000000000000: nobody could administer the SQL server or Synapse",
      expect.stringMatching(/^hint: Set SALESLAKE_SQL_ADMIN_GROUP_ID to the object id/),
    ]);
    const ip = await deploy(["--env", "test"], { env: { SALESLAKE_DEPLOYER_IP: "203.0.113.7/32" } });
    expect(ip.code).toBe(1);
    expect(ip.err[0]).toBe(
      'error INVALID_PARAMETER: deploy step infra failed: deployerIpAddress "203.0.113.7/32" is not an IPv4 address',
    );
    expect(rec.writes()).toEqual([]);
    expect(sql.connections).toEqual([]);

    // A valid address reaches the deployment's parameters, and the SQL and Synapse firewalls.
    const ok = await deploy(["--env", "test"], { env: { SALESLAKE_DEPLOYER_IP: "203.0.113.7" } });
    expect(ok.code).toBe(0);
    const deployment = rec.writes()[0]!.body as { properties: { parameters: Record<string, unknown> } };
    expect(deployment.properties.parameters.deployerIpAddress).toEqual({ value: "203.0.113.7" });
    expect(deployment.properties.parameters.sqlAdminGroupObjectId).toEqual({ value: ADMIN_GROUP });
    for (const module of ["modules/sql.bicep", "modules/synapse.bicep"])
      expect(readInfra(module)).toMatch(
        /resource deployer 'firewallRules' = if \(!empty\(deployerIpAddress\)\) \{\n\s+name: 'saleslake-deployer'\n\s+properties: \{\n\s+startIpAddress: deployerIpAddress\n\s+endIpAddress: deployerIpAddress/,
      );
    expect(readInfra("main.bicep").match(/deployerIpAddress: deployerIpAddress/g)).toHaveLength(2);
  });

  it("--plan prints the plan and deploys nothing", async () => {
    const r = await deploy(["--env", "dev", "--plan"]);
    expect(r.code).toBe(0);
    expect(r.out.some((l) => l.includes("ARM deployment saleslake-dev of the compiled template"))).toBe(true);
    expect(rec.requests).toEqual([]);
  });
});

describe("the factory step's plan", () => {
  it("names the servers of source tables it does not create, and the grant the factory needs there", () => {
    const target = { env: "dev", subscriptionId: SUBSCRIPTION, resourceGroup: "saleslake-dev" } as const;
    const erp = {
      schema: "sales",
      table: "order_lines",
      server: "erp-sql.database.windows.net",
      database: "erp",
    };
    const plan = factoryStep({
      entities: [
        { entity: carSales, star: carSalesStar, sourceTable: erp },
        {
          entity: { ...carSales, name: "car_returns" },
          sourceTable: { ...erp, table: "returns" },
        },
        { entity: { ...carSales, name: "car_stock" } },
      ],
    }).plan(target);
    const grants = plan.filter((l) => l.includes("does not create"));
    expect(grants).toEqual([
      expect.stringContaining(
        "reads sales.order_lines (car_sales), sales.returns (car_returns) on erp-sql.database.windows.net/erp,",
      ),
    ]);
    expect(grants[0]).toContain("ALTER ROLE db_datareader ADD MEMBER [<factory>]");
    // Tables read with a SQL login need no grant to the factory, but their password in Key Vault.
    const login = { user: "reader", passwordSecret: "erp-sql-password" };
    const withLogins = factoryStep({
      entities: [
        { entity: carSales, sourceTable: { ...erp, port: 14330, login } },
        {
          entity: { ...carSales, name: "car_returns" },
          sourceTable: { ...erp, table: "returns", login: { ...login, keyVault: "kv-erp" } },
        },
      ],
    }).plan(target);
    expect(withLogins.some((l) => l.includes("does not create"))).toBe(false);
    expect(withLogins.filter((l) => l.includes("SQL login"))).toEqual([
      "the factory reads sales.order_lines (car_sales) on erp-sql.database.windows.net,14330/erp as SQL login reader, its password the secret erp-sql-password in the estate's Key Vault: store the password there",
      "the factory reads sales.returns (car_returns) on erp-sql.database.windows.net/erp as SQL login reader, its password the secret erp-sql-password in Key Vault kv-erp: store the password there, and let the factory's managed identity read secrets in kv-erp (Key Vault Secrets User) unless it is the estate's",
    ]);
    // A PostgreSQL table: its user's password in Key Vault, the server as host:port.
    const onPostgres = factoryStep({
      entities: [
        {
          entity: carSales,
          sourceTable: { ...erp, engine: "postgres", server: "pg-erp.postgres.database.azure.com", login },
        },
      ],
    }).plan(target);
    expect(onPostgres.some((l) => l.includes("does not create"))).toBe(false);
    expect(onPostgres.filter((l) => l.includes("its password"))).toEqual([
      "the factory reads sales.order_lines (car_sales) on pg-erp.postgres.database.azure.com:5432/erp as PostgreSQL user reader, its password the secret erp-sql-password in the estate's Key Vault: store the password there",
    ]);
    // An API: its credential in Key Vault, the endpoint named without its query.
    const onApi = factoryStep({
      entities: [
        {
          entity: carSales,
          sourceApi: {
            url: "https://orders.example.com/v1/lines?region=eu",
            pagination: { kind: "page" },
            auth: { secret: "orders-api-credential", keyVault: "kv-orders" },
          },
        },
      ],
    }).plan(target);
    expect(onApi.filter((l) => l.includes("credential"))).toEqual([
      "the factory reads car_sales from https://orders.example.com/v1/lines with the credential in the secret orders-api-credential in Key Vault kv-orders: store it there, and let the factory's managed identity read secrets in kv-orders (Key Vault Secrets User) unless it is the estate's",
    ]);
    expect(
      factoryStep({ entities: [{ entity: carSales }] })
        .plan(target)
        .some((l) => l.includes("does not create")),
    ).toBe(false);
  });
});

describe("the deploy command itself", () => {
  const run = promisify(execFile);
  const cli = join(INFRA, "src/deploy/deploy-cli.ts");
  const bare = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" };

  it("without a subscription or login: prints the plan, says why, exits 1", async () => {
    const r = await run(process.execPath, [cli, "--env", "dev"], { env: bare }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect((r as { code?: number }).code).toBe(1);
    expect(r.stdout).toMatch(/^deploy plan for dev: /);
    expect(r.stdout).toMatch(/7\. triggers: start the Data Factory triggers/);
    expect(r.stderr).toMatch(/^error (NO_CREDENTIALS|MISSING_ARTIFACT): /m);
    expect(r.stderr).toMatch(/^hint: /m);
  }, 60_000);

  it("with SALESLAKE_ENV unset and no --env: usage error, exit 2", async () => {
    const r = await run(process.execPath, [cli], { env: bare }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    expect((r as { code?: number }).code).toBe(2);
    expect(r.stderr).toMatch(/^error UNKNOWN_ENVIRONMENT: no environment given/);
  }, 60_000);
});

describe("the test template stands in for bicep build", () => {
  it("has exactly main.bicep's parameters and outputs", () => {
    const template = JSON.parse(readFileSync(TEMPLATE, "utf8")) as { parameters: object; outputs: object };
    const main = readInfra("main.bicep");
    expect(Object.keys(template.parameters)).toEqual([...main.matchAll(/^param (\w+)/gm)].map((m) => m[1]));
    expect(Object.keys(template.outputs)).toEqual([...main.matchAll(/^output (\w+)/gm)].map((m) => m[1]));
  });
});
