import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { selfSignedCertificate } from "../../src/testing/self-signed-certificate.ts";

export interface KeyVaultRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly authorization: string | undefined;
}

export interface KeyVaultRecorder {
  /** `https://127.0.0.1:<port>`: the vault URL. */
  readonly url: string;
  readonly requests: KeyVaultRequest[];
  /** Secret name → value. */
  readonly secrets: Map<string, string>;
  stop(): Promise<void>;
}

/**
 * Answers like the Key Vault secrets REST API for Get Secret, over HTTPS on 127.0.0.1 (a
 * self-signed certificate this process trusts), and records requests. A request without the
 * expected bearer token gets the 401 challenge Key Vault sends, naming the tenant and resource,
 * so the SDK's challenge-based authentication runs as it does against Azure.
 */
export async function startKeyVaultRecorder(options: { expectToken: string }): Promise<KeyVaultRecorder> {
  const { key, cert } = selfSignedCertificate();
  setDefaultCACertificates([...getCACertificates("default"), cert]);
  const requests: KeyVaultRequest[] = [];
  const secrets = new Map<string, string>();
  let base = "";
  const server: Server = createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    requests.push({
      method: req.method ?? "",
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
    });
    req.resume();
    req.on("end", () => {
      const json = (status: number, body: unknown, extra: Record<string, string> = {}) => {
        const text = JSON.stringify(body);
        res.writeHead(status, {
          "content-type": "application/json; charset=utf-8",
          "content-length": String(Buffer.byteLength(text)),
          "x-ms-request-id": `kv-${requests.length}`,
          ...extra,
        });
        res.end(text);
      };
      if (req.headers.authorization !== `Bearer ${options.expectToken}`) {
        return json(
          401,
          { error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } },
          {
            "www-authenticate":
              'Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-0000000000aa", resource="https://vault.azure.net"',
          },
        );
      }
      const m = /^\/secrets\/([A-Za-z0-9-]+)\/?([0-9a-f]*)$/.exec(url.pathname);
      if (req.method !== "GET" || !m) {
        return json(400, { error: { code: "BadParameter", message: `${req.method} ${url.pathname}` } });
      }
      const value = secrets.get(m[1]!);
      if (value === undefined) {
        return json(404, {
          error: {
            code: "SecretNotFound",
            message: `A secret with (name/id) ${m[1]} was not found in this key vault.`,
          },
        });
      }
      const version = m[2] || "0123456789abcdef0123456789abcdef";
      json(200, {
        value,
        id: `${base}/secrets/${m[1]}/${version}`,
        attributes: {
          enabled: true,
          created: 1_767_225_600,
          updated: 1_767_225_600,
          recoveryLevel: "Recoverable+Purgeable",
          recoverableDays: 90,
        },
        tags: {},
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    requests,
    secrets,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
