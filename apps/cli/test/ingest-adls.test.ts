import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import tls from "node:tls";
import {
  Azurite,
  generateOrderLines,
  IdentityEndpoint,
  type SalesApiServer,
  selfSignedCertificate,
  startSalesApi,
} from "@saleslake/ingest/testing";
import { carSalesSeedFiles } from "@saleslake/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliProcess } from "./support/cli-process.ts";

// `saleslake ingest --to adls`, as CI runs it against the estate's lake: the real CLI process
// and its DefaultAzureCredential, a managed-identity endpoint handing out a storage token, and
// Azurite's Blob service over HTTPS taking bearer tokens, as a storage account does.

const skip = process.env.SALESLAKE_SKIP_AZURITE === "1";
if (skip) console.warn("SALESLAKE_SKIP_AZURITE=1: the CLI's ADLS landing tests are skipped");

const work = mkdtempSync(join(tmpdir(), "saleslake-cli-adls-"));
const API_TOKEN = "tok_live_5e4d3c2b1a0f9e8d7c6b";
let azurite: Azurite;
let identity: IdentityEndpoint;
let api: SalesApiServer;
let refusing: Server;
let refusingUrl = "";
let caFile = "";
let project = "";

/** The CLI as a child process that trusts the emulator's certificate; asynchronous, as the servers answer from this process. */
function cli(args: string[], extra: Record<string, string> = {}) {
  return cliProcess(
    args,
    { NODE_EXTRA_CA_CERTS: caFile, ORDERS_API_TOKEN: API_TOKEN, ...identity.env(), ...extra },
    work,
  );
}

/** The seed file landed into the estate's lake. */
const landSeed = () =>
  cli(["ingest", "--dir", project, "--entity", "car_sales", "--to", "adls", carSalesSeedFiles.initial]);

/** Every blob of a container, as name → content. */
async function blobs(container: string): Promise<Map<string, string>> {
  const client = azurite.serviceClient().getContainerClient(container);
  const out = new Map<string, string>();
  for await (const b of client.listBlobsFlat())
    out.set(b.name, (await client.getBlobClient(b.name).downloadToBuffer()).toString("utf8"));
  return out;
}

beforeAll(async () => {
  if (skip) return;
  const cert = selfSignedCertificate();
  caFile = join(work, "emulator-ca.pem");
  writeFileSync(caFile, cert.cert);
  // This process checks what landed with the account key, over the same TLS.
  tls.setDefaultCACertificates([...tls.getCACertificates("default"), cert.cert]);
  azurite = await new Azurite({ tls: cert }).start();
  // The containers the infra templates create, a zone each.
  for (const zone of ["landing", "bronze", "silver", "gold", "quarantine"])
    await azurite.serviceClient().getContainerClient(zone).create();
  identity = await new IdentityEndpoint({ token: Azurite.storageToken() }).start();
  // An identity endpoint of a host with no identity assigned: every token request is refused.
  refusing = createServer((_req, res) => {
    res.writeHead(400, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "invalid_request", error_description: "no identity is assigned" }));
  });
  await new Promise<void>((r) => refusing.listen(0, "127.0.0.1", r));
  refusingUrl = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}/msi/token`;
  api = await startSalesApi();
  api.requireToken(API_TOKEN);
  project = join(work, "estate");
  mkdirSync(project);
  writeFileSync(
    join(project, "saleslake.config.ts"),
    `import { defineConfig } from "@saleslake/cli";
import { carSales, salesOrderLines } from "@saleslake/schema";

