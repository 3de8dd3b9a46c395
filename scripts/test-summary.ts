// Sums the per-package Vitest JSON reports into one closing line: "N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

interface VitestReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
}

const root = new URL("..", import.meta.url).pathname;
const dirs = ["packages", "apps"].flatMap((d) =>
  existsSync(join(root, d)) ? readdirSync(join(root, d)).map((p) => join(root, d, p)) : [],
);
dirs.push(join(root, "infra"), join(root, "bench"), join(root, "faults"));

let passed = 0;
let failed = 0;
let skipped = 0;
const rows: string[] = [];
// `--all`: every package with a test script must have reported (the whole suite was asked for).
const all = process.argv.includes("--all");
const hasTests = (dir: string) => {
  const manifest = join(dir, "package.json");
  return existsSync(manifest) && Boolean(JSON.parse(readFileSync(manifest, "utf8")).scripts?.test);
};
const missing: string[] = [];
for (const dir of dirs) {
  const file = join(dir, ".test-report.json");
  if (!existsSync(file)) {
    if (all && hasTests(dir)) missing.push(dir.slice(root.length));
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8")) as VitestReport;
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + r.numTodoTests;
  rows.push(`  ${dir.slice(root.length).padEnd(24)} ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
console.log("\nTest summary per package:");
console.log(rows.join("\n"));
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
if (missing.length > 0) console.log(`No test report from ${missing.join(", ")}: the suite did not finish.`);
process.exit(failed > 0 || rows.length === 0 || missing.length > 0 ? 1 : 0);
