import type { DeploymentExtended } from "@azure/arm-resourcesdeployments";
import type { TokenCredential } from "@azure/core-auth";
import type { FactoryOptions } from "@saleslake/adf-templates";
import { InfraError } from "../infra-error.ts";
import { deploymentsClient } from "./arm-clients.ts";
import type { AzureClientOptions, DeployTarget } from "./deploy-step.ts";
import { requireOutput } from "./steps/control-db-step.ts";
import { type FactoryStepOptions, factoryOptionsFrom } from "./steps/factory-step.ts";
import { deploymentName, keepOutputs } from "./steps/infra-step.ts";

export interface DeployedFactory {
  /** The ARM deployment whose outputs named the factory and its neighbours. */
  readonly deployment: string;
  /** The Data Factory that deployment created. */
  readonly factoryName: string;
  /** The options the factory step would generate with: the real storage, SQL, Databricks and Key Vault names. */
  readonly options: FactoryOptions;
}

/**
 * The factory a deploy to `target` writes, read (not changed) from the outputs of the
 * environment's infra deployment (`saleslake-<env>`), so that a dry run compares the artifacts
 * the deploy would write, not ones with placeholder names. `undefined` when the resource group
 * has no such deployment yet.
 */
export async function deployedFactory(
  target: DeployTarget,
  credential: TokenCredential,
  azure: AzureClientOptions,
  o: FactoryStepOptions = {},
): Promise<DeployedFactory | undefined> {
  const ctx = { target, credential, azure, outputs: new Map<string, string>(), log: () => {} };
  const name = deploymentName(target);
  let deployment: DeploymentExtended;
  try {
    deployment = await deploymentsClient(ctx).deployments.get(target.resourceGroup, name);
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
  const state = deployment.properties?.provisioningState;
  if (state !== "Succeeded")
    throw new InfraError(
      "DEPLOY_STEP_FAILED",
      `deployment ${name} in ${target.resourceGroup} is ${state ?? "without a state"}: it has no outputs to name the factory's neighbours`,
      { hint: `Deploy the environment (saleslake deploy --env ${target.env}), then compare again.` },
    );
  keepOutputs(ctx, deployment.properties?.outputs);
  return {
    deployment: name,
    factoryName: requireOutput(ctx, "dataFactory"),
    options: factoryOptionsFrom(ctx, o),
  };
}
