import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A managed-identity token endpoint as App Service provides it (IDENTITY_ENDPOINT with the
 * IDENTITY_HEADER secret header), on 127.0.0.1: the real DefaultAzureCredential (or
 * ManagedIdentityCredential) gets its tokens here instead of from Microsoft Entra ID, which tests
 * cannot reach. Token requests without the header are refused with 401.
 */
export class IdentityEndpoint {
  readonly header = "local-identity-header";
  /** The access token handed out. Default `local-managed-identity-token`. */
  readonly token: string;
  /** Resources tokens were asked for, in order. */
  readonly resources: string[] = [];
  private server: Server | undefined;
  url = "";

  constructor(options: { readonly token?: string } = {}) {
    this.token = options.token ?? "local-managed-identity-token";
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      if (req.headers["x-identity-header"] !== this.header) {
        res.writeHead(401).end();
        return;
      }
      this.resources.push(url.searchParams.get("resource") ?? "");
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          access_token: this.token,
          expires_on: String(Math.floor(Date.now() / 1000) + 3600),
          resource: url.searchParams.get("resource"),
          token_type: "Bearer",
        }),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/msi/token`;
    return this;
  }

  /** The environment that points DefaultAzureCredential here. */
  env(): Record<string, string> {
    return { IDENTITY_ENDPOINT: this.url, IDENTITY_HEADER: this.header };
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
