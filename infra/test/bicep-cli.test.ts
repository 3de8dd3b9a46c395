import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { onPath } from "../src/deploy/on-path.ts";
import { INFRA } from "./estate.ts";

const skip = process.env.SALESLAKE_SKIP_BICEP === "1";
if (skip) console.warn("SALESLAKE_SKIP_BICEP=1: bicep build, build-params and lint are skipped");

// The compiler's own checks, beside the offline ones (infra/README.md).
describe.skipIf(skip)("bicep build and bicep lint", () => {
  it("main.bicep and every environment build and lint clean", () => {
    // As the deploy's build step finds it.
    const bicep = onPath("bicep");
    if (!bicep)
      throw new Error(
        "no bicep CLI on PATH: install it (https://aka.ms/bicep-install) and put `bicep` on PATH, " +
          "or set SALESLAKE_SKIP_BICEP=1 to leave these checks out",
      );
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
