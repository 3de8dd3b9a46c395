import { readFileSync } from "node:fs";
import { type Entity, type SchemaDiff, schemaDiff } from "@saleslake/schema";
import { importProjectModule, ProjectFileError } from "../project-imports.ts";

function isEntity(v: unknown): v is Entity {
  return (
    Boolean(v) &&
    typeof v === "object" &&
    Array.isArray((v as Entity).columns) &&
    typeof (v as Entity).name === "string"
  );
}

/** The entity a module exports (the default export, or the only entity export), or a JSON export of one. */
export async function loadEntity(path: string): Promise<Entity> {
  if (path.endsWith(".json")) {
    const text = readFileSync(path, "utf8");
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new ProjectFileError(
        `${path}: not JSON (${(e as Error).message})`,
        "Pass a module exporting the entity, or the entity's JSON export.",
      );
    }
    if (isEntity(v)) return v;
    throw new ProjectFileError(
      `${path} does not hold an entity`,
      "Pass an entity's JSON export (an object with name and columns).",
    );
  }
  const mod = await importProjectModule(path);
  if (isEntity(mod.default)) return mod.default;
  const found = Object.values(mod).filter(isEntity);
  if (found.length !== 1)
    throw new ProjectFileError(
      `${path} exports ${found.length} entities`,
      "Export exactly one entity from the module, or the one to compare as its default export.",
    );
  return found[0]!;
}

export async function schemaDiffCommand(oldPath: string, newPath: string): Promise<SchemaDiff> {
  return schemaDiff(await loadEntity(oldPath), await loadEntity(newPath));
}
