import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ARTIFACT_TYPES, artifactsOf } from "../lint/factory-artifacts.ts";
import { armTemplate } from "./arm-template.ts";
import { controlDbGrantSql } from "./control-db-sql.ts";
import type { GeneratedFactory } from "./generate-factory.ts";

/**
 * The files of a generated factory, path → text: `<type>/<name>.json` in Data Factory's git
 * layout (wire format), `arm-template.json`, `control-db/*.sql`, `notebooks/<path>.py`.
 */
export function generatedFiles(g: GeneratedFactory, factoryName?: string): Map<string, string> {
  const files = new Map<string, string>();
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  for (const type of ARTIFACT_TYPES)
    for (const doc of artifactsOf(g.artifacts, type)) files.set(`${type}/${doc.name}.json`, json(doc));
  files.set("arm-template.json", json(armTemplate(g.artifacts)));
  files.set("control-db/control-db.sql", g.controlDbSql);
  if (factoryName !== undefined) files.set("control-db/grant-factory.sql", controlDbGrantSql(factoryName));
  for (const n of g.notebooks) files.set(`notebooks/${n.path}.py`, n.source);
  return files;
}

/** Replaces `dir` with the generated files. */
export function writeGeneratedFactory(dir: string, files: ReadonlyMap<string, string>): void {
  rmSync(dir, { recursive: true, force: true });
  for (const [path, text] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}
