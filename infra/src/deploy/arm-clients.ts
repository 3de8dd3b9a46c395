import { DataFactoryManagementClient } from "@azure/arm-datafactory";
import { DeploymentsClient } from "@azure/arm-resourcesdeployments";
import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicyName,
  type Pipeline,
  type PipelinePolicy,
} from "@azure/core-rest-pipeline";
import { InfraError } from "../infra-error.ts";
import type { DeployContext } from "./deploy-step.ts";

const ARM_SCOPE = "https://management.azure.com/.default";
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The endpoint, and whether it is a plain-HTTP loopback address (a local recorder in tests). */
function endpointOf(ctx: DeployContext): { endpoint: string | undefined; loopback: boolean } {
  const endpoint = ctx.azure.endpoint?.replace(/\/+$/, "");
  if (endpoint === undefined) return { endpoint, loopback: false };
  const url = new URL(endpoint);
  if (url.protocol === "https:") return { endpoint, loopback: false };
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname)) return { endpoint, loopback: true };
  throw new InfraError("DEPLOY_STEP_FAILED", `Resource Manager endpoint ${endpoint} is not HTTPS`, {
    hint: "Set SALESLAKE_ARM_ENDPOINT to your cloud's https:// Resource Manager URL (plain HTTP only on 127.0.0.1).",
  });
}

/**
 * The SDKs refuse bearer tokens over plain HTTP; for a loopback recorder their bearer policy is
 * replaced by one that sends the token to loopback hosts only. Everything else stays the SDK's.
 */
function allowLoopback(pipeline: Pipeline, credential: TokenCredential): void {
  pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
  const policy: PipelinePolicy = {
    name: "saleslakeLoopbackBearer",
    async sendRequest(request, next) {
      if (!LOOPBACK.has(new URL(request.url).hostname))
        throw new Error("refusing to send a bearer token over plain HTTP to a non-loopback host");
      const token = await credential.getToken(ARM_SCOPE);
      if (!token) throw new Error("the credential returned no token");
      request.headers.set("Authorization", `Bearer ${token.token}`);
      request.allowInsecureConnection = true;
      return next(request);
    },
  };
  pipeline.addPolicy(policy, { phase: "Sign" });
}

export function deploymentsClient(ctx: DeployContext): DeploymentsClient {
  const { endpoint, loopback } = endpointOf(ctx);
  const client = new DeploymentsClient(ctx.credential, ctx.target.subscriptionId, {
    ...(endpoint !== undefined && { endpoint }),
    ...(loopback && { allowInsecureConnection: true }),
    ...(ctx.azure.additionalPolicies !== undefined && {
      additionalPolicies: [...ctx.azure.additionalPolicies],
    }),
  });
  if (loopback) allowLoopback(client.pipeline, ctx.credential);
  return client;
}

export function dataFactoryClient(ctx: DeployContext): DataFactoryManagementClient {
  const { endpoint, loopback } = endpointOf(ctx);
  const client = new DataFactoryManagementClient(ctx.credential, ctx.target.subscriptionId, {
    ...(endpoint !== undefined && { endpoint, $host: endpoint }),
    ...(loopback && { allowInsecureConnection: true }),
    ...(ctx.azure.additionalPolicies !== undefined && {
      additionalPolicies: [...ctx.azure.additionalPolicies],
    }),
  });
  if (loopback) allowLoopback(client.pipeline, ctx.credential);
  return client;
}
