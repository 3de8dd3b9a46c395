import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  EXAMPLE_FACTORY_OPTIONS,
  generatedFiles as factoryFiles,
  writeGeneratedFactory,
} from "@saleslake/adf-templates";
import { factoryJobs, generatedFiles as infraFiles } from "@saleslake/infra";
import { schemaArtifacts } from "@saleslake/schema";
import type { ResolvedConfig } from "../config.ts";
import { FACTORY_NAME, projectEntities, projectFactory } from "./adf.ts";

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/**
 * Writes every generated artifact of the project's entities and returns the file count:
 *
 * - `<out>/schema/<entity>/`: validators' JSON Schema, DDL per dialect, rules, mappings;
 * - `<out>/adf/`: the Data Factory artifacts (git layout, ARM template, control database SQL,
 *   the notebooks its pipelines call);
 * - `<out>/databricks/<entity>/`: the job (`job.json`, Jobs API 2.1 settings) and the notebooks
 *   its tasks run (`<step>.py`, Databricks source format);
 * - `<out>/infra/`: what the Bicep loads (`lake.json`) and the Synapse views over the gold tables.
 *
 * Names of the estate's resources are the example placeholders the factory uses: `deploy` fills
 * the real ones from the infra deployment's outputs, so what it writes differs only in them.
 */
export function generate(cfg: ResolvedConfig, out: string): number {
  let n = 0;
  for (const e of cfg.entities) {
    for (const [name, text] of Object.entries(schemaArtifacts(e))) {
      write(join(out, "schema", e.name, name), text);
      n++;
    }
  }
  const adf = factoryFiles(projectFactory(cfg), FACTORY_NAME);
  writeGeneratedFactory(join(out, "adf"), adf);
  n += adf.size;
  const entities = projectEntities(cfg);
  for (const [i, job] of factoryJobs({ ...EXAMPLE_FACTORY_OPTIONS, entities }).entries()) {
    const entity = entities[i]!.entity.name;
    write(join(out, "databricks", entity, "job.json"), `${JSON.stringify(job.settings, null, 2)}\n`);
    for (const nb of job.notebooks) write(join(out, "databricks", entity, `${nb.stepId}.py`), nb.source);
    n += 1 + job.notebooks.length;
  }
  for (const [name, text] of infraFiles({ entities: cfg.entities, stars: cfg.stars })) {
    write(join(out, "infra", name), text);
    n++;
  }
  return n;
}
