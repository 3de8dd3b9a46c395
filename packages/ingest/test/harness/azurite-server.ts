import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { AdlsLakeStore } from "../../src/lake/adls-lake-store.ts";

/**
 * Azurite's built-in development account. Its key is published in the Azure documentation and
 * works only against the emulator: a test-only credential, never used outside tests.
 */
export const AZURITE_ACCOUNT = {
  accountName: "devstoreaccount1",
  accountKey: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
} as const;

export interface AzuriteServer {
  /** Blob endpoint, e.g. `http://127.0.0.1:41234/devstoreaccount1`. */
  readonly blobUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Set to `1` to skip the suites that need Azurite (they print that they were skipped). */
export const SKIP_AZURITE = process.env.SALESLAKE_SKIP_AZURITE === "1";

function azuriteBlobMain(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve("azurite/package.json");
    const main = join(dirname(pkg), "dist", "src", "blob", "main.js");
    if (existsSync(main)) return main;
  } catch {
    // reported below
  }
  throw new Error(
    "Azurite is not installed: run `pnpm install` in the repository (it is a devDependency of @saleslake/ingest), or set SALESLAKE_SKIP_AZURITE=1 to skip these tests",
  );
}

/**
 * Starts Azurite's Blob service on a free port of 127.0.0.1 with in-memory storage (bounded to
 * 1 GiB), telemetry off. Its working folder is a temp folder removed on stop.
 */
export async function startAzurite(): Promise<AzuriteServer> {
  const main = azuriteBlobMain();
  const cwd = mkdtempSync(join(tmpdir(), "saleslake-azurite-"));
  const child: ChildProcess = spawn(
    process.execPath,
    [
      main,
      "--blobHost",
      "127.0.0.1",
      "--blobPort",
      "0",
      "--inMemoryPersistence",
      "--extentMemoryLimit",
      "1024",
      "--disableTelemetry",
      "--skipApiVersionCheck",
      "--loose",
      "--silent",
    ],
    { cwd, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Azurite did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited with code ${code}:\n${output}`));
    });
  });
  return {
    port,
    blobUrl: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT.accountName}`,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

let containers = 0;

/** A fresh container on the emulator, created the way the infra templates would, behind the ADLS lake store. */
export async function azuriteLakeStore(
  server: AzuriteServer,
  options: { cacheDir: string; blockSize?: number },
): Promise<AdlsLakeStore> {
  const fileSystem = `lake${process.pid}x${++containers}`;
  await new BlobServiceClient(
    server.blobUrl,
    new StorageSharedKeyCredential(AZURITE_ACCOUNT.accountName, AZURITE_ACCOUNT.accountKey),
  )
    .getContainerClient(fileSystem)
    .create();
  return new AdlsLakeStore({
    accountUrl: server.blobUrl,
    fileSystem,
    sharedKey: AZURITE_ACCOUNT,
    cacheDir: options.cacheDir,
    blockSize: options.blockSize ?? 1024 * 1024,
  });
}
