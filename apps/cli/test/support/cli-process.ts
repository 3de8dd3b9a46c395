import { spawn } from "node:child_process";

const bin = new URL("../../src/bin.ts", import.meta.url).pathname;

/** Credentials a developer's shell may hold, which would take the place of the tests' own identity. */
const AZURE_CREDENTIAL_VARIABLES = [
  "AZURE_CLIENT_ID",
  "AZURE_TENANT_ID",
  "AZURE_CLIENT_SECRET",
  "AZURE_FEDERATED_TOKEN_FILE",
];

/**
 * The real CLI as a child process, asynchronously: servers the test runs in its own process keep
 * answering while it works. `env` is added to this process's environment, without the Azure
 * credential variables, and NO_COLOR set.
 */
export function cliProcess(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
  cwd?: string,
): Promise<{ code: number | null; out: string; err: string }> {
  const full: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1", ...env };
  for (const k of AZURE_CREDENTIAL_VARIABLES) delete full[k];
  const child = spawn(process.execPath, [bin, ...args], { env: full, ...(cwd && { cwd }) });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => {
    out += d;
  });
  child.stderr.on("data", (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, out, err }));
  });
}
