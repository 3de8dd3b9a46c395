import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Entity, LAKE_ZONES, type Star, salesEntities, salesStars } from "@saleslake/schema";
import { goldTables, synapseViewsSql } from "./synapse/synapse-views.ts";

/** The entities and stars the generated files describe. Default: the bundled sales domain. */
export interface GeneratedFilesProject {
  readonly entities: readonly Entity[];
  readonly stars: readonly Star[];
}

/**
 * What the Bicep loads (`lake.json`: the lake's containers, the entities and gold tables) and the
 * deploy applies (`synapse-views.sql`), derived from the schema: file name → content.
 */
export function generatedFiles(
  project: GeneratedFilesProject = { entities: salesEntities, stars: salesStars },
): Map<string, string> {
  const lake = {
    containers: [...LAKE_ZONES],
    zones: Object.fromEntries(LAKE_ZONES.map((z) => [z, z])),
    entities: project.entities.map((e) => e.name),
    goldTables: goldTables(project.stars),
  };
  return new Map([
    ["lake.json", `${JSON.stringify(lake, null, 2)}\n`],
    ["synapse-views.sql", synapseViewsSql(project.stars)],
  ]);
}

/** Writes generatedFiles() into `<infraDir>/generated/`; returns the names written. */
export function writeGeneratedFiles(infraDir: string, project?: GeneratedFilesProject): string[] {
  const out = join(infraDir, "generated");
  mkdirSync(out, { recursive: true });
  const files = generatedFiles(project);
  for (const [name, content] of files) writeFileSync(join(out, name), content);
  return [...files.keys()];
}
