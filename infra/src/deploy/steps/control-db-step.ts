import { createHash } from "node:crypto";
import { InfraError } from "../../infra-error.ts";
import type { DeployContext, DeployStep, StepResult } from "../deploy-step.ts";
import { type SqlConnect, type SqlTarget, splitBatches } from "../sql/sql-target.ts";
import { connectTedious } from "../sql/tedious-sql-target.ts";

export interface SqlStepOptions {
  /** How to reach the database. Default: tedious with a Microsoft Entra token. */
  readonly connect?: SqlConnect;
}

/** An output of an earlier step, or a typed error naming the step that should have made it. */
export function requireOutput(ctx: Pick<DeployContext, "outputs">, name: string, from = "infra"): string {
  const v = ctx.outputs.get(name);
  if (v === undefined || v === "")
    throw new InfraError("MISSING_ARTIFACT", `the ${from} step did not provide ${name}`, {
      hint: `Rerun from the ${from} step; check that infra/main.bicep still outputs ${name}.`,
    });
  return v;
}

/** Opens the control database the infra step created (outputs `sqlServer`, `sqlDatabase`). */
export async function openControlDb(ctx: DeployContext, connect: SqlConnect): Promise<SqlTarget> {
  return connect(requireOutput(ctx, "sqlServer"), requireOutput(ctx, "sqlDatabase"), ctx.credential);
}

/** Applies `script` unless the same script was the last one applied under `name`. */
export async function applyOnce(db: SqlTarget, name: string, script: string): Promise<StepResult> {
  const hash = createHash("sha256").update(script).digest("hex");
  if ((await db.appliedHash(name)) === hash)
    return { changed: 0, unchanged: 1, detail: [`${name}: already applied`] };
  const batches = splitBatches(script);
  for (const batch of batches) await db.execute(batch);
  await db.recordHash(name, hash);
  return { changed: 1, unchanged: 0, detail: [`${name}: applied ${batches.length} batches`] };
}

/**
 * The control database's objects (watermarks, run ledger, procedures) and the factory identity's
 * user with its grants. `script` gets the factory name from the infra outputs.
 */
export function controlDbStep(
  script: (factoryName: string) => string,
  options: SqlStepOptions = {},
): DeployStep {
  return {
    id: "control-db",
    title: "control database objects and the factory's database user",
    plan: () => [
      "T-SQL from @saleslake/adf-templates: saleslake schema, watermarks, runs, procedures (idempotent)",
      "database user for the factory's managed identity, with its grants",
      "skipped when the same script was applied last time",
    ],
    run: async (ctx) => {
      const db = await openControlDb(ctx, options.connect ?? connectTedious);
      try {
        return await applyOnce(db, "control-db", script(requireOutput(ctx, "dataFactory")));
      } finally {
        await db.close();
      }
    },
  };
}
