// Writes the example factory (every entity of the bundled sales domain) to <repo>/generated/adf/:
// artifacts in Data Factory's git layout, arm-template.json, control-db/*.sql and notebooks/.
// Usage: node scripts/generate.ts [--out DIR] [--options options.json] [--factory NAME]
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EXAMPLE_FACTORY_NAME, EXAMPLE_FACTORY_OPTIONS } from "../src/generate/example-options.ts";
import { generateFactory } from "../src/generate/generate-factory.ts";
import { generatedFiles, writeGeneratedFactory } from "../src/generate/write-generated.ts";
import { lintFactory } from "../src/lint/lint-factory.ts";
import { formatFinding } from "../src/lint/lint-finding.ts";

const flag = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const out = resolve(flag("--out") ?? resolve(import.meta.dirname, "../../../generated"), "adf");
const optionsFile = flag("--options");
const options = optionsFile ? JSON.parse(readFileSync(optionsFile, "utf8")) : EXAMPLE_FACTORY_OPTIONS;
const factory = generateFactory(options);
const findings = lintFactory(factory.artifacts);
if (findings.length > 0) {
  for (const f of findings) console.error(formatFinding(f));
  process.exit(1);
}
const files = generatedFiles(factory, flag("--factory") ?? EXAMPLE_FACTORY_NAME);
writeGeneratedFactory(out, files);
console.log(`adf: wrote ${files.size} files to ${out}`);
