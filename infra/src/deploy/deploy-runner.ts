import type { TokenCredential } from "@azure/core-auth";
import { InfraError } from "../infra-error.ts";
import type { AzureClientOptions, DeployStep, DeployTarget, StepResult } from "./deploy-step.ts";
import { redact } from "./redact.ts";

export interface DeployReport {
  readonly target: DeployTarget;
  readonly steps: readonly ({ readonly id: string } & StepResult)[];
  /** Things changed over all steps: 0 when the estate was already deployed as wanted. */
  readonly changed: number;
}

export interface RunDeployOptions {
  readonly target: DeployTarget;
  readonly credential: TokenCredential;
  readonly steps: readonly DeployStep[];
  /** Default: the public-cloud Resource Manager with the SDKs' own pipelines. */
  readonly azure?: AzureClientOptions;
  /** Where progress goes. Default: stdout. Every line passes through `redact`. */
  readonly log?: (line: string) => void;
  /** Print the plan and stop. Default `false`. */
  readonly planOnly?: boolean;
}

/** The plan as printed: the target, then each step with what it will do. */
export function formatPlan(target: DeployTarget, steps: readonly DeployStep[]): string[] {
  const lines = [
    `deploy plan for ${target.env}: subscription ${target.subscriptionId}, resource group ${target.resourceGroup}`,
  ];
  steps.forEach((s, i) => {
    lines.push(`  ${i + 1}. ${s.id}: ${s.title}`);
    for (const p of s.plan(target)) lines.push(`       - ${p}`);
  });
  return lines;
}

/**
 * Runs the steps in order after printing the plan. Checks first that the credential can get a
 * Resource Manager token, so a missing login stops before anything changes; stops at the first
 * failing step (the steps before it are idempotent: rerun after fixing).
 */
export async function runDeploy(options: RunDeployOptions): Promise<DeployReport> {
  const log = (line: string) =>
    (options.log ?? ((l: string) => process.stdout.write(`${l}\n`)))(redact(line));
  const { target, steps } = options;
  for (const line of formatPlan(target, steps)) log(line);
  if (options.planOnly) return { target, steps: [], changed: 0 };

  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(target.subscriptionId))
    throw new InfraError("NO_CREDENTIALS", "no Azure subscription given: nothing was deployed", {
      hint: "Set AZURE_SUBSCRIPTION_ID (or pass --subscription) to the subscription to deploy to; the plan above is what will run.",
    });

  const missing = steps.flatMap((s) => {
    const why = s.unavailable?.();
    return why === undefined ? [] : [`${s.id}: ${why}`];
  });
  if (missing.length > 0)
    throw new InfraError("MISSING_ARTIFACT", `cannot deploy: ${missing.join("; ")}`, {
      hint: "Nothing was deployed. Provide what the listed steps need and rerun.",
      rule: missing[0]!.split(":")[0]!,
    });

  try {
    const token = await options.credential.getToken("https://management.azure.com/.default");
    if (!token) throw new Error("the credential returned no token");
  } catch (e) {
    throw new InfraError(
      "NO_CREDENTIALS",
      `no Azure credentials: nothing was deployed (${redact(String((e as Error).message ?? e))})`,
      {
        hint: "Sign in with `az login`, or set AZURE_TENANT_ID/AZURE_CLIENT_ID with a federated or managed identity, then rerun; the plan above is what will run.",
        cause: e,
      },
    );
  }

  const outputs = new Map<string, string>();
  const done: ({ id: string } & StepResult)[] = [];
  for (const [i, step] of steps.entries()) {
    log(`[${i + 1}/${steps.length}] ${step.id}: ${step.title}`);
    let result: StepResult;
    try {
      result = await step.run({
        target,
        credential: options.credential,
        outputs,
        azure: options.azure ?? {},
        log,
      });
    } catch (e) {
      const message = redact(e instanceof Error ? e.message : String(e));
      const code = e instanceof InfraError ? e.code : "DEPLOY_STEP_FAILED";
      throw new InfraError(code, `deploy step ${step.id} failed: ${message}`, {
        hint:
          e instanceof InfraError
            ? e.hint
            : `Fix the cause and rerun \`pnpm turbo deploy\`; ${done.length > 0 ? `${done.map((d) => d.id).join(", ")} will be no-ops` : "nothing was changed"}.`,
        rule: step.id,
        cause: e,
      });
    }
    for (const d of result.detail) log(`    ${d}`);
    log(`    ${step.id}: ${result.changed} changed, ${result.unchanged} unchanged`);
    done.push({ id: step.id, ...result });
  }
  const changed = done.reduce((n, s) => n + s.changed, 0);
  log(changed === 0 ? "deploy: nothing to change" : `deploy: ${changed} changes applied`);
  return { target, steps: done, changed };
}
