import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { isIPv4 } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import type { DeploymentExtended } from "@azure/arm-resourcesdeployments";
import { readBicepParams } from "../../bicep/bicepparam-reader.ts";
import { InfraError } from "../../infra-error.ts";
import { deploymentsClient } from "../arm-clients.ts";
import type { DeployContext, DeployStep, DeployTarget, StepResult } from "../deploy-step.ts";
import { onPath } from "../on-path.ts";

const run = promisify(execFile);

export const INFRA_DIR = new URL("../../../", import.meta.url).pathname;
/** Tag on the ARM deployment holding the hash of what it deployed: equal hash, nothing to do. */
export const DEPLOYMENT_HASH_TAG = "saleslake-hash";

export interface InfraStepOptions {
  /** The infra folder (main.bicep, env/). Default: this package's. */
  readonly infraDir?: string;
  /**
   * Compiled ARM template for the SDK path. Default `<infraDir>/dist/arm/main.json`, written by the
   * build step. When given, it is what is deployed, with the SDK, even where `az` is on PATH.
   */
  readonly templateFile?: string;
  /** Deploy with the Azure CLI when `az` is on PATH and no template file is given. Default `true`. */
  readonly useAzureCli?: boolean;
  /** Environment the parameter files read. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

export const deploymentName = (target: DeployTarget): string => `saleslake-${target.env}`;

/**
 * Deploys main.bicep with the environment's parameters to the resource group, in Incremental
 * mode. With the Azure CLI: `what-if` first, `create` only when something changes. With the ARM
 * SDK: the compiled template, skipped when the last successful deployment carries the same hash.
 * Either way the deployment's outputs become the next steps' inputs.
 */
export function infraStep(options: InfraStepOptions = {}): DeployStep {
  const dir = options.infraDir ?? INFRA_DIR;
  const useCli = () => options.templateFile === undefined && (options.useAzureCli ?? true) && onPath("az");
  return {
    id: "infra",
    title: "Azure resources from infra/main.bicep",
    plan: (t) => [
      useCli()
        ? `az deployment group create --resource-group ${t.resourceGroup} --name ${deploymentName(t)} --template-file main.bicep --parameters env/${t.env}.bicepparam (skipped when what-if shows no change)`
        : `ARM deployment ${deploymentName(t)} of the compiled template to ${t.resourceGroup} with env/${t.env}.bicepparam (skipped when unchanged)`,
      "storage, Data Factory, Databricks, SQL, Key Vault, monitoring, role assignments, optional Synapse",
    ],
    run: (ctx) => {
      const cli = useCli();
      let parameters: Record<string, { value: unknown }> | undefined;
      try {
        parameters = parametersFor(dir, ctx, options.env ?? process.env);
      } catch (e) {
        // The Azure CLI evaluates parameter files this reader cannot; it reports what it rejects.
        if (!cli) throw e;
      }
      if (parameters !== undefined) checkParameters(parameters, ctx);
      // The SDK path deploys the parameters just checked; they are read once.
      return cli || parameters === undefined
        ? deployWithCli(dir, ctx)
        : deployWithSdk(dir, options, ctx, parameters);
    },
  };
}

const PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000";

/**
 * Stops before anything is deployed on a parameter that would give a broken estate: the
 * placeholder admin group of dev and test (nobody could sign in to SQL or Synapse, so the next
 * steps would fail with a login error), or a deployer address that is not an IPv4 address.
 */
function checkParameters(parameters: Record<string, { value: unknown }>, ctx: DeployContext): void {
  const value = (name: string) => parameters[name]?.value;
  const file = `env/${ctx.target.env}.bicepparam`;
  const admins = value("sqlAdminGroupObjectId");
  if (admins === PLACEHOLDER_ID || admins === "")
    throw new InfraError(
      "INVALID_PARAMETER",
      `sqlAdminGroupObjectId is ${admins === "" ? "empty" : `the placeholder ${PLACEHOLDER_ID}`}: nobody could administer the SQL server or Synapse`,
      {
        hint: "Set SALESLAKE_SQL_ADMIN_GROUP_ID to the object id of the Entra group of SQL admins (`az ad group show --group NAME --query id -o tsv`), and make the deploying identity a member.",
        file,
        rule: "sqlAdminGroupObjectId",
      },
    );
  const ip = value("deployerIpAddress");
  if (typeof ip === "string" && ip !== "" && !isIPv4(ip))
    throw new InfraError(
      "INVALID_PARAMETER",
      `deployerIpAddress ${JSON.stringify(ip)} is not an IPv4 address`,
      {
        hint: "Set SALESLAKE_DEPLOYER_IP to the public IPv4 address the deploy runs from (Azure SQL and Synapse firewall rules take IPv4 only), or unset it.",
        file,
        rule: "deployerIpAddress",
      },
    );
  const email = value("alertEmail");
  if (typeof email === "string" && email.endsWith("@example.com"))
    ctx.log(`    note: failed-run alerts go to ${email}, a placeholder; set SALESLAKE_ALERT_EMAIL`);
}

/** Puts a deployment's outputs (all but secure ones) into `ctx.outputs`; returns their names. */
export function keepOutputs(ctx: Pick<DeployContext, "outputs">, outputs: unknown): string[] {
  const names: string[] = [];
  for (const [k, v] of Object.entries(
    (outputs ?? {}) as Record<string, { value?: unknown; type?: string }>,
  )) {
    if (v?.value === undefined || /secure/i.test(v.type ?? "")) continue;
    ctx.outputs.set(k, String(v.value));
    names.push(k);
  }
  return names;
}

function parametersFor(
  dir: string,
  ctx: DeployContext,
  env: NodeJS.ProcessEnv,
): Record<string, { value: unknown }> {
  const compiled = join(dir, "dist", "arm", `${ctx.target.env}.parameters.json`);
  if (existsSync(compiled))
    return (JSON.parse(readFileSync(compiled, "utf8")) as { parameters: Record<string, { value: unknown }> })
      .parameters;
  const { values } = readBicepParams(join(dir, "env", `${ctx.target.env}.bicepparam`), env);
  return Object.fromEntries(Object.entries(values).map(([k, value]) => [k, { value }]));
}

async function deployWithSdk(
  dir: string,
  options: InfraStepOptions,
  ctx: DeployContext,
  parameters: Record<string, { value: unknown }>,
): Promise<StepResult> {
  const templateFile =
    options.templateFile ?? ctx.outputs.get("templateFile") ?? join(dir, "dist", "arm", "main.json");
  if (!existsSync(templateFile))
    throw new InfraError("MISSING_ARTIFACT", `no compiled ARM template at ${templateFile}`, {
      hint: "Install the Azure CLI (deploys the Bicep directly) or the Bicep CLI (the build step compiles main.bicep), then rerun.",
      file: templateFile,
    });
  const template = JSON.parse(readFileSync(templateFile, "utf8")) as unknown;
  const hash = createHash("sha256").update(JSON.stringify({ template, parameters })).digest("hex");
  const client = deploymentsClient(ctx);
  const name = deploymentName(ctx.target);
  let previous: DeploymentExtended | undefined;
  try {
    previous = await client.deployments.get(ctx.target.resourceGroup, name);
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  if (
    previous?.properties?.provisioningState === "Succeeded" &&
    previous.tags?.[DEPLOYMENT_HASH_TAG] === hash
  ) {
    const names = keepOutputs(ctx, previous.properties.outputs);
    return {
      changed: 0,
      unchanged: 1,
      detail: [`deployment ${name} is current (outputs: ${names.join(", ")})`],
    };
  }
  const result = await client.deployments.createOrUpdate(ctx.target.resourceGroup, name, {
    properties: { mode: "Incremental", template, parameters },
    tags: { [DEPLOYMENT_HASH_TAG]: hash, app: "saleslake" },
  });
  if (result.properties?.provisioningState !== "Succeeded")
    throw new InfraError(
      "DEPLOY_STEP_FAILED",
      `deployment ${name} ended ${result.properties?.provisioningState ?? "without a state"}`,
      {
        hint: `See the deployment's operations in the portal or \`az deployment operation group list -g ${ctx.target.resourceGroup} -n ${name}\`.`,
      },
    );
  const names = keepOutputs(ctx, result.properties.outputs);
  return { changed: 1, unchanged: 0, detail: [`deployed ${name} (outputs: ${names.join(", ")})`] };
}

async function az(args: string[]): Promise<unknown> {
  try {
    const { stdout } = await run("az", [...args, "--only-show-errors", "--output", "json"], {
      maxBuffer: 64 << 20,
    });
    return stdout.trim() === "" ? null : (JSON.parse(stdout) as unknown);
  } catch (e) {
    throw new Error(
      `az ${args.slice(0, 3).join(" ")} failed: ${String((e as { stderr?: string }).stderr ?? e).trim()}`,
    );
  }
}

async function deployWithCli(dir: string, ctx: DeployContext): Promise<StepResult> {
  const name = deploymentName(ctx.target);
  const common = [
    "--subscription",
    ctx.target.subscriptionId,
    "--resource-group",
    ctx.target.resourceGroup,
    "--name",
    name,
    "--template-file",
    join(dir, "main.bicep"),
    "--parameters",
    join(dir, "env", `${ctx.target.env}.bicepparam`),
  ];
  const whatIf = (await az(["deployment", "group", "what-if", ...common, "--no-pretty-print"])) as {
    changes?: { changeType?: string }[];
  } | null;
  const changes = (whatIf?.changes ?? []).filter(
    (c) => c.changeType !== "NoChange" && c.changeType !== "Ignore",
  );
  if (whatIf && changes.length === 0) {
    const outputs = await az([
      "deployment",
      "group",
      "show",
      "--subscription",
      ctx.target.subscriptionId,
      "--resource-group",
      ctx.target.resourceGroup,
      "--name",
      name,
      "--query",
      "properties.outputs",
    ]);
    const names = keepOutputs(ctx, outputs);
    return {
      changed: 0,
      unchanged: 1,
      detail: [`what-if: no change to ${name} (outputs: ${names.join(", ")})`],
    };
  }
  const outputs = await az(["deployment", "group", "create", ...common, "--query", "properties.outputs"]);
  const names = keepOutputs(ctx, outputs);
  return {
    changed: 1,
    unchanged: 0,
    detail: [`deployed ${name}: ${changes.length} resource changes (outputs: ${names.join(", ")})`],
  };
}
