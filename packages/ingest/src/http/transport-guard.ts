import { isIPv4, isIPv6 } from "node:net";
import { IngestError } from "../errors.ts";

/** 127.0.0.0/8, ::1 (also IPv4-mapped), `localhost`: traffic that never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (isIPv4(host)) return host.startsWith("127.");
  if (isIPv6(host)) {
    if (host === "::1" || host === "0:0:0:0:0:0:0:1") return true;
    const mapped = /^::ffff:(.+)$/.exec(host)?.[1];
    if (mapped && isIPv4(mapped)) return mapped.startsWith("127.");
    if (mapped) return /^7f[0-9a-f]{2}:/.test(mapped); // ::ffff:7f00:1 as URL normalises it
  }
  return false;
}

/**
 * Refuses to send credentials in clear text: with credentials a request must be https, or
 * plain http to a loopback address (a local test server or a sidecar). Checked before the
 * secret is even read, and again on every request.
 */
export function assertCredentialsTransport(url: URL, carriesCredentials: boolean): void {
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new IngestError(
      "BAD_OPTIONS",
      `unsupported URL scheme ${url.protocol} for an HTTP source`,
      "Use an https:// URL.",
    );
  }
  if (!carriesCredentials || url.protocol === "https:" || isLoopbackHost(url.hostname)) return;
  throw new IngestError(
    "INSECURE_TRANSPORT",
    `refusing to send credentials over plain http to ${url.host}: anyone on the path could read them`,
    "Use an https:// URL. Plain http is accepted with credentials only for loopback hosts (127.0.0.0/8, ::1, localhost).",
  );
}
