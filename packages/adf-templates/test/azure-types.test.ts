import { describe, expect, it } from "vitest";
import { resourceApiVersions, resourceTypeExists, validateResourceBody } from "../src/index.ts";

const ADF = "2018-06-01";
const linkedService = (body: unknown) =>
  validateResourceBody("Microsoft.DataFactory/factories/linkedservices", ADF, body);
const pipeline = (body: unknown) =>
  validateResourceBody("Microsoft.DataFactory/factories/pipelines", ADF, body);
const storage = (body: unknown) =>
  validateResourceBody("Microsoft.Storage/storageAccounts", "2025-01-01", body);
const paths = (findings: readonly { path: string; code: string }[]) =>
  findings.map((f) => `${f.code} ${f.path}`);

const lakeLinkedService = {
  name: "ls_lake",
  properties: {
    type: "AzureBlobFS",
    description: "The lake, through the factory's managed identity.",
    typeProperties: { url: "https://saleslakedev.dfs.core.windows.net" },
  },
};

const loadPipeline = {
  properties: {
    parameters: { batch_id: { type: "String", defaultValue: "" } },
    concurrency: 1,
    activities: [
      {
        name: "Lookup watermark",
        type: "Lookup",
        typeProperties: {
          source: { type: "AzureSqlSource", sqlReaderQuery: "SELECT 1" },
          dataset: { referenceName: "ds_control", type: "DatasetReference" },
          firstRowOnly: true,
        },
      },
      {
        name: "Silver",
        type: "DatabricksNotebook",
        dependsOn: [{ activity: "Lookup watermark", dependencyConditions: ["Succeeded"] }],
        linkedServiceName: { referenceName: "ls_databricks", type: "LinkedServiceReference" },
        policy: { timeout: "0.01:00:00", retry: 2 },
        typeProperties: {
          notebookPath: "/Workspace/saleslake/car_sales/silver",
          baseParameters: { run_id: { value: "@pipeline().RunId", type: "Expression" } },
        },
      },
    ],
  },
};

const lakeAccount = {
  location: "westeurope",
  kind: "StorageV2",
  sku: { name: "Standard_ZRS" },
  properties: {
    isHnsEnabled: true,
    minimumTlsVersion: "TLS1_2",
    allowBlobPublicAccess: false,
    allowSharedKeyAccess: false,
    accessTier: "Hot",
  },
};

describe("resourceTypeExists", () => {
  it("knows the resource types and api versions of the copied definitions, case-insensitively like ARM", () => {
    expect(resourceTypeExists("Microsoft.DataFactory/factories/pipelines", ADF)).toBe(true);
    expect(resourceTypeExists("microsoft.datafactory/factories/linkedServices", ADF)).toBe(true);
    expect(
      resourceTypeExists("Microsoft.Storage/storageAccounts/blobServices/containers", "2025-01-01"),
    ).toBe(true);
    expect(resourceTypeExists("Microsoft.Insights/diagnosticSettings", "2021-05-01-preview")).toBe(true);
  });

  it("rejects an unknown api version, an unknown type and a path-like name", () => {
    expect(resourceTypeExists("Microsoft.Storage/storageAccounts", "2019-06-01")).toBe(false);
    expect(resourceTypeExists("Microsoft.DataFactory/factories/notebooks", ADF)).toBe(false);
    expect(resourceTypeExists("Microsoft.Nope/things", ADF)).toBe(false);
    expect(resourceTypeExists("../../etc/passwd", ADF)).toBe(false);
    expect(resourceApiVersions("Microsoft.Insights/metricAlerts")).toEqual(["2018-03-01"]);
  });
});

describe("validateResourceBody on valid bodies", () => {
  it("accepts a Data Factory linked service, pipeline and a locked-down storage account", () => {
    expect(linkedService(lakeLinkedService)).toEqual([]);
    expect(pipeline(loadPipeline)).toEqual([]);
    expect(storage(lakeAccount)).toEqual([]);
  });

  it("accepts a Databricks linked service authenticated by managed identity", () => {
    expect(
      linkedService({
        properties: {
          type: "AzureDatabricks",
          typeProperties: {
            domain: "https://adb-1.azuredatabricks.net",
            authentication: "MSI",
            workspaceResourceId:
              "/subscriptions/s/resourceGroups/r/providers/Microsoft.Databricks/workspaces/w",
            existingClusterId: "0101-abc",
          },
        },
      }),
    ).toEqual([]);
  });
});

