import { describe, expect, it } from "vitest";
import { validateResourceBody } from "../src/azure-types/resource-body-validator.ts";
import { ADF_API_VERSION, ARM_RESOURCE_TYPE, armTemplate } from "../src/generate/arm-template.ts";
import { EXAMPLE_FACTORY_OPTIONS } from "../src/generate/example-options.ts";
import { generateFactory } from "../src/generate/generate-factory.ts";
import { ARTIFACT_TYPES, artifactsOf } from "../src/lint/factory-artifacts.ts";
import { LOGIN_SOURCES } from "./fixtures/login-sources.ts";

const factory = generateFactory(EXAMPLE_FACTORY_OPTIONS);
const bodies = ARTIFACT_TYPES.flatMap((type) =>
  artifactsOf(factory.artifacts, type).map((doc) => [type, doc.name, doc] as const),
);
// Sources read with SQL logins, on a server port of their own, passwords in the factory's vault
// and in another: the linked services and datasets the example factory has no need of.
const withLogins = generateFactory({ ...EXAMPLE_FACTORY_OPTIONS, sourceTables: LOGIN_SOURCES });
const loginBodies = (["linkedService", "dataset"] as const).flatMap((type) =>
  artifactsOf(withLogins.artifacts, type)
    .filter((doc) => /login|key_vault_|_source$/.test(doc.name))
    .map((doc) => [type, `${doc.name} (SQL login sources)`, doc] as const),
);

describe("generated artifacts against the official type definitions (Microsoft.DataFactory 2018-06-01)", () => {
  it.each([...bodies, ...loginBodies])("%s %s: the wire body is valid", (type, _name, doc) => {
    expect(validateResourceBody(ARM_RESOURCE_TYPE[type], ADF_API_VERSION, doc)).toEqual([]);
  });

  it("the SQL login sources' linked services and datasets are among those checked", () => {
    expect(loginBodies.map(([type, name]) => `${type} ${name}`)).toEqual(
      expect.arrayContaining([
        "linkedService ls_source_sql_login (SQL login sources)",
        "linkedService ls_key_vault_kv-crm-prod (SQL login sources)",
        "linkedService ls_source_sql_login_kv-crm-prod (SQL login sources)",
        "dataset ds_sales_order_lines_source (SQL login sources)",
        "dataset ds_customers_source (SQL login sources)",
      ]),
    );
  });

  it("the ARM template's resources are valid too", () => {
    const template = armTemplate(factory.artifacts) as {
      resources: { type: string; apiVersion: string; dependsOn: string[] }[];
    };
    expect(template.resources).toHaveLength(bodies.length);
    // dependsOn is template metadata (deployment order), not part of the resource body.
    for (const { dependsOn: _, ...r } of template.resources)
      expect(validateResourceBody(r.type, r.apiVersion, r, { armExpressions: true })).toEqual([]);
  });

  it("catches a wrong body (the check is not vacuous)", () => {
    const pl = structuredClone(factory.artifacts.pipelines[0]!) as {
      properties: { activities: { type: string }[] };
    };
    pl.properties.activities[0]!.type = "Lookpu";
    const findings = validateResourceBody(ARM_RESOURCE_TYPE.pipeline, ADF_API_VERSION, pl);
    expect(findings.map((f) => [f.path, f.code])).toEqual([
      ["$.properties.activities[0].type", "BAD_DISCRIMINATOR"],
    ]);
  });
});
