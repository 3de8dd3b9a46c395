/**
 * A factory's artifacts in wire format: what the REST API receives and what Data Factory's git
 * integration stores, one `{ name, properties }` document per artifact.
 */

export type ArtifactType = "linkedService" | "dataset" | "pipeline" | "trigger";

/** Artifact types in deploy order: what an artifact references is deployed before it. */
export const ARTIFACT_TYPES: readonly ArtifactType[] = ["linkedService", "dataset", "pipeline", "trigger"];

export interface ArtifactDocument {
  readonly name: string;
  readonly properties: { readonly type?: string; readonly [key: string]: unknown };
}

export interface FactoryArtifacts {
  readonly linkedServices: readonly ArtifactDocument[];
  readonly datasets: readonly ArtifactDocument[];
  readonly pipelines: readonly ArtifactDocument[];
  readonly triggers: readonly ArtifactDocument[];
}

/** The field of `FactoryArtifacts` holding one artifact type. */
export const ARTIFACT_FIELD: { readonly [T in ArtifactType]: keyof FactoryArtifacts } = {
  linkedService: "linkedServices",
  dataset: "datasets",
  pipeline: "pipelines",
  trigger: "triggers",
};

export function artifactsOf(factory: FactoryArtifacts, type: ArtifactType): readonly ArtifactDocument[] {
  return factory[ARTIFACT_FIELD[type]];
}
