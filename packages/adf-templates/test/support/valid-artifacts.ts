import { expect } from "vitest";
import { validateResourceBody } from "../../src/azure-types/resource-body-validator.ts";
import { ADF_API_VERSION, ARM_RESOURCE_TYPE, armTemplate } from "../../src/generate/arm-template.ts";
import type { GeneratedArtifacts } from "../../src/index.ts";

/**
 * Checks a factory's linked services and datasets whose names match `names`, and all its
 * pipelines, against the official type definitions, as bodies and as the ARM template writes
 * them (where a string opening with `[` would be evaluated). Returns how many bodies it checked.
 */
export function expectValidArtifacts(artifacts: GeneratedArtifacts, names: RegExp): number {
  const docs = [
    ...artifacts.linkedServices.filter((l) => names.test(l.name)).map((d) => ["linkedService", d] as const),
    ...artifacts.datasets.filter((d) => names.test(d.name)).map((d) => ["dataset", d] as const),
    ...artifacts.pipelines.map((d) => ["pipeline", d] as const),
  ];
  for (const [type, doc] of docs)
    expect([doc.name, validateResourceBody(ARM_RESOURCE_TYPE[type], ADF_API_VERSION, doc)]).toEqual([
      doc.name,
      [],
    ]);
  const template = armTemplate(artifacts) as {
    resources: { type: string; apiVersion: string; dependsOn: string[] }[];
  };
  for (const { dependsOn: _, ...r } of template.resources)
    expect(validateResourceBody(r.type, r.apiVersion, r, { armExpressions: true })).toEqual([]);
  return docs.length;
}
