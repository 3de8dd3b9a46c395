import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { AdlsLakeStore } from "@saleslake/ingest";
import { AZURITE_ACCOUNT, Azurite } from "@saleslake/ingest/testing";

export { AZURITE_ACCOUNT };

/** Set to `1` to skip the Azurite fault tests (the suite prints that it did). */
export const SKIP_AZURITE = process.env.SALESLAKE_SKIP_AZURITE === "1";

/**
 * Azurite's Blob service as a process the tests may kill and start again: it keeps its data in
 * `location`, so a restarted emulator on the same folder and port serves what was committed
 * before the crash.
 */
export class AzuriteProcess extends Azurite {
  declare readonly location: string;

  constructor(location: string) {
    super({ location });
  }

  /**
   * Waits until Azurite has written its metadata (it saves every few seconds) after `since`, so
   * that what was committed before then survives a SIGKILL.
   */
  async persistedSince(since: number): Promise<void> {
    const files = ["__azurite_db_blob__.json", "__azurite_db_blob_extent__.json"].map((f) =>
      join(this.location, f),
    );
    const saved = () => files.every((f) => existsSync(f) && statSync(f).mtimeMs > since);
    while (!saved()) await new Promise((r) => setTimeout(r, 100));
  }

  /** Creates the container (the infra templates would) and returns the lake store on it. */
  async createLake(fileSystem: string, cacheDir: string): Promise<AdlsLakeStore> {
    await this.serviceClient().getContainerClient(fileSystem).createIfNotExists();
    return this.lake(fileSystem, cacheDir);
  }

  /** Options of the lake store on `fileSystem`, for a child process to build the same store. */
  lakeOptions(fileSystem: string, cacheDir: string, blockSize = 64 * 1024) {
    return {
      accountUrl: this.blobUrl,
      fileSystem,
      sharedKey: { ...AZURITE_ACCOUNT },
      cacheDir,
      blockSize,
      concurrency: 1,
    };
  }

  lake(fileSystem: string, cacheDir: string): AdlsLakeStore {
    return new AdlsLakeStore(this.lakeOptions(fileSystem, cacheDir));
  }

  /** Blobs of the container whose blocks are staged but not committed: an upload in flight. */
  async uncommittedBlobs(fileSystem: string): Promise<string[]> {
    const out: string[] = [];
    const container = this.serviceClient().getContainerClient(fileSystem);
    for await (const b of container.listBlobsFlat({ includeUncommitedBlobs: true })) {
      if (b.properties.contentLength === 0 || !(await container.getBlobClient(b.name).exists()))
        out.push(b.name);
    }
    return out;
  }
}
