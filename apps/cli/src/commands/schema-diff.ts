import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { type Entity, type SchemaDiff, schemaDiff } from "@saleslake/schema";

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
    const v = JSON.parse(readFileSync(path, "utf8")) as unknown;
    if (isEntity(v)) return v;
    throw new Error(`${path} does not hold an entity`);
  }
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  if (isEntity(mod.default)) return mod.default;
  const found = Object.values(mod).filter(isEntity);
  if (found.length !== 1)
    throw new Error(`${path} exports ${found.length} entities; export exactly one, or as default`);
  return found[0]!;
}

export async function schemaDiffCommand(oldPath: string, newPath: string): Promise<SchemaDiff> {
  return schemaDiff(await loadEntity(oldPath), await loadEntity(newPath));
}
