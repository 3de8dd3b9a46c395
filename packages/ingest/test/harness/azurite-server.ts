import { AdlsLakeStore } from "../../src/lake/adls-lake-store.ts";
import { AZURITE_ACCOUNT, Azurite } from "../../src/testing/index.ts";

export { AZURITE_ACCOUNT };

export interface AzuriteServer {
  /** Blob endpoint, e.g. `http://127.0.0.1:41234/devstoreaccount1`. */
  readonly blobUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Set to `1` to skip the suites that need Azurite (they print that they were skipped). */
export const SKIP_AZURITE = process.env.SALESLAKE_SKIP_AZURITE === "1";

/** Azurite's Blob service on a free port, in memory, removed on stop. */
export function startAzurite(): Promise<AzuriteServer> {
  return new Azurite().start();
}

let containers = 0;

/** A fresh container on the emulator, created the way the infra templates would, behind the ADLS lake store. */
export async function azuriteLakeStore(
  server: AzuriteServer,
  options: { cacheDir: string; blockSize?: number },
): Promise<AdlsLakeStore> {
  const fileSystem = `lake${process.pid}x${++containers}`;
  await (server as Azurite).serviceClient().getContainerClient(fileSystem).create();
  return new AdlsLakeStore({
    accountUrl: server.blobUrl,
    fileSystem,
    sharedKey: AZURITE_ACCOUNT,
    cacheDir: options.cacheDir,
    blockSize: options.blockSize ?? 1024 * 1024,
  });
}
