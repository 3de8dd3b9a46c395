import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Entity, schemaArtifacts } from "@saleslake/schema";

/** Writes every schema artifact of each entity to `<out>/schema/<entity>/`; returns the file count. */
export function generate(entities: readonly Entity[], out: string): number {
  let n = 0;
  for (const e of entities) {
    const dir = join(out, "schema", e.name);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(schemaArtifacts(e))) {
      writeFileSync(join(dir, name), text);
      n++;
    }
  }
  return n;
}
