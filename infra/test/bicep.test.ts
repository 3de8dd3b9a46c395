import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LAKE_ZONES } from "@saleslake/schema";
import { describe, expect, it } from "vitest";
import { AzureTypes, checkResources, readBicepFolder, readBicepResources } from "../src/index.ts";

const infra = new URL("..", import.meta.url).pathname;
const azure = new AzureTypes(join(infra, "azure-types"));
const resources = readBicepFolder(infra);
const read = (f: string) => readFileSync(join(infra, f), "utf8");
const prop = (type: string, path: string) =>
  resources.find((r) => r.type === type && !r.existing)?.props.get(path.replace(/\./g, "/"));

describe("offline checks of the Bicep estate against the official Azure type definitions", () => {
  it("every resource type@apiVersion exists and every literal property fits its type", () => {
    expect(resources.length).toBeGreaterThanOrEqual(20);
    expect(checkResources(resources, azure)).toEqual([]);
  });

  it("fail on a deliberately broken template", () => {
    const broken = read("modules/storage.bicep")
      .replace("storageAccounts@2025-01-01' = {", "storageAccounts@2019-99-99' = {")
      .replace("isHnsEnabled: true", "isHnsEnabled: 'yes'")
      .replace("minimumTlsVersion: 'TLS1_2'", "minimumTlsVersion: 'TLS1_9'\n    notAProperty: true");
    const findings = checkResources(readBicepResources("broken.bicep", broken), azure).map((f) => f.message);
    expect(findings).toEqual([
      expect.stringMatching(
        /Microsoft\.Storage\/storageAccounts@2019-99-99 is not a known resource type and API version \(definitions here: 2025-01-01\)/,
      ),
    ]);
    const wrongValues = read("modules/storage.bicep")
      .replace("isHnsEnabled: true", "isHnsEnabled: 'yes'")
      .replace("accessTier: 'Hot'", "accessTier: 'Freezing'\n    notAProperty: true");
    expect(
      checkResources(readBicepResources("broken.bicep", wrongValues), azure).map((f) => f.message),
    ).toEqual([
      expect.stringMatching(/properties\.isHnsEnabled cannot be "yes"/),
      expect.stringMatching(/properties\.accessTier cannot be "Freezing"/),
      expect.stringMatching(/unknown property properties\.notAProperty/),
    ]);
  });
});

describe("security baseline", () => {
  it("storage: ADLS Gen2, TLS 1.2, HTTPS only, no public blob access, no shared keys, soft delete", () => {
    const sa = "Microsoft.Storage/storageAccounts";
    expect(prop(sa, "properties.isHnsEnabled")).toBe(true);
    expect(prop(sa, "properties.minimumTlsVersion")).toBe("TLS1_2");
    expect(prop(sa, "properties.supportsHttpsTrafficOnly")).toBe(true);
    expect(prop(sa, "properties.allowBlobPublicAccess")).toBe(false);
    expect(prop(sa, "properties.allowSharedKeyAccess")).toBe(false);
    const blobs = "Microsoft.Storage/storageAccounts/blobServices";
    expect(prop(blobs, "properties.deleteRetentionPolicy.enabled")).toBe(true);
    expect(prop(blobs, "properties.containerDeleteRetentionPolicy.enabled")).toBe(true);
    expect(prop("Microsoft.Storage/storageAccounts/blobServices/containers", "properties.publicAccess")).toBe(
      "None",
    );
  });

  it("identities, Entra-only SQL, RBAC Key Vault with purge protection, premium Databricks", () => {
    expect(prop("Microsoft.DataFactory/factories", "identity.type")).toBe("SystemAssigned");
    expect(prop("Microsoft.Databricks/accessConnectors", "identity.type")).toBe("SystemAssigned");
    expect(prop("Microsoft.Databricks/workspaces", "sku.name")).toBe("premium");
    expect(prop("Microsoft.Sql/servers", "properties.administrators.azureADOnlyAuthentication")).toBe(true);
    expect(prop("Microsoft.KeyVault/vaults", "properties.enableRbacAuthorization")).toBe(true);
    expect(prop("Microsoft.KeyVault/vaults", "properties.enableSoftDelete")).toBe(true);
    expect(prop("Microsoft.KeyVault/vaults", "properties.enablePurgeProtection")).toBe(true);
  });

  it("least-privilege role assignments only, and no secret in any template", () => {
    const roles = resources.filter((r) => r.type === "Microsoft.Authorization/roleAssignments");
    expect(roles.map((r) => r.symbol).sort()).toEqual([
      "connectorLake",
      "factoryDatabricks",
      "factoryLake",
      "factorySecrets",
    ]);
    const text = readBicepFolder(infra)
      .map((r) => read(r.file.slice(infra.length)))
      .join("\n");
    expect(text).not.toMatch(/password|AccountKey=|secret\s*:/i);
    expect(text).toMatch(/'ba92f5b4-2d11-453d-a403-e96b0029c9fe'/); // Storage Blob Data Contributor, not Owner
    expect(text).not.toMatch(/8e3af657-a8ff-443c-a75c-2fe8c4bcb635/); // Owner
  });

  it("lake containers come from the schema through generated/lake.json, not retyped", () => {
    expect(JSON.parse(read("generated/lake.json")).containers).toEqual([...LAKE_ZONES]);
    expect(read("main.bicep")).toMatch(/loadJsonContent\('generated\/lake\.json'\)/);
    expect(read("modules/storage.bicep")).not.toMatch(/'landing'|'bronze'/);
  });
});
