import type { FactoryArtifacts } from "../lint/factory-artifacts.ts";
import { controlDbSql } from "./control-db-sql.ts";
import { controlDataset, entityDatasets } from "./datasets.ts";
import { entityPipelineBody } from "./entity-pipeline.ts";
import { type FactoryOptions, resolveOptions } from "./factory-options.ts";
import { linkedServices } from "./linked-services.ts";
import { parentPipelineBody } from "./parent-pipeline.ts";
import { SEAL_NOTEBOOK, sealBatchNotebook } from "./seal-batch-notebook.ts";
import { fileDropTriggers, windowTrigger } from "./triggers.ts";
import type { DatasetBody, LinkedServiceBody, PipelineBody, TriggerBody } from "./wire-types.ts";

/** The artifacts with their generated types; assignable to `FactoryArtifacts`. */
export interface GeneratedArtifacts {
  readonly linkedServices: readonly LinkedServiceBody[];
  readonly datasets: readonly DatasetBody[];
  readonly pipelines: readonly PipelineBody[];
  readonly triggers: readonly TriggerBody[];
}

export interface GeneratedFactory {
  /** Wire-format artifacts, in deploy order within each type. */
  readonly artifacts: GeneratedArtifacts;
  /** T-SQL for the control database (watermarks, run ledger, procedures). */
  readonly controlDbSql: string;
  /** Notebooks the pipelines need besides the plan's (`path` under the notebook root). */
  readonly notebooks: readonly { readonly path: string; readonly source: string }[];
}

/** Every Data Factory artifact for the given entities: a pure function of the options and schema. */
export function generateFactory(options: FactoryOptions): GeneratedFactory {
  const o = resolveOptions(options);
  const hasColumnEntities = o.entities.some(({ entity }) => entity.watermark.kind === "column");
  return {
    artifacts: {
      linkedServices: linkedServices(o),
      datasets: [controlDataset(), ...o.entities.flatMap(({ entity }) => entityDatasets(entity, o))],
      pipelines: [
        ...o.entities.map(({ entity, star }) => entityPipelineBody(entity, star, o)),
        ...(hasColumnEntities ? [parentPipelineBody(o.entities.map((e) => e.entity))] : []),
      ],
      triggers: [...(hasColumnEntities ? [windowTrigger(o)] : []), ...fileDropTriggers(o)],
    } satisfies FactoryArtifacts,
    controlDbSql: controlDbSql(),
    notebooks: [{ path: SEAL_NOTEBOOK, source: sealBatchNotebook() }],
  };
}
