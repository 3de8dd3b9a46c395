import type { DataFactoryManagementClient } from "@azure/arm-datafactory";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import { AdfError } from "../errors.ts";
import { ADF_API_VERSION, REST_COLLECTION } from "../generate/arm-template.ts";
import type { ArtifactDocument, ArtifactType } from "../lint/factory-artifacts.ts";

/** Which factory: its resource group and name (the subscription is the client's). */
export interface FactoryTarget {
  readonly resourceGroup: string;
  readonly factoryName: string;
}

/**
 * Artifact bodies go through the client's own pipeline as the wire JSON they are. The SDK's
 * models (12.0.0) predate fields the generator uses (e.g. Azure SQL `authenticationType`) and
 * would drop or misplace them when serialising; raw bodies are sent and compared exactly.
 */
export class FactoryRest {
  private readonly client: DataFactoryManagementClient;
  private readonly base: string;

  constructor(client: DataFactoryManagementClient, target: FactoryTarget) {
    for (const [what, v] of [
      ["resourceGroup", target.resourceGroup],
      ["factoryName", target.factoryName],
    ] as const)
      if (!/^[A-Za-z0-9._()-]{1,90}$/.test(v))
        throw new AdfError(
          "INVALID_OPTIONS",
          `${what} ${JSON.stringify(v)} is not a valid name`,
          "Resource group and factory names are letters, digits, '.', '_', '-', '(' and ')'.",
        );
    this.client = client;
    this.base = `${client.$host.replace(/\/+$/, "")}/subscriptions/${encodeURIComponent(client.subscriptionId ?? "")}/resourceGroups/${encodeURIComponent(target.resourceGroup)}/providers/Microsoft.DataFactory/factories/${encodeURIComponent(target.factoryName)}`;
  }

  private url(type: ArtifactType, name?: string): string {
    return `${this.base}/${REST_COLLECTION[type]}${name === undefined ? "" : `/${encodeURIComponent(name)}`}?api-version=${ADF_API_VERSION}`;
  }

  private async send(
    method: "GET" | "PUT" | "DELETE",
    url: string,
    what: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const request = createPipelineRequest({
      url,
      method,
      headers: createHttpHeaders({
        accept: "application/json",
        ...(body !== undefined && { "content-type": "application/json; charset=utf-8" }),
      }),
      ...(body !== undefined && { body: JSON.stringify(body) }),
      allowInsecureConnection: url.startsWith("http://"),
    });
    let response: Awaited<ReturnType<DataFactoryManagementClient["sendRequest"]>>;
    try {
      response = await this.client.sendRequest(request);
    } catch (e) {
      // Not kept as the cause: the SDK's error holds the request headers (bearer token).
      throw new AdfError(
        "DEPLOY_FAILED",
        `${method} ${what}: ${(e as Error).message}`,
        "Check network access to Resource Manager and the credential.",
      );
    }
    let json: unknown;
    try {
      json = response.bodyAsText ? JSON.parse(response.bodyAsText) : undefined;
    } catch {
      json = undefined;
    }
    if (response.status >= 400 && !(method === "GET" && response.status === 404)) {
      const err = (json as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new AdfError(
        "DEPLOY_FAILED",
        `${method} ${what}: HTTP ${response.status}${err?.code ? ` ${err.code}` : ""}${err?.message ? `: ${err.message}` : ""}`,
        response.status === 401 || response.status === 403
          ? "The identity needs the Data Factory Contributor role on the factory."
          : "Fix the cause and run deploy again: it compares with what exists and only writes what differs.",
      );
    }
    return { status: response.status, json };
  }

  /** Every artifact of a type, following `nextLink`. */
  async list(type: ArtifactType): Promise<ArtifactDocument[]> {
    const out: ArtifactDocument[] = [];
    let url: string | undefined = this.url(type);
    // Bounded: a factory has at most a few thousand artifacts, 50 per page.
    for (let page = 0; url && page < 1000; page++) {
      const { json } = await this.send("GET", url, `${type} list`);
      const body = json as { value?: ArtifactDocument[]; nextLink?: string } | undefined;
      out.push(...(body?.value ?? []));
      url = body?.nextLink === undefined ? undefined : this.nextPage(body.nextLink, url, type);
    }
    return out;
  }

  /** A list's next page, only on the host the list came from: the request carries the bearer token. */
  private nextPage(nextLink: string, from: string, type: ArtifactType): string {
    const here = new URL(from);
    let next: URL | undefined;
    try {
      next = new URL(nextLink, here);
    } catch {
      next = undefined;
    }
    if (next?.origin !== here.origin)
      throw new AdfError(
        "DEPLOY_FAILED",
        `GET ${type} list: the next page is not on ${here.host}${next ? ` but on ${next.host}` : ""}: not followed, so that the credential goes to no other host`,
        "Resource Manager pages a list on its own host: check the endpoint (SALESLAKE_ARM_ENDPOINT) and any proxy in between.",
      );
    return next.href;
  }

  async put(type: ArtifactType, doc: ArtifactDocument): Promise<void> {
    await this.send("PUT", this.url(type, doc.name), `${type} ${doc.name}`, { properties: doc.properties });
  }

  async delete(type: ArtifactType, name: string): Promise<void> {
    await this.send("DELETE", this.url(type, name), `${type} ${name}`);
  }
}
