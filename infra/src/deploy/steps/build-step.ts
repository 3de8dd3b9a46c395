import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { checkBicep } from "../../bicep/bicep-check.ts";
import { readBicepFolder } from "../../bicep/bicep-reader.ts";
import { checkSecurityBaseline } from "../../bicep/security-baseline.ts";
import { writeGeneratedFiles } from "../../generated-files.ts";
import { InfraError } from "../../infra-error.ts";
import type { DeployStep } from "../deploy-step.ts";
import { onPath } from "../on-path.ts";
import { INFRA_DIR } from "./infra-step.ts";

const run = promisify(execFile);

/**
 * Regenerates the schema-derived files, runs the offline checks (types and security baseline:
 * nothing is deployed when they fail) and, where a bicep CLI is on PATH, compiles main.bicep and
 * the environment's parameters to `dist/arm/` for the ARM SDK path.
 */
export function buildStep(options: { readonly infraDir?: string } = {}): DeployStep {
  const dir = options.infraDir ?? INFRA_DIR;
  return {
    id: "build",
    title: "generate, check and compile the Bicep",
    plan: (t) => [
      "write generated/lake.json and generated/synapse-views.sql from the schema",
      "offline checks: resource types and bodies against the Azure type definitions, security baseline",
      onPath("bicep")
        ? `bicep build main.bicep and env/${t.env}.bicepparam into dist/arm/`
        : "no bicep CLI on PATH: the infra step deploys with the Azure CLI or a template compiled elsewhere",
    ],
    run: async (ctx) => {
      const detail = [`wrote ${writeGeneratedFiles(dir).join(", ")}`];
      const files = readBicepFolder(dir);
      const findings = [...checkBicep(files), ...checkSecurityBaseline(files)];
      if (findings.length > 0)
        throw new InfraError(
          "BICEP_CHECK_FAILED",
          `${findings.length} offline check(s) failed:\n${findings
            .slice(0, 20)
            .map((f) => `  ${f.file}:${f.line} [${f.rule}] ${f.message}`)
            .join("\n")}`,
          {
            hint: "Fix the Bicep (or regenerate with `pnpm generate`); nothing was deployed.",
            rule: findings[0]!.rule,
          },
        );
      detail.push(`offline checks passed on ${files.length} Bicep files`);
      const bicep = onPath("bicep");
      if (bicep) {
        const out = join(dir, "dist", "arm");
        mkdirSync(out, { recursive: true });
        await run(bicep, ["build", join(dir, "main.bicep"), "--outfile", join(out, "main.json")]);
        await run(bicep, [
          "build-params",
          join(dir, "env", `${ctx.target.env}.bicepparam`),
          "--outfile",
          join(out, `${ctx.target.env}.parameters.json`),
        ]);
        ctx.outputs.set("templateFile", join(out, "main.json"));
        detail.push(`compiled main.bicep and env/${ctx.target.env}.bicepparam into dist/arm/`);
      }
      return { changed: 0, unchanged: 0, detail };
    },
  };
}
