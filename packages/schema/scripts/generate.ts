// Writes every schema artifact of every bundled entity to <repo>/generated/schema/<entity>/.
// Usage: node scripts/generate.ts [--out DIR]
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { salesEntities, schemaArtifacts } from "../src/index.ts";

const outFlag = process.argv.indexOf("--out");
const root =
  outFlag > 0 ? resolve(process.argv[outFlag + 1]!) : resolve(import.meta.dirname, "../../../generated");
const dir = join(root, "schema");
rmSync(dir, { recursive: true, force: true });
let files = 0;
for (const entity of salesEntities) {
  mkdirSync(join(dir, entity.name), { recursive: true });
  for (const [name, text] of Object.entries(schemaArtifacts(entity))) {
    writeFileSync(join(dir, entity.name, name), text);
    files++;
  }
}
console.log(`schema: wrote ${files} files for ${salesEntities.length} entities to ${dir}`);
