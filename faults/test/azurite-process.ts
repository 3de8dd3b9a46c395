import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { AdlsLakeStore } from "@saleslake/ingest";
// The emulator's published development account, shared with the ingest package's harness.
import { AZURITE_ACCOUNT } from "../../packages/ingest/test/harness/azurite-server.ts";

export { AZURITE_ACCOUNT };

/** Set to `1` to skip the Azurite fault tests (the suite prints that it did). */
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
    "Azurite is not installed: run `pnpm install` in the repository (it is a devDependency of @saleslake/faults), or set SALESLAKE_SKIP_AZURITE=1 to skip these tests",
  );
}

/**
 * Azurite's Blob service as a process the tests may kill and start again. Unlike the ingest
 * harness (in memory), it keeps its data in `location`, so a restarted emulator on the same
 * folder and port serves what was committed before the crash.
 */
export class AzuriteProcess {
  readonly location: string;
  port = 0;
  private child: ChildProcess | undefined;

  constructor(location: string) {
    this.location = location;
  }

  get blobUrl(): string {
    return `http://127.0.0.1:${this.port}/${AZURITE_ACCOUNT.accountName}`;
  }

  /** Starts the emulator: on a free port the first time, on the same port after a stop. */
  async start(): Promise<void> {
    const child = spawn(
      process.execPath,
      [
        azuriteBlobMain(),
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        String(this.port),
        "--location",
        this.location,
        "--disableTelemetry",
        "--skipApiVersionCheck",
        "--loose",
        "--silent",
      ],
      { cwd: this.location, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    let output = "";
    this.port = await new Promise<number>((resolve, reject) => {
      const onData = (d: Buffer) => {
        output += d.toString();
        const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (m) resolve(Number(m[1]));
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", onData);
      child.once("exit", (code, signal) =>
        reject(new Error(`Azurite exited (${code ?? signal}):\n${output}`)),
      );
    });
  }

  /** SIGKILL: the emulator dies with requests in flight, as a crashed or unplugged server would. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGKILL");
    await exited;
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

  serviceClient(): BlobServiceClient {
    return new BlobServiceClient(
      this.blobUrl,
      new StorageSharedKeyCredential(AZURITE_ACCOUNT.accountName, AZURITE_ACCOUNT.accountKey),
    );
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
