import { describe, expect, it } from "vitest";
import { BicepExpression, BicepLoop, readBicep } from "../src/index.ts";

const text = `// a comment with resource x 'Not.A/type@1' = {
@description('The name, with a \\'quote\\' and \${not} interpolated.')
param name string
@secure()
param token string = 'x'
var files = loadJsonContent('files.json')

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: 'westeurope'
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS', tier: 'Standard' }
  properties: {
    isHnsEnabled: true
    'odd-key': 3
    accessTier: empty(name) ? 'Cool' : 'Hot'
    networkAcls: {
      ipRules: [for ip in ['1.1.1.1']: {
        value: ip
      }]
      bypass: 'AzureServices'
    }
  }

  resource blobs 'blobServices' = {
    name: 'default'

    resource zone 'containers@2025-01-01' = [for (c, i) in files: if (i > 0) {
      name: c
    }]
  }
}

resource existingVault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: 'kv'
}

resource maybe 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(name)) {
  name: '\${name}-oncall'
  location: 'global'
  properties: {
    groupShortName: '''multi
line'''
    enabled: true
  }
}

module m 'modules/x.bicep' = {
  name: 'm'
  params: { a: 1 }
}

output o string = account::blobs.name
`;

describe("readBicep", () => {
  const file = readBicep("main.bicep", text);
  const bySymbol = (s: string) => file.resources.find((r) => r.symbol === s)!;

  it("finds every resource: top-level, nested with relative types, existing, conditional, looped", () => {
    expect(file.resources.map((r) => [r.symbol, r.type, r.apiVersion, r.line])).toEqual([
      ["account", "Microsoft.Storage/storageAccounts", "2025-01-01", 8],
      ["blobs", "Microsoft.Storage/storageAccounts/blobServices", "2025-01-01", 25],
      ["zone", "Microsoft.Storage/storageAccounts/blobServices/containers", "2025-01-01", 28],
      ["existingVault", "Microsoft.KeyVault/vaults", "2024-11-01", 34],
      ["maybe", "Microsoft.Insights/actionGroups", "2023-01-01", 38],
    ]);
    expect(bySymbol("existingVault").existing).toBe(true);
    expect(bySymbol("maybe").condition).toBe("!empty(name)");
    expect(bySymbol("zone").loop).toMatchObject({ item: "c", index: "i", source: "files", filter: "i > 0" });
    expect(bySymbol("zone").parentSymbol).toBe("blobs");
  });

  it("reads literal bodies as JSON and keeps expressions and loops as such", () => {
    const account = bySymbol("account").body as Record<string, unknown>;
    expect(account.name).toEqual(new BicepExpression("name"));
    expect(account.sku).toEqual({ name: "Standard_LRS", tier: "Standard" });
    const props = account.properties as Record<string, unknown>;
    expect(props.isHnsEnabled).toBe(true);
    expect(props["odd-key"]).toBe(3);
    expect(props.accessTier).toEqual(new BicepExpression("empty(name) ? 'Cool' : 'Hot'"));
    const acls = props.networkAcls as Record<string, unknown>;
    expect(acls.ipRules).toBeInstanceOf(BicepLoop);
    expect(acls.bypass).toBe("AzureServices");
    expect(account).not.toHaveProperty("blobs");
    const maybe = bySymbol("maybe").body as Record<string, Record<string, unknown>>;
    expect(maybe.name).toEqual(new BicepExpression("'${name}-oncall'"));
    expect(maybe.properties!.groupShortName).toBe("multi\nline");
  });

  it("reads params, vars, modules and load targets", () => {
    expect(file.params.map((p) => [p.name, p.secure, p.hasDefault])).toEqual([
      ["name", false, false],
      ["token", true, true],
    ]);
    expect(file.vars.get("files")).toEqual(new BicepExpression("loadJsonContent('files.json')"));
    expect(file.modules).toEqual([{ file: "main.bicep", line: 48, symbol: "m", path: "modules/x.bicep" }]);
    expect(file.loads).toEqual([{ file: "main.bicep", line: 6, fn: "loadJsonContent", path: "files.json" }]);
  });

  it("fails with a typed error naming file and line on text it cannot read", () => {
    expect(() => readBicep("bad.bicep", "resource x 'A.B/c@1' = {\n  name: 'unterminated\n}\n")).toThrow(
      expect.objectContaining({ code: "BICEP_SYNTAX", file: "bad.bicep", row: 2 }),
    );
  });
});
