import { parseArgs } from "node:util";
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { InfraError } from "../infra-error.ts";
import { type DefaultStepsOptions, defaultSteps } from "./default-steps.ts";
import { runDeploy } from "./deploy-runner.ts";
import { type AzureClientOptions, type DeployStep, ENVIRONMENTS, type Environment } from "./deploy-step.ts";
import { redact } from "./redact.ts";

export interface DeployMainOptions extends DefaultStepsOptions {
  /** Default: `DefaultAzureCredential` (Azure CLI login, managed identity, workload identity, …). */
  readonly credential?: TokenCredential;
  /** Default: from `SALESLAKE_ARM_ENDPOINT` (another cloud's Resource Manager), else the public cloud. */
  readonly azure?: AzureClientOptions;
  /** Replace the default steps (tests). */
  readonly steps?: (defaults: DeployStep[]) => DeployStep[];
  readonly out?: (line: string) => void;
  readonly err?: (line: string) => void;
}

const USAGE = `usage: pnpm turbo deploy -- --env <dev|test|prod> [--plan] [--subscription ID] [--resource-group NAME] [--template FILE]
  --env             environment (or SALESLAKE_ENV)
  --plan            print what would be deployed and stop
  --template        ARM template compiled from main.bicep elsewhere (e.g. by bicep build in CI)
  --subscription    Azure subscription id (or AZURE_SUBSCRIPTION_ID)
  --resource-group  target resource group (or SALESLAKE_RESOURCE_GROUP). Default saleslake-<env>`;

/**
 * `pnpm turbo deploy`: picks the environment, prints the plan, checks credentials, runs the
 * steps. Returns the exit code: 0 deployed (or plan printed), 1 failed, 2 usage error.
 */
export async function deployMain(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  options: DeployMainOptions = {},
): Promise<number> {
  const out = options.out ?? ((l: string) => process.stdout.write(`${l}\n`));
  const err = options.err ?? ((l: string) => process.stderr.write(`${l}\n`));
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (e) {
    err(`error USAGE: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    out(USAGE);
    return 0;
  }
  const envName = args.env ?? env.SALESLAKE_ENV;
  if (!envName || !(ENVIRONMENTS as readonly string[]).includes(envName)) {
    err(
      `error UNKNOWN_ENVIRONMENT: ${envName ? `no environment ${JSON.stringify(envName)}` : "no environment given"}`,
    );
    err(`hint: pass --env ${ENVIRONMENTS.join("|")} or set SALESLAKE_ENV.`);
    return 2;
  }
  const target = {
    env: envName as Environment,
    subscriptionId: args.subscription ?? env.AZURE_SUBSCRIPTION_ID ?? "<AZURE_SUBSCRIPTION_ID not set>",
    resourceGroup: args["resource-group"] ?? env.SALESLAKE_RESOURCE_GROUP ?? `saleslake-${envName}`,
  };
  const base = defaultSteps({
    ...options,
    env: options.env ?? env,
    ...(args.template !== undefined && { templateFile: args.template }),
  });
  const steps = options.steps ? options.steps(base) : base;
  const armEndpoint = env.SALESLAKE_ARM_ENDPOINT;
  try {
    await runDeploy({
      target,
      steps,
      credential: options.credential ?? new DefaultAzureCredential(),
      azure: options.azure ?? (armEndpoint ? { endpoint: armEndpoint } : {}),
      log: out,
      planOnly: args.plan === true,
    });
    return 0;
  } catch (e) {
    if (e instanceof InfraError) {
      err(`error ${e.code}: ${redact(e.message)}`);
      err(`hint: ${e.hint}`);
    } else err(`error DEPLOY_STEP_FAILED: ${redact(e instanceof Error ? e.message : String(e))}`);
    return 1;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      env: { type: "string" },
      plan: { type: "boolean" },
      subscription: { type: "string" },
      "resource-group": { type: "string" },
      template: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
  }).values;
}
