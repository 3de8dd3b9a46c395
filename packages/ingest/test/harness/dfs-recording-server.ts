import { createServer, type Server } from "node:https";
import { getCACertificates, setDefaultCACertificates } from "node:tls";
import { selfSignedCertificate } from "../../src/testing/self-signed-certificate.ts";

export interface RecordedRequest {
  readonly method: string;
  /** Path after the account segment, decoded: `/<file system>/<path>`. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly headers: Record<string, string>;
}

export interface DfsRecordingServer {
  /** DFS endpoint with the account in the path, e.g. `https://127.0.0.1:41234/devstoreaccount1`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Paths (`/<fs>/<path>`) that exist, as the server believes. */
  readonly paths: Map<string, { kind: "directory" | "file"; acl?: string }>;
  /** Paths whose requests are answered 403 AuthorizationPermissionMismatch. */
  readonly denied: Set<string>;
  stop(): Promise<void>;
}

let etagCounter = 0;
const etag = () => `"0x8DE${(++etagCounter).toString(16).padStart(12, "0").toUpperCase()}"`;

/**
 * Answers like the ADLS Gen2 DFS REST API for what the lake store uses — Path Create
 * (directory, and rename with `x-ms-rename-source`), Path Update `setAccessControl`, Path Get
 * Properties `getAccessControl` — and records every request. Listens on 127.0.0.1 only.
 */
export async function startDfsRecordingServer(account: string): Promise<DfsRecordingServer> {
  const { key, cert } = selfSignedCertificate();
  setDefaultCACertificates([...getCACertificates("default"), cert]);
  const requests: RecordedRequest[] = [];
  const paths = new Map<string, { kind: "directory" | "file"; acl?: string }>();
  const denied = new Set<string>();

  const server: Server = createServer({ key, cert }, (req, res) => {
    const url = new URL(req.url ?? "/", "https://127.0.0.1");
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    if (segments[0] === account) segments.shift();
    const path = `/${segments.join("/")}`;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(",") : (v ?? "");
    requests.push({ method: req.method ?? "", path, query: Object.fromEntries(url.searchParams), headers });
    req.resume();
    req.on("end", () => {
      const base = {
        "x-ms-request-id": `req-${requests.length}`,
        "x-ms-version": headers["x-ms-version"] ?? "2025-01-05",
        date: new Date().toUTCString(),
      };
      const fail = (status: number, code: string, message: string) => {
        const body = JSON.stringify({ error: { code, message } });
        res.writeHead(status, {
          ...base,
          "x-ms-error-code": code,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      };
      const ok = (status: number, extra: Record<string, string> = {}) => {
        res.writeHead(status, {
          ...base,
          etag: etag(),
          "last-modified": new Date().toUTCString(),
          "content-length": 0,
          ...extra,
        });
        res.end();
      };
      if (!headers.authorization?.startsWith("Bearer "))
        return fail(401, "NoAuthenticationInformation", "no bearer token");
      if (denied.has(path)) return fail(403, "AuthorizationPermissionMismatch", "not allowed");
      const exists = paths.has(path);
      const noClobber = headers["if-none-match"] === "*";
      if (req.method === "PUT" && headers["x-ms-rename-source"]) {
        const rawSource = headers["x-ms-rename-source"].split("?")[0] ?? "";
        const srcSegments = rawSource.split("/").filter(Boolean).map(decodeURIComponent);
        if (srcSegments[0] === account) srcSegments.shift();
        const source = `/${srcSegments.join("/")}`;
        if (!paths.has(source))
          return fail(404, "SourcePathNotFound", "The source path for a rename operation does not exist.");
        if (exists && noClobber) return fail(409, "PathAlreadyExists", "The specified path already exists.");
        for (const [p, v] of [...paths]) {
          if (p === source || p.startsWith(`${source}/`)) {
            paths.delete(p);
            paths.set(path + p.slice(source.length), v);
          }
        }
        return ok(201);
      }
      if (req.method === "PUT" && url.searchParams.get("resource") === "directory") {
        if (exists && noClobber) return fail(409, "PathAlreadyExists", "The specified path already exists.");
        paths.set(path, { kind: "directory" });
        return ok(201);
      }
      if (req.method === "PATCH" && url.searchParams.get("action") === "setAccessControl") {
        const entry = paths.get(path);
        if (!entry) return fail(404, "PathNotFound", "The specified path does not exist.");
        if (!headers["x-ms-acl"]) return fail(400, "InvalidInput", "x-ms-acl is required");
        entry.acl = headers["x-ms-acl"];
        return ok(200, { "x-ms-namespace-enabled": "true" });
      }
      if (req.method === "HEAD" && url.searchParams.get("action") === "getAccessControl") {
        const entry = paths.get(path);
        if (!entry) return fail(404, "PathNotFound", "The specified path does not exist.");
        return ok(200, {
          "x-ms-owner": "$superuser",
          "x-ms-group": "$superuser",
          "x-ms-permissions": "rwxr-x---",
          "x-ms-acl": entry.acl ?? "user::rwx,group::r-x,other::---",
          "x-ms-resource-type": entry.kind,
        });
      }
      fail(400, "UnsupportedOperation", `${req.method} ${url.pathname}${url.search} is not served here`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `https://127.0.0.1:${port}/${account}`,
    requests,
    paths,
    denied,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