export default defineConfig({
  entities: [carSales, salesOrderLines],
  stars: [],
  lake: { adls: { accountUrl: "${azurite.blobUrl}" } },
  sources: {
    orders_api: {
      kind: "http",
      entity: "sales_order_lines",
      url: "${api.url}/v2/order-lines",
      recordsPath: "results",
      pagination: { kind: "cursor", nextCursorPath: "paging.next", pageSize: 4 },
      auth: { secret: { env: "ORDERS_API_TOKEN" } },
    },
  },
});
`,
  );
}, 60_000);

afterAll(async () => {
  await azurite?.stop();
  await identity?.close();
  await api?.stop();
  if (refusing) await new Promise<void>((r) => refusing.close(() => r()));
  rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skip)("saleslake ingest --to adls", () => {
  it("lands a file drop into the estate's landing container, manifest last, signed in with the managed identity", async () => {
    const r = await landSeed();
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const m =
      /^landed 1,849 rows \([\d,]+ bytes\) from 1 file as batch (\S+) into abfss:\/\/landing@127\.0\.0\.1:\d+\/(car_sales\/ingest_date=\d{4}-\d{2}-\d{2}\/batch=\S+)\n/.exec(
        r.out,
      );
    expect(m, r.out).not.toBeNull();
    // A file-drop entity's manifest starts its pipeline: no note.
    expect(r.out).not.toMatch(/note:/);
    const [, batchId, folder] = m!;
    expect(folder).toContain(`batch=${batchId}`);
    // The batch is where the factory's storage event trigger looks: <entity>/…/_manifest.json in `landing`.
    const landed = await blobs("landing");
    // Beside it, the content claim that lets a second landing of the same bytes find this batch.
    expect([...landed.keys()].sort()).toEqual([
      expect.stringMatching(/^_claims\/car_sales\/[0-9a-f]{64}\.json$/),
      `${folder}/_manifest.json`,
      `${folder}/part-00000.csv`,
    ]);
    const manifest = JSON.parse(landed.get(`${folder}/_manifest.json`)!);
    expect(manifest).toMatchObject({ entity: "car_sales", batchId, rowCount: 1849, format: "csv" });
    expect(landed.get(`${folder}/part-00000.csv`)).toBe(readFileSync(carSalesSeedFiles.initial, "utf8"));
    // Tokens were asked for Azure Storage; the project's own lake folder got nothing.
    expect(identity.resources).toContain("https://storage.azure.com");
    expect(existsSync(join(project, "lake", "landing"))).toBe(false);
    // The same content again is found in the estate's lake and not landed twice.
    const again = await landSeed();
    expect(again.code).toBe(0);
    expect(again.out).toBe(
      `already landed as batch ${batchId}: nothing written (use --force to land again)\n`,
    );
    expect((await blobs("landing")).size).toBe(3);
  });

  it("lands an API source's windows there, each window starting where the one landed before it ended", async () => {
    api.upsert(generateOrderLines({ count: 6, firstOrder: 100, updatedFrom: "2026-01-05T09:00:00.000Z" }));
    const first = await cli(["ingest", "--dir", project, "--source", "orders_api", "--to", "adls", "--json"]);
    expect(first.err).toBe("");
    const [a] = JSON.parse(first.out);
    expect(a).toMatchObject({ name: "orders_api", status: "landed", rows: 6, window: { low: null } });
    // Changes made after the first window closed (its high end is the clock when it was read).
    api.upsert(
      generateOrderLines({
        count: 3,
        firstOrder: 200,
        updatedFrom: new Date(Date.now() + 1).toISOString(),
        stepMs: 1,
      }),
    );
    const second = await cli([
      "ingest",
      "--dir",
      project,
      "--source",
      "orders_api",
      "--to",
      "adls",
      "--json",
    ]);
    const [b] = JSON.parse(second.out);
    // The next window starts at the first one's high end, less the entity's lookback (an hour).
    expect(b).toMatchObject({
      status: "landed",
      rows: 3,
      window: { low: new Date(Date.parse(a.window.high) - 3_600_000).toISOString() },
      previous: { high: a.window.high },
    });
    const manifests = [...(await blobs("landing")).entries()].filter(
      ([name]) => name.startsWith("sales_order_lines/") && name.endsWith("/_manifest.json"),
    );
    expect(manifests.map(([, text]) => JSON.parse(text).batchId).sort()).toEqual(
      [a.batchId, b.batchId].sort(),
    );
    // Said in text: the factory copies this entity from its source itself, and starts nothing on these batches.
    api.upsert(
      generateOrderLines({ count: 1, firstOrder: 300, updatedFrom: new Date(Date.now() + 1).toISOString() }),
    );
    const third = await cli(["ingest", "--dir", project, "--source", "orders_api", "--to", "adls"]);
    expect(third.err).toBe("");
    expect(third.out).toMatch(
      /\nnote: sales_order_lines has a watermark column: the Data Factory pipelines copy its windows from its source themselves, and no pipeline starts on a batch landed in the lake .*; run its Databricks job with the batch's id \(job parameter batch_id\)/,
    );
    // Nothing of it in the local lake: a later `ingest --source` without --to starts from the start.
    expect(existsSync(join(project, "lake", "landing", "sales_order_lines"))).toBe(false);
  });

  it("is refused plainly without an identity, without an ADLS lake in the config, or with a SAS token in it", async () => {
    const before = (await blobs("landing")).size;
    const denied = await cli(
      [
        "ingest",
        "--dir",
        project,
        "--entity",
        "car_sales",
        "--to",
        "adls",
        "--force",
        carSalesSeedFiles.incremental,
      ],
      { IDENTITY_ENDPOINT: refusingUrl },
    );
    expect(denied.code).not.toBe(0);
    expect(denied.err).toMatch(/^error LAKE_ACCESS_DENIED: .*access denied/m);
    expect(denied.err).toMatch(
      /^hint: Sign in \(az login\) or use a managed identity that holds Storage Blob Data Contributor/m,
    );
    expect((await blobs("landing")).size).toBe(before);

    const plain = join(work, "plain");
    mkdirSync(plain, { recursive: true });
    const none = await cli(["ingest", "--dir", plain, "--to", "adls", carSalesSeedFiles.incremental]);
    expect(none.code).toBe(2);
    expect(none.err).toMatch(
      /^usage error: --to adls: saleslake\.config\.ts names no ADLS lake; add lake: \{ adls: /,
    );
    const wrong = await cli(["ingest", "--dir", plain, "--to", "s3", carSalesSeedFiles.incremental]);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/--to.*s3.*local, adls/s);

    const sas = join(work, "sas");
    mkdirSync(sas, { recursive: true });
    const signature = "sig=Zm9vYmFyc2VjcmV0c2lnbmF0dXJl";
    writeFileSync(
      join(sas, "saleslake.config.ts"),
      `export default { lake: { adls: { accountUrl: "https://salesprod.blob.core.windows.net/?sv=2024-11-04&${signature}" } } };\n`,
    );
    const withSas = await cli(["ingest", "--dir", sas, "--to", "adls", carSalesSeedFiles.incremental]);
    expect(withSas.code).not.toBe(0);
    expect(withSas.err).toMatch(
      /lake\.adls\.accountUrl carries a query, a user or a fragment; the config holds no credential/,
    );
    expect(withSas.err).not.toContain(signature);
  });
});
