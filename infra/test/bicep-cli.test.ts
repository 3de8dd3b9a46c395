import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { INFRA } from "./estate.ts";

/** The Bicep CLI, when the machine has one: users' machines usually do, the build machine does not. */
function bicepCli(): string | undefined {
  try {
    return execFileSync("sh", ["-c", "command -v bicep"], { encoding: "utf8" }).trim() || undefined;
  } catch {
    return undefined;
  }
}

// An optional check (infra/README.md): the offline checks above hold without it.
describe("bicep build and bicep lint (only where a bicep CLI is on PATH)", () => {
  const bicep = bicepCli();

  it("main.bicep and every environment build and lint clean", () => {
    if (!bicep) {
      console.log(
        "bicep build / bicep lint: skipped, no bicep CLI on PATH (install: https://aka.ms/bicep-install); the offline checks still ran",
      );
      return;
    }
    const out = mkdtempSync(join(tmpdir(), "saleslake-bicep-build-"));
    try {
      execFileSync(bicep, ["build", join(INFRA, "main.bicep"), "--outdir", out], { stdio: "pipe" });
      const lint = execFileSync(bicep, ["lint", join(INFRA, "main.bicep")], {
        encoding: "utf8",
        stdio: "pipe",
      });
      expect(lint).not.toMatch(/Error/);
      // Production reads these from the environment with no fallback; any well-formed value builds.
      const env = {
        ...process.env,
        SALESLAKE_SQL_ADMIN_GROUP_ID: "00000000-0000-0000-0000-000000000000",
        SALESLAKE_ALERT_EMAIL: "ci@example.com",
      };
      for (const name of readdirSync(join(INFRA, "env")))
        execFileSync(
          bicep,
          ["build-params", join(INFRA, "env", name), "--outfile", join(out, `${name}.json`)],
          {
            stdio: "pipe",
            env,
          },
        );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
