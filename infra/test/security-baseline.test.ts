import { describe, expect, it } from "vitest";
import { checkSecurityBaseline } from "../src/index.ts";
import { estate, readInfra, replacing } from "./estate.ts";

const rules = (findings: readonly { rule: string; message: string }[]) =>
  findings.map((f) => `${f.rule}: ${f.message}`);

describe("security baseline, read from the Bicep", () => {
  it("the estate meets it", () => {
    expect(checkSecurityBaseline(estate())).toEqual([]);
  });

  it("public blob access enabled, shared keys on, TLS 1.0 and no soft delete each fail", () => {
    const files = estate({
      "modules/storage.bicep": (t) =>
        [
          replacing("allowBlobPublicAccess: false", "allowBlobPublicAccess: true"),
          replacing("allowSharedKeyAccess: false", "allowSharedKeyAccess: true"),
          replacing("minimumTlsVersion: 'TLS1_2'", "minimumTlsVersion: 'TLS1_0'"),
          replacing(
            "containerDeleteRetentionPolicy: {\n        enabled: true",
            "containerDeleteRetentionPolicy: {\n        enabled: false",
          ),
          replacing("publicAccess: 'None'", "publicAccess: 'Blob'"),
        ].reduce((acc, f) => f(acc), t),
    });
    expect(rules(checkSecurityBaseline(files))).toEqual([
      'storage-tls12: account: minimum TLS 1.2: properties.minimumTlsVersion is "TLS1_0"',
      "storage-no-public-blob: account: no public blob access: properties.allowBlobPublicAccess is true",
      "storage-no-shared-key: account: shared-key access off: properties.allowSharedKeyAccess is true",
      "storage-container-soft-delete: blobs: container soft delete on: properties.containerDeleteRetentionPolicy.enabled is false",
      'container-private: zone: container public access None: properties.publicAccess is "Blob"',
    ]);
  });

  it("SQL logins, Key Vault access policies mode and a standard Databricks workspace fail", () => {
    const files = estate({
      "modules/sql.bicep": (t) =>
        replacing(
          "azureADOnlyAuthentication: true",
          "azureADOnlyAuthentication: false",
        )(
          replacing(
            "minimalTlsVersion: '1.2'",
            "minimalTlsVersion: '1.2'\n    administratorLoginPassword: 'Hunter2!'",
          )(t),
        ),
      "modules/key-vault.bicep": replacing("enablePurgeProtection: true", "enablePurgeProtection: false"),
      "modules/databricks.bicep": replacing("name: 'premium'", "name: 'standard'"),
    });
    expect(rules(checkSecurityBaseline(files))).toEqual([
      'databricks-premium: workspace: premium tier (Unity Catalog): sku.name is "standard"',
      "keyvault-purge-protection: vault: purge protection on: properties.enablePurgeProtection is false",
      "sql-entra-only: server: Microsoft Entra-only authentication: properties.administrators.azureADOnlyAuthentication is false",
      'sql-no-password: server: no SQL login password: properties.administratorLoginPassword is "Hunter2!"',
      "no-literal-secret: server: properties.administratorLoginPassword holds a literal value: use a Key Vault reference or a managed identity",
    ]);
  });

  it("roles beyond the least-privilege set fail: Owner anywhere, Contributor outside Databricks", () => {
    const files = estate({
      "modules/roles.bicep": (t) =>
        replacing(
          "var contributor = 'b24988ac-6180-42a0-ab88-20f7382dd24c'",
          "var contributor = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'",
        )(
          replacing(
            "guid(storage.id, connectorPrincipalId, storageBlobDataContributor)\n  scope: storage\n  properties: {\n    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)",
            "guid(storage.id, connectorPrincipalId, storageBlobDataContributor)\n  scope: storage\n  properties: {\n    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')",
          )(t),
        ),
    });
    expect(rules(checkSecurityBaseline(files))).toEqual([
      "role-least-privilege: factoryDatabricks: role 8e3af657-a8ff-443c-a75c-2fe8c4bcb635 is not in the allowed set",
      "role-least-privilege: connectorLake: Contributor may only be assigned on Microsoft.Databricks/workspaces",
    ]);
  });

  it("a @secure() parameter with a default, and a missing diagnostic setting or alert, fail", () => {
    const files = estate({
      "modules/key-vault.bicep": replacing(
        "param name string",
        "@secure()\nparam apiToken string = 'abc'\nparam name string",
      ),
      "modules/monitoring.bicep": (t) =>
        replacing(
          "scope: databricks\n",
          "scope: factory\n",
        )(replacing("metricName: 'PipelineFailedRuns'", "metricName: 'PipelineSucceededRuns'")(t)),
    });
    expect(rules(checkSecurityBaseline(files))).toEqual([
      "no-literal-secret: @secure() param apiToken has a default value",
      "diagnostics: no diagnostic setting sends Microsoft.Databricks/workspaces logs to Log Analytics",
      "failed-run-alert: no metric alert on PipelineFailedRuns with an action group",
    ]);
  });

  it("no template holds a key, password or connection string", () => {
    for (const f of estate()) {
      const text = readInfra(f.file.slice(f.file.indexOf("/infra/") + 7));
      expect(text, f.file).not.toMatch(
        /AccountKey=|SharedAccessSignature=|Password=|administratorLoginPassword/i,
      );
    }
  });
});
