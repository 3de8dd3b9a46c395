import { DataFactoryManagementClient } from "@azure/arm-datafactory";
import type { TokenCredential } from "@azure/core-auth";
import { bearerTokenAuthenticationPolicyName, type PipelinePolicy } from "@azure/core-rest-pipeline";
import { AdfError } from "../errors.ts";

export interface FactoryClientOptions {
  readonly subscriptionId: string;
  /** Any Azure credential (`DefaultAzureCredential`, a managed identity, a CLI login, …). */
  readonly credential: TokenCredential;
  /** Resource Manager endpoint. Default `https://management.azure.com`. Plain HTTP only on loopback (tests). */
  readonly endpoint?: string;
  /** Token scope. Default `https://management.azure.com/.default`. */
  readonly scope?: string;
  /** Retries of throttled and failed (5xx) calls by the SDK pipeline. Default `3`. */
  readonly maxRetries?: number;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"]);

/**
 * The real `DataFactoryManagementClient`. Against a local recorder (`http://127.0.0.1:…`) the
 * SDK's bearer policy refuses plain HTTP, so it is replaced by one that sends the token only to
 * loopback addresses; every other policy (retry, user agent, request ids) stays the SDK's.
 */
export function factoryClient(o: FactoryClientOptions): DataFactoryManagementClient {
  const endpoint = (o.endpoint ?? "https://management.azure.com").replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (e) {
    throw new AdfError(
      "INVALID_OPTIONS",
      `endpoint ${JSON.stringify(endpoint)} is not a URL`,
      "Use https://management.azure.com or your cloud's Resource Manager URL.",
      { cause: e },
    );
  }
  const insecure = url.protocol === "http:";
  if (insecure && !LOOPBACK.has(url.hostname))
    throw new AdfError(
      "INVALID_OPTIONS",
      `endpoint ${endpoint} is plain HTTP on a non-loopback host`,
      "Resource Manager is only reached over HTTPS; plain HTTP is accepted for 127.0.0.1 (local test servers) only.",
    );
  const scopes = [o.scope ?? "https://management.azure.com/.default"];
  const client = new DataFactoryManagementClient(o.credential, o.subscriptionId, {
    endpoint,
    $host: endpoint,
    credentialScopes: scopes,
    allowInsecureConnection: insecure,
    retryOptions: { maxRetries: o.maxRetries ?? 3 },
  });
  if (insecure) {
    client.pipeline.removePolicy({ name: bearerTokenAuthenticationPolicyName });
    client.pipeline.addPolicy(loopbackBearerPolicy(o.credential, scopes), { phase: "Sign" });
  }
  return client;
}

function loopbackBearerPolicy(credential: TokenCredential, scopes: string[]): PipelinePolicy {
  return {
    name: "saleslakeLoopbackBearerPolicy",
    async sendRequest(request, next) {
      if (!LOOPBACK.has(new URL(request.url).hostname))
        throw new AdfError(
          "INVALID_OPTIONS",
          "refusing to send a bearer token over plain HTTP to a non-loopback host",
          "Use HTTPS.",
        );
      const token = await credential.getToken(
        scopes,
        request.abortSignal ? { abortSignal: request.abortSignal } : {},
      );
      if (!token)
        throw new AdfError(
          "DEPLOY_FAILED",
          "the credential returned no token",
          "Check the credential (az login, managed identity).",
        );
      request.headers.set("Authorization", `Bearer ${token.token}`);
      return next(request);
    },
  };
}
