import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LAKE_ZONES, salesEntities, salesStars } from "@saleslake/schema";
import { goldTables, synapseViewsSql } from "./synapse/synapse-views.ts";

/** What the Bicep loads and the deploy applies, derived from the schema: file name → content. */
export function generatedFiles(): Map<string, string> {
  const lake = {
    containers: [...LAKE_ZONES],
    zones: Object.fromEntries(LAKE_ZONES.map((z) => [z, z])),
    entities: salesEntities.map((e) => e.name),
    goldTables: goldTables(salesStars),
  };
  return new Map([
    ["lake.json", `${JSON.stringify(lake, null, 2)}\n`],
    ["synapse-views.sql", synapseViewsSql(salesStars)],
  ]);
}

/** Writes generatedFiles() into `<infraDir>/generated/`; returns the names written. */
export function writeGeneratedFiles(infraDir: string): string[] {
  const out = join(infraDir, "generated");
  mkdirSync(out, { recursive: true });
  const files = generatedFiles();
  for (const [name, content] of files) writeFileSync(join(out, name), content);
  return [...files.keys()];
}
