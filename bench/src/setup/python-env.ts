// Puts dlt (bench/requirements.txt) into the project's .venv, next to the pyspark and
// delta-spark that scripts/python-env.sh installs. Idempotent; `pnpm --filter @saleslake/bench setup`.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_ROOT, REPO_ROOT, VENV_PYTHON } from "../contenders/contender-registry.ts";
import { BenchError } from "../harness/bench-error.ts";

const REQUIREMENTS = join(BENCH_ROOT, "requirements.txt");
const STAMP = join(REPO_ROOT, ".venv", ".bench-requirements.sha256");

/** Creates or updates the environment; throws with the install command when Python or Java is missing. */
export function ensurePythonEnv(options: { spark: boolean }): void {
  if (spawnSync("python3", ["--version"]).status !== 0) {
    throw new BenchError(
      "PYTHON_MISSING",
      "python3 is not installed: the dlt and Spark contenders need it",
      "Install Python 3.11 (apt-get install python3 python3-venv), or leave them out with --contenders floor,saleslake.",
    );
  }
  if (options.spark && spawnSync("java", ["-version"]).status !== 0) {
    throw new BenchError(
      "JAVA_MISSING",
      "Java is not installed: the Spark contenders need it",
      "Install a JDK 17 (apt-get install openjdk-17-jre-headless), or set SALESLAKE_SKIP_SPARK=1 to skip them.",
    );
  }
  execFileSync("bash", [join(REPO_ROOT, "scripts", "python-env.sh")], { stdio: "inherit" });
  const want = createHash("sha256").update(readFileSync(REQUIREMENTS)).digest("hex");
  if (existsSync(STAMP) && readFileSync(STAMP, "utf8").trim() === want) return;
  console.error(`bench: installing ${REQUIREMENTS} into .venv`);
  execFileSync(
    VENV_PYTHON,
    ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", REQUIREMENTS],
    {
      stdio: "inherit",
    },
  );
  writeFileSync(STAMP, `${want}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) ensurePythonEnv({ spark: true });
