import { DefaultAzureCredential } from "@azure/identity";
import {
  type DeployPlanEntry,
  deployFactory,
  EXAMPLE_FACTORY_OPTIONS,
  factoryClient,
  formatPlan as formatFactoryPlan,
  generateFactory,
} from "@saleslake/adf-templates";
import {
  type DeployedFactory,
  deployedFactory,
  deployMain,
  ENVIRONMENTS,
  type Environment,
  projectOptions,
  redact,
} from "@saleslake/infra";
import type { ResolvedConfig } from "../config.ts";
import { factorySourceNotes, projectEntities, projectFactory } from "./adf.ts";

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
  /**
   * Compare the project's Data Factory artifacts with this existing factory (dry run); `true`:
   * the factory the environment's infra deployment created.
   */
  readonly factory?: string | true;
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
  /**
   * With `factory`: the factory compared, and where the names of its neighbours came from (the
   * environment's infra deployment, or placeholders when there is none yet).
   */
  readonly compared?: { readonly factory: string; readonly resourceGroup: string; readonly names: string };
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
  const entities = projectEntities(cfg);
  for (const note of factorySourceNotes(cfg)) {
    lines.push(note);
    print(note);
  }
  const code = await deployMain(argv, process.env, {
    entities,
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

  if (o.factory === undefined) {
    const { artifacts } = projectFactory(cfg);
    const all = [
      ...artifacts.linkedServices.map((a) => ({ type: "linkedService", name: a.name })),
      ...artifacts.datasets.map((a) => ({ type: "dataset", name: a.name })),
      ...artifacts.pipelines.map((a) => ({ type: "pipeline", name: a.name })),
      ...artifacts.triggers.map((a) => ({ type: "trigger", name: a.name })),
    ];
    print("Data Factory artifacts (step factory), created or updated where they differ:");
    for (const a of all) print(`  ${a.type} ${a.name}`);
    print("  (pass --factory with Azure credentials to compare: create / update / unchanged per artifact)");
    return {
      env,
      dryRun: true,
      lines,
      artifacts: all.map((a) => ({ ...a, action: "not compared" as const })),
    };
  }

  if (!subscription)
    throw new DeployError(
      "NO_CREDENTIALS",
      "comparing with a factory needs a subscription",
      "Set AZURE_SUBSCRIPTION_ID (or pass --subscription).",
    );
  const target = { env, subscriptionId: subscription, resourceGroup: resourceGroup ?? `saleslake-${env}` };
  const credential = new DefaultAzureCredential();
  const endpoint = process.env.SALESLAKE_ARM_ENDPOINT;
  const unreadable = (what: string, e: unknown) => {
    const msg = redact((e as Error).message?.split("\n")[0] ?? String(e));
    const credentials = /credential|authenticat|az login/i.test(msg);
    return new DeployError(
      credentials ? "NO_CREDENTIALS" : "DEPLOY_FAILED",
      `could not read ${what}: ${closeParens(msg)}`,
      "Sign in with `az login` (or set AZURE_TENANT_ID/AZURE_CLIENT_ID for a managed or federated identity) and check the names; nothing was changed.",
    );
  };
  // The deploy takes the factory's neighbours (storage, SQL, Databricks, Key Vault) from the
  // environment's infra deployment; the comparison does too, so that it shows what a deploy writes.
  let deployed: DeployedFactory | undefined;
  try {
    deployed = await deployedFactory(
      target,
      credential,
      endpoint ? { endpoint } : {},
      projectOptions(process.env, entities),
    );
  } catch (e) {
    if (e instanceof Error && e.name === "InfraError") throw e;
    throw unreadable(`deployment saleslake-${env} in ${target.resourceGroup}`, e);
  }
  const factoryName = typeof o.factory === "string" ? o.factory : deployed?.factoryName;
  if (factoryName === undefined)
    throw new DeployError(
      "NO_DEPLOYMENT",
      `resource group ${target.resourceGroup} has no deployment saleslake-${env} to name the factory`,
      "Pass --factory NAME, or deploy the environment first (saleslake deploy).",
    );
  const { artifacts } = generateFactory(deployed?.options ?? { ...EXAMPLE_FACTORY_OPTIONS, entities });
  const client = factoryClient({
    subscriptionId: subscription,
    credential,
    ...(endpoint && { endpoint }),
  });
  let result: Awaited<ReturnType<typeof deployFactory>>;
  try {
    result = await deployFactory(client, { resourceGroup: target.resourceGroup, factoryName }, artifacts, {
      dryRun: true,
    });
  } catch (e) {
    throw unreadable(`factory ${factoryName}`, e);
  }
  const names = deployed ? `deployment ${deployed.deployment}` : "placeholders";
  print(`Data Factory ${factoryName} (${target.resourceGroup}), per artifact:`);
  for (const line of formatFactoryPlan(result.plan).split("\n")) print(`  ${line}`);
  print(
    deployed
      ? `  (storage, SQL, Databricks and Key Vault names from ${names})`
      : `  (no deployment saleslake-${env} in ${target.resourceGroup}: linked services carry placeholder names for storage, SQL, Databricks and Key Vault, so they show as updates)`,
  );
  return {
    env,
    dryRun: true,
    lines,
    artifacts: result.plan.map((p) => ({ type: p.type, name: p.name, action: p.action })),
    compared: { factory: factoryName, resourceGroup: target.resourceGroup, names },
  };
}
