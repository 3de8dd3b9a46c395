import { DefaultAzureCredential } from "@azure/identity";
import {
  type DeployPlanEntry,
  deployFactory,
  factoryClient,
  formatPlan as formatFactoryPlan,
} from "@saleslake/adf-templates";
import { deployMain, ENVIRONMENTS, type Environment } from "@saleslake/infra";
import type { ResolvedConfig } from "../config.ts";
import { projectFactory } from "./adf.ts";

/** A first line cut from a longer message may leave a parenthesis open. */
function closeParens(line: string): string {
  const open = (line.match(/\(/g) ?? []).length - (line.match(/\)/g) ?? []).length;
  return open > 0 ? `${line.replace(/[.\s]+$/, "")}…${")".repeat(open)}` : line;
}

/** A deploy that did not happen, with the orchestrator's code and hint. */
export class DeployError extends Error {
  override readonly name: string = "DeployError";
  readonly code: string;
  readonly hint: string;
  constructor(code: string, message: string, hint: string) {
    super(message);
    this.code = code;
    this.hint = hint;
  }
}

export interface DeployCommandOptions {
  readonly dryRun?: boolean;
  readonly env?: string;
  readonly subscription?: string;
  readonly resourceGroup?: string;
  readonly template?: string;
  /** Compare the project's Data Factory artifacts with this existing factory (dry run). */
  readonly factory?: string;
}

export interface DeployOutcome {
  readonly env: Environment;
  readonly dryRun: boolean;
  /** The orchestrator's plan and progress lines, as printed. */
  readonly lines: readonly string[];
  /** The project's Data Factory artifacts and what a deploy does to each. */
  readonly artifacts: readonly {
    readonly type: string;
    readonly name: string;
    readonly action: DeployPlanEntry["action"] | "not compared";
  }[];
}

/**
 * Delegates to the infra deploy orchestrator (`@saleslake/infra`'s `deployMain`: build, infra,
 * control database, Synapse views, Databricks, factory, triggers). `dryRun` prints its plan and
 * the project's Data Factory artifacts — compared with an existing factory when one is named.
 */
export async function deployCommand(
  cfg: ResolvedConfig,
  o: DeployCommandOptions,
  print: (line: string) => void,
): Promise<DeployOutcome> {
  const envName = o.env ?? cfg.azure?.environment ?? (process.env.SALESLAKE_ENV || "dev");
  if (!(ENVIRONMENTS as readonly string[]).includes(envName))
    throw new DeployError(
      "UNKNOWN_ENVIRONMENT",
      `no environment ${JSON.stringify(envName)}`,
      `Pass --env ${ENVIRONMENTS.join("|")}.`,
    );
  const env = envName as Environment;
  const subscription =
    o.subscription ?? cfg.azure?.subscriptionId ?? (process.env.AZURE_SUBSCRIPTION_ID || undefined);
  const resourceGroup =
    o.resourceGroup ?? cfg.azure?.resourceGroup ?? (process.env.SALESLAKE_RESOURCE_GROUP || undefined);
  const argv = [
    "--env",
    env,
    ...(o.dryRun ? ["--plan"] : []),
    ...(subscription ? ["--subscription", subscription] : []),
    ...(resourceGroup ? ["--resource-group", resourceGroup] : []),
    ...(o.template ? ["--template", o.template] : []),
  ];
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await deployMain(argv, process.env, {
    out: (l) => {
      lines.push(l);
      print(l);
    },
    err: (l) => errors.push(l),
  });
  if (code !== 0) {
    // The orchestrator writes `error CODE: message` then `hint: …`; a credential chain's message
    // can span lines, and the CLI prints one.
    const text = errors.join("\n");
    const m = /error ([A-Z_]+): ([^\n]*)/.exec(text);
    const hint = /^hint: (.*)$/m.exec(text)?.[1] ?? "Run again with --verbose for details.";
    throw new DeployError(m?.[1] ?? "DEPLOY_FAILED", closeParens(m?.[2] ?? "the deploy failed"), hint);
  }
  if (!o.dryRun) return { env, dryRun: false, lines, artifacts: [] };

  const { artifacts } = projectFactory(cfg);
  let plan: { type: string; name: string; action: DeployPlanEntry["action"] | "not compared" }[];
  if (o.factory) {
    if (!subscription)
      throw new DeployError(
        "NO_CREDENTIALS",
        "comparing with a factory needs a subscription",
        "Set AZURE_SUBSCRIPTION_ID (or pass --subscription).",
      );
    const client = factoryClient({
      subscriptionId: subscription,
      credential: new DefaultAzureCredential(),
      ...(process.env.SALESLAKE_ARM_ENDPOINT && { endpoint: process.env.SALESLAKE_ARM_ENDPOINT }),
    });
    const target = { resourceGroup: resourceGroup ?? `saleslake-${env}`, factoryName: o.factory };
    let result: Awaited<ReturnType<typeof deployFactory>>;
    try {
      result = await deployFactory(client, target, artifacts, { dryRun: true });
    } catch (e) {
      const msg = (e as Error).message.split("\n")[0] ?? String(e);
      const credentials = /credential|authenticat|az login/i.test(msg);
      throw new DeployError(
        credentials ? "NO_CREDENTIALS" : "DEPLOY_FAILED",
        `could not read factory ${o.factory}: ${closeParens(msg)}`,
        "Sign in with `az login` (or set AZURE_TENANT_ID/AZURE_CLIENT_ID for a managed or federated identity) and check the factory name; nothing was changed.",
      );
    }
    plan = result.plan.map((p) => ({ type: p.type, name: p.name, action: p.action }));
    print(`Data Factory ${o.factory} (${target.resourceGroup}), per artifact:`);
    for (const line of formatFactoryPlan(result.plan).split("\n")) print(`  ${line}`);
  } else {
    const all = [
      ...artifacts.linkedServices.map((a) => ({ type: "linkedService", name: a.name })),
      ...artifacts.datasets.map((a) => ({ type: "dataset", name: a.name })),
      ...artifacts.pipelines.map((a) => ({ type: "pipeline", name: a.name })),
      ...artifacts.triggers.map((a) => ({ type: "trigger", name: a.name })),
    ];
    plan = all.map((a) => ({ ...a, action: "not compared" as const }));
    print("Data Factory artifacts (step factory), created or updated where they differ:");
    for (const a of plan) print(`  ${a.type} ${a.name}`);
    print(
      "  (pass --factory NAME with Azure credentials to compare: create / update / unchanged per artifact)",
    );
  }
  return { env, dryRun: true, lines, artifacts: plan };
}
