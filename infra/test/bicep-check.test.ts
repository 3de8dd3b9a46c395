import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkBicep, readBicepFolder } from "../src/index.ts";
import { estate, replacing } from "./estate.ts";

const messages = (findings: readonly { rule: string; message: string }[]) =>
  findings.map((f) => `${f.rule}: ${f.message}`);

describe("offline checks of the estate against the official Azure type definitions", () => {
  it("every resource type@apiVersion exists and every body validates", () => {
    const files = estate();
    const types = new Set(files.flatMap((f) => f.resources.map((r) => r.type)));
    expect([...types].sort()).toEqual([
      "Microsoft.Authorization/roleAssignments",
      "Microsoft.DataFactory/factories",
      "Microsoft.Databricks/accessConnectors",
      "Microsoft.Databricks/workspaces",
      "Microsoft.Insights/actionGroups",
      "Microsoft.Insights/diagnosticSettings",
      "Microsoft.Insights/metricAlerts",
      "Microsoft.KeyVault/vaults",
      "Microsoft.OperationalInsights/workspaces",
      "Microsoft.Sql/servers",
      "Microsoft.Sql/servers/databases",
      "Microsoft.Sql/servers/firewallRules",
      "Microsoft.Storage/storageAccounts",
      "Microsoft.Storage/storageAccounts/blobServices",
      "Microsoft.Storage/storageAccounts/blobServices/containers",
      "Microsoft.Synapse/workspaces",
      "Microsoft.Synapse/workspaces/firewallRules",
    ]);
    expect(checkBicep(files)).toEqual([]);
  });

  it("fails on a wrong api version, naming the versions that exist", () => {
    const files = estate({
      "modules/storage.bicep": replacing(
        "storageAccounts@2025-01-01' = {",
        "storageAccounts@2019-06-01' = {",
      ),
    });
    expect(messages(checkBicep(files))).toEqual([
      "resource-type: account: Microsoft.Storage/storageAccounts@2019-06-01 is not in the Azure type definitions (api versions here: 2025-01-01)",
      // Nested resources inherit the parent's api version.
      "resource-type: blobs: Microsoft.Storage/storageAccounts/blobServices@2019-06-01 is not in the Azure type definitions (api versions here: 2025-01-01)",
      "resource-type: zone: Microsoft.Storage/storageAccounts/blobServices/containers@2019-06-01 is not in the Azure type definitions (api versions here: 2025-01-01)",
    ]);
  });

  it("fails on an unknown property, a wrong value and a missing required property", () => {
    const files = estate({
      "modules/key-vault.bicep": (t) =>
        replacing(
          "enablePurgeProtection: true",
          "enablePurgeProtection: true\n    purgeAfterDays: 3",
        )(replacing("family: 'A'", "family: 'B'")(t)),
      "modules/roles.bicep": replacing("    principalId: connectorPrincipalId\n", ""),
    });
    expect(messages(checkBicep(files))).toEqual([
      'resource-body: vault Microsoft.KeyVault/vaults@2024-11-01: $.properties.sku.family: "B" is not one of the known values "A"',
      "resource-body: vault Microsoft.KeyVault/vaults@2024-11-01: $.properties.purgeAfterDays: purgeAfterDays is not a property of this object",
      "resource-body: connectorLake Microsoft.Authorization/roleAssignments@2022-04-01: $.properties.principalId: principalId is required",
    ]);
  });

  it("fails on a missing module or load target", () => {
    const files = estate({
      "main.bicep": (t) =>
        replacing(
          "'modules/sql.bicep'",
          "'modules/sqll.bicep'",
        )(replacing("loadJsonContent('generated/lake.json')", "loadJsonContent('generated/lakes.json')")(t)),
    });
    expect(messages(checkBicep(files))).toEqual([
      "module-path: module sql: modules/sqll.bicep does not exist",
      "load-target: loadJsonContent('generated/lakes.json'): the file does not exist (run `pnpm generate`)",
    ]);
  });
});

describe("bodies built from loadJsonContent files are checked item by item", () => {
  const dir = mkdtempSync(join(tmpdir(), "saleslake-bicep-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bicep = `param factoryName string
var adf = loadJsonContent('adf.json')

resource factory 'Microsoft.DataFactory/factories@2018-06-01' existing = {
  name: factoryName
}

resource linked 'Microsoft.DataFactory/factories/linkedservices@2018-06-01' = [for ls in adf.linkedServices: {
  parent: factory
  name: ls.name
  properties: ls.properties
}]

resource pipelines 'Microsoft.DataFactory/factories/pipelines@2018-06-01' = [for p in loadJsonContent('adf.json', '$.pipelines'): {
  parent: factory
  name: p.name
  properties: p.properties
}]
`;
  const write = (adf: unknown) => {
    writeFileSync(join(dir, "factory.bicep"), bicep);
    writeFileSync(join(dir, "adf.json"), JSON.stringify(adf));
    return checkBicep(readBicepFolder(dir));
  };
  const lake = {
    name: "ls_lake",
    properties: { type: "AzureBlobFS", typeProperties: { url: "https://x.dfs.core.windows.net" } },
  };
  const wait = {
    name: "pl_wait",
    properties: { activities: [{ name: "w", type: "Wait", typeProperties: { waitTimeInSeconds: 1 } }] },
  };

  it("valid loaded bodies pass", () => {
    expect(write({ linkedServices: [lake], pipelines: [wait] })).toEqual([]);
  });

  it("an invalid loaded body fails with its name and JSON path", () => {
    const bad = {
      name: "ls_bad",
      properties: { type: "AzureBlobFS", typeProperties: { url: "x", accountKye: "k" } },
    };
    const badPipeline = { name: "pl_bad", properties: { activities: [{ name: "w", type: "Waiting" }] } };
    expect(messages(write({ linkedServices: [lake, bad], pipelines: [badPipeline] }))).toEqual([
      "resource-body: linked (ls_bad) Microsoft.DataFactory/factories/linkedservices@2018-06-01: $.properties.typeProperties.accountKye: accountKye is not a property of this object",
      'resource-body: pipelines (pl_bad) Microsoft.DataFactory/factories/pipelines@2018-06-01: $.properties.activities[0].type: "Waiting" is not a known Activity kind (40 kinds, e.g. AppendVariable, AzureDataExplorerCommand, AzureFunctionActivity, AzureMLBatchExecution, AzureMLExecutePipeline)',
    ]);
  });

  it("a loaded file that is not JSON fails", () => {
    writeFileSync(join(dir, "factory.bicep"), bicep);
    writeFileSync(join(dir, "adf.json"), "{ not json");
    expect(messages(checkBicep(readBicepFolder(dir)))).toEqual([
      expect.stringMatching(/^load-target: loadJsonContent\('adf\.json'\): not valid JSON/),
      expect.stringMatching(/^load-target: loadJsonContent\('adf\.json'\): not valid JSON/),
    ]);
  });
});
