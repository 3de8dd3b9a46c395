import {
  ARTIFACT_TYPES,
  type ArtifactType,
  artifactsOf,
  type FactoryArtifacts,
} from "../lint/factory-artifacts.ts";

export const ADF_API_VERSION = "2018-06-01";

/** ARM resource type of each artifact type (child resources of the factory). */
export const ARM_RESOURCE_TYPE: { readonly [T in ArtifactType]: string } = {
  linkedService: "Microsoft.DataFactory/factories/linkedservices",
  dataset: "Microsoft.DataFactory/factories/datasets",
  pipeline: "Microsoft.DataFactory/factories/pipelines",
  trigger: "Microsoft.DataFactory/factories/triggers",
};

/** REST collection of each artifact type under a factory. */
export const REST_COLLECTION: { readonly [T in ArtifactType]: string } = {
  linkedService: "linkedservices",
  dataset: "datasets",
  pipeline: "pipelines",
  trigger: "triggers",
};

const REFERENCE_TYPES: { readonly [t: string]: ArtifactType } = {
  LinkedServiceReference: "linkedService",
  DatasetReference: "dataset",
  PipelineReference: "pipeline",
  TriggerReference: "trigger",
};

/** The artifacts a body references (linked services, datasets, pipelines, triggers), sorted. */
export function referencedArtifacts(body: unknown): { type: ArtifactType; name: string }[] {
  const found = new Map<string, { type: ArtifactType; name: string }>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (typeof v === "object" && v !== null) {
      const o = v as { [k: string]: unknown };
      const type = typeof o.type === "string" ? REFERENCE_TYPES[o.type] : undefined;
      if (type && typeof o.referenceName === "string")
        found.set(`${type}/${o.referenceName}`, { type, name: o.referenceName });
      if (typeof o.referenceTrigger === "object" && o.referenceTrigger !== null) {
        const t = o.referenceTrigger as { referenceName?: unknown };
        if (typeof t.referenceName === "string")
          found.set(`trigger/${t.referenceName}`, { type: "trigger", name: t.referenceName });
      }
      Object.values(o).forEach(walk);
    }
  };
  walk(body);
  return [...found.values()].sort((a, b) => `${a.type}/${a.name}`.localeCompare(`${b.type}/${b.name}`));
}

/** ARM reads a string in brackets as a template expression; `[[` keeps it literal (e.g. `[dbo].[t]`). */
function escapeArm(v: unknown): unknown {
  if (typeof v === "string") return v.startsWith("[") && v.endsWith("]") ? `[${v}` : v;
  if (Array.isArray(v)) return v.map(escapeArm);
  if (typeof v === "object" && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeArm(x)]));
  return v;
}

/**
 * The factory's artifacts as an ARM template with one parameter, `factoryName`, for teams that
 * publish Data Factory from their own CI/CD. Each resource depends on the artifacts it references.
 */
export function armTemplate(factory: FactoryArtifacts): object {
  const resources = ARTIFACT_TYPES.flatMap((type) =>
    artifactsOf(factory, type).map((doc) => ({
      name: `[concat(parameters('factoryName'), '/${doc.name}')]`,
      type: ARM_RESOURCE_TYPE[type],
      apiVersion: ADF_API_VERSION,
      properties: escapeArm(doc.properties),
      dependsOn: referencedArtifacts(doc.properties)
        .filter((r) => !(r.type === type && r.name === doc.name))
        .map((r) => `[concat(variables('factoryId'), '/${REST_COLLECTION[r.type]}/${r.name}')]`),
    })),
  );
  return {
    $schema: "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    contentVersion: "1.0.0.0",
    parameters: {
      factoryName: {
        type: "string",
        metadata: { description: "Name of the existing Data Factory to publish into." },
      },
    },
    variables: { factoryId: "[concat('Microsoft.DataFactory/factories/', parameters('factoryName'))]" },
    resources,
  };
}
