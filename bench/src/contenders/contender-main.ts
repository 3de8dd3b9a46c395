// One contender run in its own process, so that its peak memory is its own.
// Usage: node contender-main.ts <contender> <stateDir> <file>; prints one JSON line (ContenderOutcome).
import { mkdirSync, readFileSync } from "node:fs";
import { type ContenderOutcome, ownPeakMb } from "./contender-outcome.ts";
import { landOnly, plainCopy } from "./file-landing.ts";
import { floorMerge } from "./floor-merge.ts";
import { saleslakeLocal, saleslakeStar } from "./saleslake-local.ts";
import { saleslakeSpark } from "./saleslake-spark.ts";

const RUNNERS: Record<string, (stateDir: string, file: string) => Promise<ContenderOutcome>> = {
  floor: floorMerge,
  saleslake: (stateDir, file) => saleslakeLocal(stateDir, file),
  "saleslake-star": saleslakeStar,
  "saleslake-spark": saleslakeSpark,
  landing: landOnly,
  copy: plainCopy,
};

const [name, stateDir, file] = process.argv.slice(2);
const runner = name ? RUNNERS[name] : undefined;
if (!runner || !stateDir || !file) {
  console.error(`usage: contender-main.ts <${Object.keys(RUNNERS).join("|")}> <stateDir> <file>`);
  process.exit(2);
}
mkdirSync(stateDir, { recursive: true });
const outcome = await runner(stateDir, file);
const selfPeakMb = ownPeakMb(readFileSync("/proc/self/status", "utf8"));
process.stdout.write(`${JSON.stringify(selfPeakMb === undefined ? outcome : { ...outcome, selfPeakMb })}\n`);
