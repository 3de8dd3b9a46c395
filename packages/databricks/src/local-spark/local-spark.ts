import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";

export interface LocalSpark {
  /**
   * Runs a SOURCE-format notebook with widget values; resolves to its `dbutils.notebook.exit` value.
   * `jvm: false` gives it a session that refuses JVM access, as serverless and standard access mode
   * compute do; `refusedConfs`, one that refuses to set those Spark confs, as restricted compute may.
   */
  runNotebook(
    source: string,
    params: Record<string, string>,
    options?: { jvm?: boolean; refusedConfs?: readonly string[] },
  ): Promise<string | null>;
  sql(query: string): Promise<Record<string, unknown>[]>;
  stop(): Promise<void>;
}

const repo = new URL("../../../../", import.meta.url).pathname;

/** The project's Python with pyspark and delta-spark (`scripts/python-env.sh` creates it). */
export function sparkPython(): string {
  const python = join(repo, ".venv", "bin", "python");
  if (!existsSync(python)) {
    throw new Error(
      "no Python environment for Spark: run `bash scripts/python-env.sh` (needs python3 and Java 17), or set SALESLAKE_SKIP_SPARK=1 to skip",
    );
  }
  if (spawnSync("java", ["-version"]).status !== 0) {
    throw new Error(
      "Java is not installed: install a JDK 17 (e.g. apt-get install openjdk-17-jre-headless), or set SALESLAKE_SKIP_SPARK=1 to skip",
    );
  }
  return python;
}

/** Starts one local Spark session with Delta Lake (about ten seconds), kept for many requests. */
export async function startLocalSpark(options: { warehouseDir: string }): Promise<LocalSpark> {
  const child: ChildProcessWithoutNullStreams = spawn(
    sparkPython(),
    ["-u", join(repo, "packages/databricks/python/saleslake_local/server.py")],
    {
      env: {
        ...process.env,
        SALESLAKE_SPARK_WAREHOUSE: options.warehouseDir,
        PYTHONPATH: join(repo, "packages/databricks/python"),
      },
      cwd: options.warehouseDir,
    },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-8000);
  });
  const lines = createInterface({ input: child.stdout });
  const pending: ((line: string) => void)[] = [];
  lines.on("line", (l) => pending.shift()?.(l));
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onExit = () => reject(new Error(`local Spark exited: ${stderr.slice(-2000)}`));
      child.once("exit", onExit);
      pending.push((l) => {
        child.off("exit", onExit);
        resolve(JSON.parse(l) as Record<string, unknown>);
      });
    });
  const ready = await next();
  if (!ready.ok) throw new Error(`local Spark did not start: ${stderr}`);
  let queue = Promise.resolve();
  const request = (req: Record<string, unknown>) => {
    const result = queue.then(async () => {
      child.stdin.write(`${JSON.stringify(req)}\n`);
      const answer = await next();
      if (!answer.ok) throw new Error(`${String(answer.error)}\n${String(answer.trace ?? "")}`);
      return answer;
    });
    queue = result.then(
      () => {},
      () => {},
    );
    return result;
  };
  return {
    runNotebook: async (source, params, options) =>
      ((
        await request({
          op: "notebook",
          source,
          params,
          jvm: options?.jvm ?? true,
          refusedConfs: options?.refusedConfs ?? [],
        })
      ).exit as string | null) ?? null,
    sql: async (query) => (await request({ op: "sql", query })).rows as Record<string, unknown>[],
    stop: async () => {
      child.stdin.write(`${JSON.stringify({ op: "stop" })}\n`);
      await new Promise((r) => child.once("exit", r));
    },
  };
}
