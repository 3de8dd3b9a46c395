import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

export const ENVIRONMENTS = ["dev", "test", "prod"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** Where a deploy goes. */
export interface DeployTarget {
  readonly env: Environment;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
}

/**
 * Options every Azure SDK client of the deploy is built with. Empty in production; tests point
 * `endpoint` at a local recorder and add a policy that trusts its certificate.
 */
export interface AzureClientOptions {
  /** Resource Manager endpoint. Default: Azure public cloud. */
  readonly endpoint?: string;
  readonly additionalPolicies?: readonly { policy: PipelinePolicy; position: "perCall" | "perRetry" }[];
}

/** What a step did: how many things it changed and how many were already as wanted. */
export interface StepResult {
  readonly changed: number;
  readonly unchanged: number;
  /** One line per thing, for the log. No secrets. */
  readonly detail: readonly string[];
}

export interface DeployContext {
  readonly target: DeployTarget;
  readonly credential: TokenCredential;
  /** Values earlier steps produced (the infra deployment's outputs, the compiled template), by name. */
  readonly outputs: Map<string, string>;
  readonly azure: AzureClientOptions;
  readonly log: (line: string) => void;
}

/** One step of `pnpm turbo deploy`. Running it twice changes nothing the second time. */
export interface DeployStep {
  readonly id: string;
  readonly title: string;
  /** What the step will do for this target, for the printed plan. */
  plan(target: DeployTarget): readonly string[];
  /** Why the step cannot run on this machine, checked before anything is deployed; undefined when it can. */
  unavailable?(): string | undefined;
  run(ctx: DeployContext): Promise<StepResult>;
}