describe("validateResourceBody on deliberately invalid bodies", () => {
  it("linked service: unknown kind, with the near miss named", () => {
    const findings = linkedService({ properties: { type: "AzureBlobFs", typeProperties: {} } });
    expect(findings).toEqual([
      {
        path: "$.properties.type",
        code: "BAD_DISCRIMINATOR",
        message: '"AzureBlobFs" is not a known LinkedService kind; did you mean "AzureBlobFS"?',
      },
    ]);
  });

  it("linked service: unknown property, missing required, wrong type", () => {
    const findings = linkedService({
      properties: { type: "AzureBlobFS", typeProperties: { urll: "https://x" }, annotations: "x" },
    });
    expect(paths(findings)).toEqual([
      "UNKNOWN_PROPERTY $.properties.typeProperties.urll",
      "WRONG_TYPE $.properties.annotations",
    ]);
    expect(paths(linkedService({ properties: { type: "AzureBlobFS" } }))).toEqual([
      "MISSING_REQUIRED $.properties.typeProperties",
    ]);
    expect(paths(linkedService({}))).toEqual(["MISSING_REQUIRED $.properties"]);
  });

  it("pipeline: errors inside activities carry the array index", () => {
    const activities = structuredClone(loadPipeline.properties.activities) as Record<string, unknown>[];
    delete activities[0]!.name;
    activities[1]!.type = "DatabricksNotebok";
    activities.push({
      name: "Wait",
      type: "Wait",
      dependsOn: [{ activity: "Silver", dependencyConditions: ["Succeded"] }],
      typeProperties: { waitTimeInSeconds: 1 },
    });
    const findings = pipeline({ properties: { ...loadPipeline.properties, activities, concurrency: "1" } });
    expect(paths(findings)).toEqual([
      "WRONG_TYPE $.properties.concurrency",
      "MISSING_REQUIRED $.properties.activities[0].name",
      "BAD_DISCRIMINATOR $.properties.activities[1].type",
      "BAD_VALUE $.properties.activities[2].dependsOn[0].dependencyConditions[0]",
    ]);
    expect(findings[0]!.message).toBe("expected integer, got string");
    expect(findings[3]!.message).toBe(
      '"Succeded" is not one of the known values "Succeeded", "Failed", "Skipped", "Completed"',
    );
  });

  it("pipeline: a parameter type outside its enum, a concurrency outside its range", () => {
    const findings = pipeline({
      properties: { parameters: { batch_id: { type: "Text" } }, concurrency: 0 },
    });
    expect(paths(findings)).toEqual([
      "BAD_VALUE $.properties.parameters.batch_id.type",
      "BAD_VALUE $.properties.concurrency",
    ]);
  });

  it("storage account: enum, wrong type, read-only and missing required", () => {
    const findings = storage({
      location: "westeurope",
      sku: { name: "Standard_ZRS" },
      identity: { type: "SystemAssigned", principalId: "00000000-0000-0000-0000-000000000000" },
      properties: {
        ...lakeAccount.properties,
        allowBlobPublicAccess: "false",
        accessTier: "Freezing",
        publicAccess: "None",
      },
    });
    expect(paths(findings)).toEqual([
      "READ_ONLY_PROPERTY $.identity.principalId",
      "WRONG_TYPE $.properties.allowBlobPublicAccess",
      "BAD_VALUE $.properties.accessTier",
      "UNKNOWN_PROPERTY $.properties.publicAccess",
      "MISSING_REQUIRED $.kind",
    ]);
  });

  it("names a property that is not an identifier with bracket notation", () => {
    const findings = validateResourceBody("Microsoft.Insights/metricAlerts", "2018-03-01", {
      location: "global",
      properties: {
        severity: 1,
        enabled: true,
        scopes: [],
        evaluationFrequency: "PT5M",
        windowSize: "PT5M",
        criteria: { "odata.type": "Microsoft.Azure.Monitor.Nope" },
      },
    });
    expect(paths(findings)).toEqual(['BAD_DISCRIMINATOR $.properties.criteria["odata.type"]']);
  });

  it("an unknown type@version is one finding naming the versions that exist", () => {
    expect(validateResourceBody("Microsoft.Storage/storageAccounts", "2019-06-01", lakeAccount)).toEqual([
      {
        path: "$",
        code: "UNKNOWN_RESOURCE_TYPE",
        message:
          "Microsoft.Storage/storageAccounts@2019-06-01 is not in the Azure type definitions (api versions here: 2025-01-01)",
      },
    ]);
  });
});

describe("validateResourceBody options", () => {
  it("armExpressions accepts template expressions for any type, and only when asked", () => {
    const body = {
      ...lakeAccount,
      properties: { ...lakeAccount.properties, isHnsEnabled: "[parameters('hns')]" },
    };
    expect(
      validateResourceBody("Microsoft.Storage/storageAccounts", "2025-01-01", body, { armExpressions: true }),
    ).toEqual([]);
    expect(paths(storage(body))).toEqual(["WRONG_TYPE $.properties.isHnsEnabled"]);
    // An escaped "[[" is a literal string, not an expression.
    const literal = { ...lakeAccount, properties: { ...lakeAccount.properties, isHnsEnabled: "[[x]" } };
    expect(
      paths(
        validateResourceBody("Microsoft.Storage/storageAccounts", "2025-01-01", literal, {
          armExpressions: true,
        }),
      ),
    ).toEqual(["WRONG_TYPE $.properties.isHnsEnabled"]);
  });

  it("strictEnums: false accepts any string where the definitions leave an enum open", () => {
    const body = { ...lakeAccount, properties: { ...lakeAccount.properties, minimumTlsVersion: "TLS1_9" } };
    expect(paths(storage(body))).toEqual(["BAD_VALUE $.properties.minimumTlsVersion"]);
    expect(
      validateResourceBody("Microsoft.Storage/storageAccounts", "2025-01-01", body, { strictEnums: false }),
    ).toEqual([]);
  });

  it("partial skips missing required properties but still checks what is there", () => {
    const body = { properties: { allowBlobPublicAccess: "no" } };
    expect(
      paths(validateResourceBody("Microsoft.Storage/storageAccounts", "2025-01-01", body, { partial: true })),
    ).toEqual(["WRONG_TYPE $.properties.allowBlobPublicAccess"]);
    expect(paths(storage(body))).toEqual([
      "WRONG_TYPE $.properties.allowBlobPublicAccess",
      "MISSING_REQUIRED $.sku",
      "MISSING_REQUIRED $.kind",
      "MISSING_REQUIRED $.location",
    ]);
  });
});
