import type { AccessToken, TokenCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdlsLakeStore, IngestError } from "../src/index.ts";
import { type DfsRecordingServer, startDfsRecordingServer } from "./harness/dfs-recording-server.ts";

// Azurite does not serve the DFS endpoint: these operations go through the real Data Lake SDK
// to a local HTTPS server that answers like the DFS REST API and records every request.
let server: DfsRecordingServer;
const tokens: string[][] = [];
const credential: TokenCredential = {
  getToken: async (scopes): Promise<AccessToken> => {
    tokens.push([scopes].flat());
    return { token: "test-access-token", expiresOnTimestamp: Date.now() + 3_600_000 };
  },
};

beforeAll(async () => {
  server = await startDfsRecordingServer("salesacct");
});
afterAll(async () => {
  await server.stop();
});

function store(): AdlsLakeStore {
  server.requests.length = 0;
  return new AdlsLakeStore({
    accountUrl: "https://salesacct.blob.core.windows.net",
    dfsUrl: server.url,
    fileSystem: "lake",
    credential,
  });
}

describe("adls lake store: DFS-only operations through the Data Lake SDK", () => {
  it("creates the zone directories with Path Create resource=directory, leaving existing ones alone", async () => {
    const lake = store();
    await lake.ensureZones();
    await lake.createDirectory("landing");
    const creates = server.requests.filter((r) => r.method === "PUT");
    expect(creates.map((r) => [r.path, r.query.resource, r.headers["if-none-match"]])).toEqual([
      ["/lake/landing", "directory", "*"],
      ["/lake/bronze", "directory", "*"],
      ["/lake/silver", "directory", "*"],
      ["/lake/gold", "directory", "*"],
      ["/lake/quarantine", "directory", "*"],
      ["/lake/landing", "directory", "*"],
    ]);
    expect(server.paths.get("/lake/landing")).toMatchObject({ kind: "directory" });
    for (const r of server.requests) expect(r.headers.authorization).toBe("Bearer test-access-token");
    expect(tokens.flat()).toContain("https://storage.azure.com/.default");
  });

  it("renames atomically with x-ms-rename-source, refusing to replace an existing target", async () => {
    const lake = store();
    await lake.createDirectory("landing/car_sales/_staging");
    await lake.rename("landing/car_sales/_staging", "landing/car_sales/ingest_date=2026-03-01");
    const rename = server.requests.at(-1)!;
    expect(rename.method).toBe("PUT");
    expect(rename.path).toBe("/lake/landing/car_sales/ingest_date=2026-03-01");
    expect(rename.headers["x-ms-rename-source"]).toBe("/salesacct/lake/landing/car_sales/_staging");
    expect(rename.query.mode).toBe("legacy");
    expect(rename.headers["if-none-match"]).toBe("*");
    expect(server.paths.has("/lake/landing/car_sales/_staging")).toBe(false);
    expect(server.paths.has("/lake/landing/car_sales/ingest_date=2026-03-01")).toBe(true);

    await lake.createDirectory("landing/car_sales/again");
    const clash = await lake
      .rename("landing/car_sales/again", "landing/car_sales/ingest_date=2026-03-01")
      .catch((e: unknown) => e);
    expect(clash).toBeInstanceOf(IngestError);
    expect(clash).toMatchObject({
      code: "LAKE_UNAVAILABLE",
      file: "landing/car_sales/ingest_date=2026-03-01",
    });
    expect((clash as IngestError).message).toMatch(/already exists/);
    await lake.rename("landing/car_sales/again", "landing/car_sales/ingest_date=2026-03-01", {
      overwrite: true,
    });
    expect(server.requests.at(-1)!.headers["if-none-match"]).toBeUndefined();

    const missing = await lake.rename("landing/none", "landing/other").catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: "NOT_FOUND" });
  });

  it("sets and reads POSIX ACLs with setAccessControl / getAccessControl", async () => {
    const lake = store();
    await lake.createDirectory("gold");
    await lake.setAccessControl("gold", [
      {
        accessControlType: "user",
        entityId: "",
        defaultScope: false,
        permissions: { read: true, write: true, execute: true },
      },
      {
        accessControlType: "group",
        entityId: "",
        defaultScope: false,
        permissions: { read: true, write: false, execute: true },
      },
      {
        accessControlType: "group",
        entityId: "8b6c7d2e-0000-4000-8000-00000000abcd",
        defaultScope: false,
        permissions: { read: true, write: false, execute: true },
      },
      {
        accessControlType: "other",
        entityId: "",
        defaultScope: false,
        permissions: { read: false, write: false, execute: false },
      },
    ]);
    const patch = server.requests.at(-1)!;
    expect(patch.method).toBe("PATCH");
    expect(patch.path).toBe("/lake/gold");
    expect(patch.query.action).toBe("setAccessControl");
    expect(patch.headers["x-ms-acl"]).toBe(
      "user::rwx,group::r-x,group:8b6c7d2e-0000-4000-8000-00000000abcd:r-x,other::---",
    );
    const read = await lake.getAccessControl("gold");
    expect(server.requests.at(-1)).toMatchObject({ method: "HEAD", query: { action: "getAccessControl" } });
    expect(read.owner).toBe("$superuser");
    expect(read.acl.map((a) => `${a.accessControlType}:${a.entityId}`)).toEqual([
      "user:",
      "group:",
      "group:8b6c7d2e-0000-4000-8000-00000000abcd",
      "other:",
    ]);
  });

  it("a 403 from the service is LAKE_ACCESS_DENIED with a hint about the role", async () => {
    const lake = store();
    server.denied.add("/lake/secure");
    const e = await lake.createDirectory("secure").catch((err: unknown) => err);
    expect(e).toMatchObject({ code: "LAKE_ACCESS_DENIED", file: "secure" });
    expect((e as IngestError).message).toMatch(/HTTP 403 AuthorizationPermissionMismatch/);
    expect((e as IngestError).hint).toMatch(/Storage Blob Data Contributor/);
    expect((e as IngestError).message).not.toContain("test-access-token");
  });

  it("refuses unsafe paths before sending anything", async () => {
    const lake = store();
    await expect(lake.createDirectory("../other")).rejects.toMatchObject({ code: "UNSAFE_PATH" });
    await expect(lake.rename("landing", "../x")).rejects.toMatchObject({ code: "UNSAFE_PATH" });
    expect(server.requests).toEqual([]);
  });
});
