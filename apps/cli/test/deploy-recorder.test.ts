import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateFactory, REST_COLLECTION } from "@saleslake/adf-templates";
import { type ArmRecorder, DataFactoryFake, startArmRecorder } from "@saleslake/adf-templates/testing";
import { IdentityEndpoint } from "@saleslake/ingest/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectEntities } from "../src/commands/adf.ts";
import { loadConfig } from "../src/config.ts";
import { cliProcess } from "./support/cli-process.ts";

const SUBSCRIPTION = "00000000-0000-0000-0000-0000000000cc";
const FACTORY = "saleslake-test-adf";
const factoryPath = `/subscriptions/${SUBSCRIPTION}/resourceGroups/saleslake-test/providers/Microsoft.DataFactory/factories/${FACTORY}`;

let rec: ArmRecorder;
let identity: IdentityEndpoint;
let refusing: Server;
let refusingUrl = "";

// A managed-identity token endpoint as App Service provides it: the CLI's DefaultAzureCredential
// gets its token here, and the recorder only answers requests that carry it.
beforeAll(async () => {
  identity = await new IdentityEndpoint().start();
  rec = await startArmRecorder({ routes: [new DataFactoryFake().route], expectToken: identity.token });
  // An identity endpoint of a host with no identity assigned: every token request is refused.
  refusing = createServer((_req, res) => {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "invalid_request", error_description: "no identity is assigned" }));
  });
  await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", r));
  refusingUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/msi/token`;
});
afterAll(async () => {
  await rec.close();
  await identity.close();
  await new Promise<void>((r) => refusing.close(() => r()));
});

/** The real CLI process, asynchronously: the recorder in this process must keep answering. */
function cli(args: string[], extra: NodeJS.ProcessEnv = {}) {
  return cliProcess(args, {
    AZURE_SUBSCRIPTION_ID: SUBSCRIPTION,
    SALESLAKE_ARM_ENDPOINT: rec.url,
    ...identity.env(),
    ...extra,
  });
}

/** A `--json` dry run that must succeed quietly: its parsed output. */
async function compare(args: string[]) {
  const r = await cli(args);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.out);
}

describe("deploy --dry-run --factory against a local Resource Manager", () => {
  const deploymentPath = `/subscriptions/${SUBSCRIPTION}/resourceGroups/saleslake-test/providers/Microsoft.Resources/deployments/saleslake-test`;
  // The outputs main.bicep gave the environment's last deployment: the real neighbours' names.
  const out = (value: string) => ({ type: "String", value });
  const outputs = {
    dataFactory: out(FACTORY),
    storageAccount: out("saleslaketestq7x2"),
    storageAccountId: out(
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/saleslake-test/providers/Microsoft.Storage/storageAccounts/saleslaketestq7x2`,
    ),
    sqlServer: out("saleslake-test-sql-q7x2.database.windows.net"),
    sqlDatabase: out("saleslake_control"),
    databricksUrl: out("adb-1234567890123456.7.azuredatabricks.net"),
    databricksWorkspaceId: out(
      `/subscriptions/${SUBSCRIPTION}/resourceGroups/saleslake-test/providers/Microsoft.Databricks/workspaces/saleslake-test-dbw-q7x2`,
    ),
    keyVaultName: out("saleslake-test-kv-q7x2"),
  };

  it("says create, update or unchanged per artifact, names from the deployment, and writes nothing", async () => {
    const args = ["deploy", "--dry-run", "--env", "test", "--factory", FACTORY, "--json"];
    // No deployment yet: placeholder names, said so, every artifact to create.
    const before = await compare(args);
    expect(before.compared).toEqual({
      factory: FACTORY,
      resourceGroup: "saleslake-test",
      names: "placeholders",
    });
    const first = before.artifacts as { type: string; name: string; action: string }[];
    expect(first.length).toBeGreaterThan(5);
    expect(new Set(first.map((a) => a.action))).toEqual(new Set(["create"]));

    // The environment as a deploy left it: the deployment's outputs, and the factory the deploy
    // wrote from them, except one pipeline edited in the portal and a trigger never deployed.
    rec.put(deploymentPath, { properties: { provisioningState: "Succeeded", outputs } });
    const projectDir = mkdtempSync(join(tmpdir(), "saleslake-deploy-"));
    const cfg = await loadConfig(projectDir).finally(() =>
      rmSync(projectDir, { recursive: true, force: true }),
    );
    const { artifacts } = generateFactory({
      storageAccount: outputs.storageAccount.value,
      storageAccountResourceId: outputs.storageAccountId.value,
      sqlServer: outputs.sqlServer.value,
      sourceDatabase: outputs.sqlDatabase.value,
      controlDatabase: outputs.sqlDatabase.value,
      databricks: {
        workspaceUrl: `https://${outputs.databricksUrl.value}`,
        workspaceResourceId: outputs.databricksWorkspaceId.value,
      },
      keyVaultName: outputs.keyVaultName.value,
      entities: projectEntities(cfg),
    });
    const docs = [
      ...artifacts.linkedServices.map((d) => ["linkedService", d] as const),
      ...artifacts.datasets.map((d) => ["dataset", d] as const),
      ...artifacts.pipelines.map((d) => ["pipeline", d] as const),
    ];
    for (const [type, doc] of docs) {
      const body = JSON.parse(JSON.stringify(doc));
      if (doc.name === "pl_car_sales") body.properties.description = "edited by hand in the portal";
      rec.put(`${factoryPath}/${REST_COLLECTION[type]}/${doc.name}`, body);
    }
    rec.clearRequests();

    // Without a name, the factory is the deployment's.
    for (const a of [args, [...args.slice(0, -2), "--json"]]) {
      const j = await compare(a);
      expect(j.compared).toEqual({
        factory: FACTORY,
        resourceGroup: "saleslake-test",
        names: "deployment saleslake-test",
      });
      const action = (name: string) =>
        (j.artifacts as { name: string; action: string }[]).find((x) => x.name === name)?.action;
      expect(action("pl_car_sales")).toBe("update");
      expect(action("tr_car_sales_file_drop")).toBe("create");
      // The linked services carry the storage, SQL, Databricks and Key Vault names.
      for (const ls of artifacts.linkedServices) expect(action(ls.name), ls.name).toBe("unchanged");
      expect(action("ds_car_sales_landing_csv")).toBe("unchanged");
    }
    expect(rec.writes()).toEqual([]);
    expect(rec.requests.length).toBeGreaterThan(0);
    expect(rec.requests.every((q) => q.authorized)).toBe(true);

    const text = await cli(args.slice(0, -1));
    expect(text.out).toMatch(
      new RegExp(`^Data Factory ${FACTORY} \\(saleslake-test\\), per artifact:$`, "m"),
    );
    expect(text.out).toMatch(/^ {2}update {4}pipeline pl_car_sales$/m);
    expect(text.out).toMatch(/^ {4}~ description: "edited by hand in the portal" → "saleslake: /m);
    expect(text.out).toMatch(/^ {2}unchanged dataset ds_car_sales_landing_csv$/m);
    expect(text.out).toMatch(
      /^ {2}\(storage, SQL, Databricks and Key Vault names from deployment saleslake-test\)$/m,
    );
  });

  it("without --dry-run, --factory is a usage error and nothing is sent", async () => {
    rec.clearRequests();
    const r = await cli(["deploy", "--env", "test", "--factory", FACTORY]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /^usage error: --factory compares with an existing factory and changes nothing: pass --dry-run too$/m,
    );
    expect(rec.requests).toEqual([]);
  });
});

