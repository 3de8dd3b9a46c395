import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedFiles, writeGeneratedFactory } from "@saleslake/adf-templates";
import { schemaArtifacts } from "@saleslake/schema";
import type { ResolvedConfig } from "../config.ts";
import { FACTORY_NAME, projectFactory } from "./adf.ts";

/**
 * Writes every schema artifact of each entity to `<out>/schema/<entity>/`, and the Data Factory
 * artifacts of the project to `<out>/adf/` (git layout, ARM template, control database SQL).
 * Returns the file count.
 */
export function generate(cfg: ResolvedConfig, out: string): number {
  let n = 0;
  for (const e of cfg.entities) {
    const dir = join(out, "schema", e.name);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(schemaArtifacts(e))) {
      writeFileSync(join(dir, name), text);
      n++;
    }
  }
  const adf = generatedFiles(projectFactory(cfg), FACTORY_NAME);
  writeGeneratedFactory(join(out, "adf"), adf);
  return n + adf.size;
}
