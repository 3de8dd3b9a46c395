import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { DatabricksError } from "../errors.ts";

/** Microsoft Entra scope of the Azure Databricks resource (its well-known application id). */
export const DATABRICKS_SCOPE = "2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default";

export interface DatabricksClientOptions {
  /** Workspace URL, e.g. `https://adb-123.4.azuredatabricks.net`. */
  readonly workspaceUrl: string;
  /** Default: `DefaultAzureCredential` (Azure CLI login, managed identity, workload identity, …). */
  readonly credential?: TokenCredential;
  /**
   * Azure resource id of the workspace, sent as `X-Databricks-Azure-Workspace-Resource-Id` so a
   * service principal that is not yet a workspace user is added on first use. Default: not sent.
   */
  readonly workspaceResourceId?: string;
  /** Attempts for a throttled request (HTTP 429), honouring `Retry-After`. Default `4`. */
  readonly throttleAttempts?: number;
}

/** One request as sent: method and path with query, for logs and tests. No headers, no bodies. */
export type RequestLine = `${"GET" | "POST"} ${string}`;

/**
 * The Databricks REST API over the platform `fetch`, with a Microsoft Entra token for the
 * Azure Databricks resource on every request. Errors carry the API's error code and message,
 * never the token.
 */
export class DatabricksClient {
  readonly url: URL;
  private readonly credential: TokenCredential;
  /** Requests sent, in order. */
  readonly sent: RequestLine[] = [];

  private readonly o: DatabricksClientOptions;

  constructor(o: DatabricksClientOptions) {
    this.o = o;
    let url: URL;
    try {
      url = new URL(o.workspaceUrl);
    } catch {
      throw new DatabricksError(
        "INVALID_OPTIONS",
        `not a workspace URL: ${o.workspaceUrl}`,
        "Use the workspace URL, e.g. https://adb-123.4.azuredatabricks.net.",
      );
    }
    const local = url.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    if (url.protocol !== "https:" && !local)
      throw new DatabricksError(
        "INVALID_OPTIONS",
        `workspace URL must use https: ${url.origin}`,
        "A bearer token is only sent over TLS; use https://.",
      );
    this.url = url;
    this.credential = o.credential ?? new DefaultAzureCredential();
  }

  private async token(): Promise<string> {
    try {
      const t = await this.credential.getToken(DATABRICKS_SCOPE);
      if (!t?.token) throw new Error("the credential returned no token");
      return t.token;
    } catch (e) {
      throw new DatabricksError(
        "NO_TOKEN",
        `no Microsoft Entra token for Azure Databricks: ${(e as Error).message ?? String(e)}`,
        "Sign in with `az login`, or configure a managed or workload identity that is a user of the workspace.",
      );
    }
  }

  async get<T>(path: string, query: Record<string, string> = {}): Promise<T> {
    return this.request<T>("GET", path, query, undefined);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("POST", path, {}, body);
  }

  private async request<T>(
    method: "GET" | "POST",
    path: string,
    query: Record<string, string>,
    body: unknown,
  ): Promise<T> {
    const url = new URL(path, this.url);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const line: RequestLine = `${method} ${url.pathname}${url.search}`;
    const attempts = this.o.throttleAttempts ?? 4;
    for (let attempt = 1; ; attempt++) {
      const headers: Record<string, string> = {
        authorization: `Bearer ${await this.token()}`,
        accept: "application/json",
      };
      if (this.o.workspaceResourceId)
        headers["x-databricks-azure-workspace-resource-id"] = this.o.workspaceResourceId;
      if (body !== undefined) headers["content-type"] = "application/json";
      this.sent.push(line);
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers,
          ...(body !== undefined && { body: JSON.stringify(body) }),
        });
      } catch (e) {
        throw new DatabricksError(
          "REQUEST_FAILED",
          `${line}: ${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause: Error }).cause.message})` : ""}`,
          "Check the workspace URL and the network path to it, then rerun.",
        );
      }
      const text = await res.text();
      if (res.ok) return (text ? JSON.parse(text) : {}) as T;
      if (res.status === 429 && attempt < attempts) {
        const wait = Math.min(Number(res.headers.get("retry-after") ?? "1") || 1, 30);
        await new Promise((r) => setTimeout(r, wait * 1000));
        continue;
      }
      let detail = text.slice(0, 300);
      try {
        const e = JSON.parse(text) as { error_code?: string; message?: string };
        if (e.error_code || e.message) detail = `${e.error_code ?? "ERROR"}: ${e.message ?? ""}`;
      } catch {}
      throw new DatabricksError(
        "REQUEST_FAILED",
        `${line} failed with HTTP ${res.status}: ${detail}`,
        res.status === 401 || res.status === 403
          ? "The identity is not allowed in this workspace: add it as a workspace user (or pass the workspace resource id), then rerun."
          : "Fix the cause and rerun; what was already written is left as it is and not written again.",
        res.status,
      );
    }
  }
}

/** An API error that says the object is not there (`RESOURCE_DOES_NOT_EXIST`, HTTP 404). */
export function isNotFound(e: unknown): boolean {
  return e instanceof DatabricksError && e.status === 404;
}