describe("deploy with a subscription but no usable credential", () => {
  it("prints the plan, then one line and a hint, exits 1, and sends nothing to Resource Manager", async () => {
    const secret = "sl-planted-identity-header-5f2c";
    rec.clearRequests();
    const r = await cli(["deploy", "--env", "prod", "--subscription", SUBSCRIPTION], {
      // Only the managed identity is tried (not a developer's az login), and it has no identity.
      AZURE_TOKEN_CREDENTIALS: "ManagedIdentityCredential",
      IDENTITY_ENDPOINT: refusingUrl,
      IDENTITY_HEADER: secret,
    });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      new RegExp(`^deploy plan for prod: subscription ${SUBSCRIPTION}, resource group saleslake-prod$`, "m"),
    );
    expect(r.out).toMatch(/^ {2}7\. triggers: /m);
    // NO_CREDENTIALS once every step can run; MISSING_ARTIFACT while a step's package does not
    // provide its deploy yet (the orchestrator checks that before asking for a token).
    expect(r.err.trim().split("\n")).toEqual([
      expect.stringMatching(
        /^error (NO_CREDENTIALS: no Azure credentials: nothing was deployed \(.*\)|MISSING_ARTIFACT: cannot deploy: .*)$/,
      ),
      expect.stringMatching(/^hint: (Sign in with `az login`|Nothing was deployed)/),
    ]);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(`${r.out}${r.err}`).not.toContain(secret);
    expect(rec.requests).toEqual([]);
  });
});
